// Calendar dates in China time (UTC+8, no daylight saving), whatever the browser's time zone, and
// working days on the hub's holiday calendar. The hub counts days, deadlines and statistics periods
// in China time: a browser on a UTC machine after 16:00 UTC is already on the next day.
// No browser APIs here, so node tests it directly (web/tests/calendar.test.mjs).
const OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
const pad = (n) => String(n).padStart(2, '0');

// A Date whose UTC fields read as the China wall clock of the instant.
const shifted = (instant) => new Date(new Date(instant).getTime() + OFFSET_MS);
const dayOf = (utc) => `${utc.getUTCFullYear()}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}`;

// "YYYY-MM-DD HH:MM" in China time; null for a value that is not an instant.
export function chinaTime(value) {
  const c = shifted(value);
  if (Number.isNaN(c.getTime())) return null;
  return `${dayOf(c)} ${pad(c.getUTCHours())}:${pad(c.getUTCMinutes())}`;
}

// The China calendar date ("YYYY-MM-DD") of an instant.
export const chinaDate = (instant = new Date()) => dayOf(shifted(instant));

// The first day of the month `monthsBack` months before the China month of `now`.
export function chinaMonthStart(monthsBack = 0, now = new Date()) {
  const c = shifted(now);
  return dayOf(new Date(Date.UTC(c.getUTCFullYear(), c.getUTCMonth() - monthsBack, 1)));
}

// The dates from `from` (inclusive) to `to` (exclusive), both "YYYY-MM-DD", with their weekday
// (0 = Sunday).
export function* datesBetween(from, to) {
  const end = Date.parse(to + 'T00:00:00Z');
  for (let t = Date.parse(from + 'T00:00:00Z'); t < end; t += DAY_MS) {
    const d = new Date(t);
    yield { date: dayOf(d), weekday: d.getUTCDay() };
  }
}

// The last `months` months up to today, as China dates (the statistics API reads from/to so).
export function recentMonths(months = 6, now = new Date()) {
  return [chinaMonthStart(months - 1, now), chinaDate(now)];
}

// Working days from the holiday calendar (GET /api/v1/calendar): weekdays unless listed off,
// listed make-up days count.
export class WorkCalendar {
  constructor(doc) {
    this.days = new Map();
    for (const d of doc?.days || []) this.days.set(d.date, !d.off);
  }
  working({ date, weekday }) {
    const listed = this.days.get(date);
    if (listed !== undefined) return listed;
    return weekday !== 0 && weekday !== 6;
  }
  // Whole working days between the China dates of now and of the deadline; negative when past it.
  daysLeft(deadline, now = new Date()) {
    if (!deadline) return null;
    const end = new Date(deadline);
    const sign = end >= now ? 1 : -1;
    const [a, b] = sign > 0 ? [now, end] : [end, now];
    let n = 0;
    for (const day of datesBetween(chinaDate(a), chinaDate(b))) {
      if (this.working(day)) n++;
    }
    return sign * n;
  }
}
