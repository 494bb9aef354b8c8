// The statistics API (GET /api/v1/stats/…). Absent (404) on a hub without it: pages show an
// empty state instead of an error.
import { get, query } from './api.js';

export async function stats(path, params = {}) {
  try {
    return await get('/api/v1/stats/' + path + query(params));
  } catch (e) {
    if (e.status === 404 && e.code !== 'invalid') return null;
    throw e;
  }
}

export const rate = (r) => (r && r.value !== null && r.value !== undefined ? r.value : null);
export const percent = (r) => {
  const v = rate(r);
  return v === null ? '—' : (v * 100).toFixed(1) + '%' + (r.small_sample ? '*' : '');
};

export function isoDate(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function defaultRange(months = 6) {
  const to = new Date();
  const from = new Date(to.getFullYear(), to.getMonth() - months + 1, 1);
  return [isoDate(from), isoDate(to)];
}
