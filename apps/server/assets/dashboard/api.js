// The public API, called exactly as any client would: bearer token, JSON envelope
// `{"success": …, "data" | "error": …}`.

export const ROUTES = {
  effectiveness: '/api/personalization/effectiveness',
  evolution: '/api/analytics/behavioral-insights/patterns/evolution',
  recommendations: '/api/analytics/behavioral-insights/recommendations',
  apply: (id) => `/api/analytics/behavioral-insights/recommendations/${encodeURIComponent(id)}/apply`,
};

/** A failed call: HTTP status (0 when the server could not be reached), code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const session = { token: null, userId: null, onUnauthorized: () => {} };

/** Sets the token, the user to show (`null`: the token's own), and what a 401 does. */
export function configure(options) {
  Object.assign(session, options);
}

async function call(method, path, params, body) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== '' && value !== null && value !== undefined) url.searchParams.set(key, value);
  }
  if (session.userId) url.searchParams.set('userId', session.userId);
  const headers = { Accept: 'application/json', Authorization: `Bearer ${session.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Cannot reach the server');
  }
  let envelope = null;
  try {
    envelope = await response.json();
  } catch {
    // A proxy's HTML error page, say: keep the status, describe the body.
  }
  if (response.ok && envelope && envelope.success) return envelope.data;
  const error = (envelope && envelope.error) || {};
  const failure = new ApiError(
    response.status,
    error.code || 'HTTP_' + response.status,
    error.message || `${response.status} ${response.statusText || 'error'}`,
  );
  if (response.status === 401) session.onUnauthorized(failure.message);
  throw failure;
}

export const get = (path, params) => call('GET', path, params);
export const post = (path, body) => call('POST', path, null, body);
