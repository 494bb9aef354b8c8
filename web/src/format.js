// Labels and the deadline arithmetic the pages share.
import { t, locale } from './i18n.js';
import { explain, explainDeadline } from './labels.js';
import { chinaTime } from './calendar.js';

export { STATUS, CHANNEL, KIND, CATEGORY, REPLY_STATE, DEADLINE_LABEL } from './labels.js';

export const label = (table, code) => (table[code] ? t(...table[code]) : code || '—');

// The router's and the duplicate finder's explanations, in the page's language.
export const reason = (text) => explain(text, locale.value);
export const deadlineReason = (text) => explainDeadline(text, locale.value);

// The longest answer each channel takes and whether it publishes (docs/api.md).
export const ANSWER_LIMIT = { hotline12328: 2000, petition: 3000, mailbox: 5000, operator: 5000 };
export const answerLimit = (channel) => ANSWER_LIMIT[channel] || 5000;

// An instant in China time, as the API and the documents state it (…23:59, not 15:59 on a UTC
// machine).
export const time = (value) => (value ? chinaTime(value) ?? value : '—');

// on_time / due_soon / overdue, as the deadline watch calls them (due soon: watch.due_soon_working_days, 1 by default).
export function deadlineState(ticket, calendar) {
  if (!ticket.deadline) return 'none';
  const ended = ['answered', 'delivered', 'closed', 'withdrawn', 'merged', 'spam', 'reassigned_out'];
  if (ended.includes(ticket.status)) return 'done';
  if (new Date(ticket.deadline) < new Date()) return 'overdue';
  const left = calendar ? calendar.daysLeft(ticket.deadline) : null;
  return left !== null && left <= 1 ? 'due_soon' : 'on_time';
}

export const DEADLINE_TAG = {
  on_time: 'success',
  due_soon: 'warning',
  overdue: 'danger',
  done: 'info',
  none: 'info',
};

export function errorText(e) {
  return e?.message || String(e);
}
