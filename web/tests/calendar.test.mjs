// China calendar dates whatever the machine's time zone (run with TZ set far from China).
import test from 'node:test';
import assert from 'node:assert/strict';
import { WorkCalendar, chinaDate, chinaMonthStart, chinaTime, datesBetween, recentMonths } from '../src/calendar.js';

test('an instant after 16:00 UTC is already the next day in China', () => {
  assert.equal(chinaDate(new Date('2026-12-06T16:25:00Z')), '2026-12-07');
  assert.equal(chinaDate(new Date('2026-12-06T15:59:59Z')), '2026-12-06');
  assert.equal(chinaTime('2026-12-31T16:00:00Z'), '2027-01-01 00:00');
  assert.equal(chinaTime('not a time'), null);
});

test('the default statistics range ends on the China date and starts on a China month', () => {
  assert.deepEqual(recentMonths(6, new Date('2026-12-06T16:25:00Z')), ['2026-07-01', '2026-12-07']);
  assert.deepEqual(recentMonths(1, new Date('2026-11-30T17:00:00Z')), ['2026-12-01', '2026-12-01']);
  assert.equal(chinaMonthStart(12, new Date('2026-01-15T00:00:00Z')), '2025-01-01');
});

test('dates between two days carry their weekday', () => {
  assert.deepEqual([...datesBetween('2026-12-31', '2027-01-02')], [
    { date: '2026-12-31', weekday: 4 },
    { date: '2027-01-01', weekday: 5 },
  ]);
  assert.deepEqual([...datesBetween('2026-01-02', '2026-01-02')], []);
});

test('working days left count China dates across holidays and make-up days', () => {
  // 2026: 1 Jan to 3 Jan off, Sunday 4 Jan worked (the published calendar).
  const cal = new WorkCalendar({
    days: [
      { date: '2026-01-01', off: true },
      { date: '2026-01-02', off: true },
      { date: '2026-01-03', off: true },
      { date: '2026-01-04', off: false },
    ],
  });
  const deadline = '2026-01-06T15:59:00Z'; // Tuesday 23:59 in China
  // Wednesday 31 Dec 2025, 17:00 UTC is Thursday 1 Jan in China: 1-3 Jan off, 4 and 5 Jan worked.
  assert.equal(cal.daysLeft(deadline, new Date('2025-12-31T17:00:00Z')), 2);
  assert.equal(cal.daysLeft(deadline, new Date('2025-12-31T15:00:00Z')), 3);
  assert.equal(cal.daysLeft('2026-01-05T15:59:00Z', new Date('2026-01-07T02:00:00Z')), -2);
});
