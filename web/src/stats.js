// The statistics API (GET /api/v1/stats/…). Absent (404) on a hub without it: pages show an
// empty state instead of an error.
import { get, query } from './api.js';
import { recentMonths } from './calendar.js';

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

// The last six months up to today, as China dates.
export const defaultRange = recentMonths;
