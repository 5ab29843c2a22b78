// The bearer token: taken from the URL fragment (`#token=…`, which browsers never send to the
// server), kept in this tab's sessionStorage, and removed from the address bar at once.

const KEY = 'insights.token';

/** Moves a `#token=` fragment into sessionStorage and strips it from the URL and history. */
export function adoptFragmentToken() {
  const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (!match) return;
  const token = decodeURIComponent(match[1]).trim();
  if (token) sessionStorage.setItem(KEY, token);
  history.replaceState(null, '', location.pathname + location.search);
}

export function storedToken() {
  return sessionStorage.getItem(KEY);
}

export function saveToken(token) {
  sessionStorage.setItem(KEY, token.trim());
}

export function forgetToken() {
  sessionStorage.removeItem(KEY);
}

/** The token's claims, read (not verified: the server does that) to label the page. */
export function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '='));
    const value = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
    return value && typeof value === 'object' ? value : null;
  } catch {
    return null;
  }
}
