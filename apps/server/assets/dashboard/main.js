// Start-up: find a token (fragment, then this tab's storage, else the form), then mount the
// three panels. A 401 from any call forgets the token and returns to the form.

import { configure } from './api.js';
import { adoptFragmentToken, storedToken, saveToken, forgetToken, claims } from './token.js';
import { mountEffectiveness } from './effectiveness.js';
import { mountEvolution } from './evolution.js';
import { mountRecommendations } from './recommendations.js';

const $ = (id) => document.getElementById(id);

const panels = [
  mountEffectiveness($('effectiveness')),
  mountEvolution($('evolution')),
  mountRecommendations($('recommendations')),
];

function signIn(message) {
  panels.forEach((p) => p.stop());
  $('panels').hidden = true;
  $('session').hidden = true;
  $('sign-in').hidden = false;
  const note = $('sign-in-msg');
  note.hidden = !message;
  note.textContent = message || '';
  document.body.dataset.view = 'sign-in';
  $('token-input').focus();
}

function open(token) {
  const who = claims(token) || {};
  const service = who.role === 'service';
  configure({ token, userId: null });
  $('who').textContent = who.sub ? `Signed in as ${who.sub}${service ? ' (service token)' : ''}` : '';
  $('user-form').hidden = !service;
  $('user-id').value = who.sub || '';
  $('sign-in').hidden = true;
  $('session').hidden = false;
  $('panels').hidden = false;
  document.body.dataset.view = 'dashboard';
  panels.forEach((p) => p.load());
}

configure({
  onUnauthorized(message) {
    forgetToken();
    signIn(`The server did not accept the token: ${message.replace(/\.$/, '')}. Paste a valid one.`);
  },
});

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token-input').value.trim();
  if (!token) return;
  saveToken(token);
  $('token-input').value = '';
  open(token);
});

$('user-form').addEventListener('submit', (event) => {
  event.preventDefault();
  configure({ userId: $('user-id').value.trim() || null });
  panels.forEach((p) => p.load());
});

$('forget').addEventListener('click', () => {
  forgetToken();
  signIn('');
});

adoptFragmentToken();
const token = storedToken();
if (token) open(token);
else signIn('');

// A `#token=` link opened in a tab already showing the page changes only the fragment.
window.addEventListener('hashchange', () => {
  if (!/(?:^#|&)token=/.test(location.hash)) return;
  adoptFragmentToken();
  const next = storedToken();
  if (next) open(next);
});
