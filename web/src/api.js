// The gateway's public API (docs/api.md): the session cookie is HttpOnly and sent by the browser;
// every change sends the login's csrf_token as X-CSRF-Token.
import { reactive } from 'vue';

export const session = reactive({ user: null, checked: false });

const CSRF_KEY = 'appealhub.csrf';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

export async function api(method, path, body, { raw = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = localStorage.getItem(CSRF_KEY) || '';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (raw) return res;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    if (res.status === 401 && session.user && !path.endsWith('/auth/login')) {
      // The session ended (expired, or signed out elsewhere): sign in again and come back.
      session.user = null;
      window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname + window.location.search));
    }
    throw new ApiError(res.status, data?.error || 'http_' + res.status, data?.message || text);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, Array.isArray(v) ? v.join(',') : v);
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

export async function login(username, password) {
  const data = await api('POST', '/api/v1/auth/login', { username, password });
  localStorage.setItem(CSRF_KEY, data.csrf_token);
  session.user = data.user;
  return data.user;
}

export async function logout() {
  try {
    await api('POST', '/api/v1/auth/logout', {});
  } finally {
    localStorage.removeItem(CSRF_KEY);
    session.user = null;
  }
}

export async function whoami() {
  try {
    session.user = (await get('/api/v1/auth/me')).user;
  } catch {
    session.user = null;
  }
  session.checked = true;
  return session.user;
}

export const hasRole = (role) => !!session.user?.roles?.includes(role);
