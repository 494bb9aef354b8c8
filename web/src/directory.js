// The department directory and the working-day calendar, read once per page load.
import { reactive } from 'vue';
import { get } from './api.js';
import { WorkCalendar } from './calendar.js';

export const directory = reactive({ departments: [], byCode: {}, calendar: null, loaded: false });

let loading = null;
export function loadDirectory() {
  if (!loading) {
    loading = Promise.all([get('/api/v1/departments'), get('/api/v1/calendar')])
      .then(([deps, cal]) => {
        // The dispatch desk (triage) is no department to choose, but tickets name it.
        const all = deps.document.departments || [];
        directory.departments = all.filter((d) => d.code !== 'triage');
        directory.byCode = Object.fromEntries(all.map((d) => [d.code, d]));
        directory.calendar = new WorkCalendar(cal.document);
        directory.loaded = true;
      })
      .catch((e) => {
        loading = null;
        throw e;
      });
  }
  return loading;
}

export const departmentName = (code) => directory.byCode[code]?.name || code || '—';
