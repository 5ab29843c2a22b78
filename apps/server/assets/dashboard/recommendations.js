// Recommendations panel: the list in the API's order with category, priority, confidence,
// actionable text and evidence; "Apply" posts a MANUAL application and reloads the list. A
// second apply's 409 is a note, not a failure.

import { get, post, ROUTES } from './api.js';
import { h, num, percent, day, Panel } from './dom.js';

export function mountRecommendations(section) {
  const panel = new Panel(section);
  const form = section.querySelector('form');

  // The list is redrawn after an apply, which removes the focused button: keyboard users
  // continue from the panel's heading instead of the top of the page.
  const heading = section.querySelector('h2');

  async function apply(rec, button) {
    button.disabled = true;
    button.textContent = 'Applying…';
    try {
      await post(ROUTES.apply(rec.id), { applicationType: 'MANUAL' });
      await load();
      panel.note(`Applied “${rec.title}”.`);
      heading.focus();
    } catch (error) {
      if (error.status === 409) {
        await load();
        panel.note(`“${rec.title}” was already applied.`);
        heading.focus();
      } else if (error.status !== 401) {
        button.disabled = false;
        button.textContent = 'Apply';
        panel.state('error', `Could not apply: ${error.message}`, 'error');
      }
    }
  }

  function item(rec) {
    const applied = Boolean(rec.appliedAt);
    const button = h('button', { type: 'button', 'data-apply': rec.id, 'aria-label': `Apply: ${rec.title}` }, 'Apply');
    button.addEventListener('click', () => apply(rec, button));
    return h('li', { class: applied ? 'rec applied' : 'rec', 'data-id': rec.id },
      h('header', {}, h('h3', {}, rec.title), h('span', { class: 'tag', 'data-category': rec.category }, rec.category)),
      h('p', {}, rec.description),
      h('p', { class: 'action' }, rec.actionableText),
      h('ul', { class: 'facts' },
        h('li', {}, 'Priority ', h('b', { 'data-value': rec.priority }, num(rec.priority, 2))),
        h('li', {}, 'Confidence ', h('b', { 'data-value': rec.confidence }, percent(rec.confidence))),
        h('li', {}, rec.recommendationType.toLowerCase().replace(/_/g, ' '))),
      rec.evidence && rec.evidence.length
        ? h('ul', { class: 'evidence', 'aria-label': 'Evidence' }, rec.evidence.map((e) => h('li', {}, String(e))))
        : null,
      applied
        ? h('p', { class: 'hint', 'data-applied': rec.appliedAt }, `Applied ${day(rec.appliedAt, true)}`)
        : rec.actionable === false ? null : button);
  }

  function render(data) {
    if (data.recommendations.length === 0) {
      panel.state('empty', '');
      panel.show(h('p', { class: 'empty', 'data-empty': 'no-recommendations' },
        'No recommendations right now: they appear as patterns are detected.'));
      return;
    }
    panel.show(
      h('ol', { class: 'recs', id: 'rec-list' }, data.recommendations.map(item)),
      h('p', { class: 'count' }, `Showing ${data.count} of ${data.total}.`));
  }

  function load() {
    const params = { limit: form.limit.value, includeApplied: form.includeApplied.checked ? 'true' : '' };
    return panel.run(() => get(ROUTES.recommendations, params), render);
  }

  form.addEventListener('change', load);
  form.addEventListener('submit', (e) => e.preventDefault());
  return { load, stop: () => panel.stop() };
}
