import assert from 'node:assert/strict';
import {
  formatPeriod,
  hasPeriodEnded,
  isValidPeriod,
  isValidTimeZone,
  localDateTime,
  parsePeriod,
  periodBounds,
  periodOf,
  previousPeriod,
  reviewDeadline,
  shiftPeriod,
  timeZoneOffsetMs,
} from '../../domain/periods';

const iso = (date: Date): string => date.toISOString();
const at = (text: string): Date => new Date(text);

function assertBounds(period: string, timeZone: string, start: string, end: string): void {
  const bounds = periodBounds(period, timeZone);
  assert.equal(iso(bounds.start), start, `start of ${period} in ${timeZone}`);
  assert.equal(iso(bounds.end), end, `end of ${period} in ${timeZone}`);
}

describe('periods: parsing and formatting', () => {
  it('parses a strict YYYY-MM period', () => {
    assert.deepEqual(parsePeriod('2026-01'), { year: 2026, month: 1 });
    assert.deepEqual(parsePeriod('2999-12'), { year: 2999, month: 12 });
  });

  it('refuses anything but YYYY-MM with month 01-12 and year 2000-2999', () => {
    for (const text of ['2026-1', '2026-13', '2026-00', '1999-12', '3000-01', '26-01', '2026-01-01', ' 2026-01', '2026-01 ', '', '2026/01', '２０２６-01']) {
      assert.equal(parsePeriod(text), undefined, JSON.stringify(text));
      assert.equal(isValidPeriod(text), false);
    }
  });

  it('formats with zero padding and round-trips', () => {
    assert.equal(formatPeriod({ year: 2026, month: 3 }), '2026-03');
    assert.equal(formatPeriod(parsePeriod('2031-11')!), '2031-11');
  });

  it('shifts periods across year boundaries', () => {
    assert.equal(shiftPeriod('2026-12', 1), '2027-01');
    assert.equal(shiftPeriod('2026-01', -1), '2025-12');
    assert.equal(shiftPeriod('2026-05', -17), '2024-12');
    assert.throws(() => shiftPeriod('2026-13', 1), RangeError);
  });
});

describe('periods: time zones', () => {
  it('accepts IANA zones and refuses unknown ones', () => {
    for (const tz of ['UTC', 'Europe/Madrid', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata']) {
      assert.equal(isValidTimeZone(tz), true, tz);
    }
    for (const tz of ['', ' ', 'Mars/Olympus', 'Europe/Madird', 'UTC+25']) {
      assert.equal(isValidTimeZone(tz), false, tz);
    }
  });

  it('reads offsets, including non-hour ones', () => {
    assert.equal(timeZoneOffsetMs(Date.parse('2026-01-15T12:00:00Z'), 'Asia/Kolkata'), 5.5 * 3_600_000);
    assert.equal(timeZoneOffsetMs(Date.parse('2026-01-15T12:00:00Z'), 'America/New_York'), -5 * 3_600_000);
    assert.equal(timeZoneOffsetMs(Date.parse('2026-07-15T12:00:00Z'), 'America/New_York'), -4 * 3_600_000);
  });

  it('gives the wall clock of an instant, midnight as hour 0', () => {
    assert.deepEqual(localDateTime(at('2026-03-01T05:00:00Z'), 'America/New_York'), {
      year: 2026,
      month: 3,
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
    });
  });

  it('refuses an unknown zone or an invalid date', () => {
    assert.throws(() => periodBounds('2026-01', 'Mars/Olympus'), RangeError);
    assert.throws(() => periodOf(new Date(Number.NaN), 'UTC'), RangeError);
  });
});

describe('periods: D1 month boundaries in the billing time zone', () => {
  it('D1: UTC months are calendar months in UTC (the default zone)', () => {
    assertBounds('2026-01', 'UTC', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z');
    assertBounds('2028-02', 'UTC', '2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z');
    assertBounds('2026-12', 'UTC', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z');
  });

  it('D1: America/New_York, a month containing the spring-forward change (EST start, EDT end)', () => {
    assertBounds('2026-03', 'America/New_York', '2026-03-01T05:00:00.000Z', '2026-04-01T04:00:00.000Z');
  });

  it('D1: America/New_York, a month containing the fall-back change (EDT start, EST end)', () => {
    assertBounds('2026-11', 'America/New_York', '2026-11-01T04:00:00.000Z', '2026-12-01T05:00:00.000Z');
  });

  it('D1: Europe/Madrid across both DST changes', () => {
    assertBounds('2026-03', 'Europe/Madrid', '2026-02-28T23:00:00.000Z', '2026-03-31T22:00:00.000Z');
    assertBounds('2026-10', 'Europe/Madrid', '2026-09-30T22:00:00.000Z', '2026-10-31T23:00:00.000Z');
  });

  it('D1: Asia/Kolkata, a half-hour offset', () => {
    assertBounds('2026-01', 'Asia/Kolkata', '2025-12-31T18:30:00.000Z', '2026-01-31T18:30:00.000Z');
  });

  it('D1: Asia/Kathmandu, a quarter-hour offset', () => {
    assertBounds('2026-01', 'Asia/Kathmandu', '2025-12-31T18:15:00.000Z', '2026-01-31T18:15:00.000Z');
  });

  it('D1: consecutive periods tile time with no gap and no overlap', () => {
    for (const tz of ['UTC', 'America/New_York', 'Europe/Madrid', 'Asia/Kolkata', 'America/Santiago']) {
      let period = '2025-01';
      for (let i = 0; i < 24; i += 1) {
        const next = shiftPeriod(period, 1);
        assert.equal(iso(periodBounds(period, tz).end), iso(periodBounds(next, tz).start), `${period} in ${tz}`);
        period = next;
      }
    }
  });

  it('D1: the last period of the range still has an end', () => {
    assertBounds('2999-12', 'UTC', '2999-12-01T00:00:00.000Z', '3000-01-01T00:00:00.000Z');
  });

  it('refuses an invalid period', () => {
    assert.throws(() => periodBounds('2026-13', 'UTC'), RangeError);
  });
});

describe('periods: which period an instant belongs to (D1)', () => {
  it('D1: an intervention closed 2026-01-31 23:30 in Buenos Aires (02:30Z next day) counts in 2026-01', () => {
    assert.equal(periodOf(at('2026-02-01T02:30:00Z'), 'America/Argentina/Buenos_Aires'), '2026-01');
    assert.equal(periodOf(at('2026-02-01T02:30:00Z'), 'UTC'), '2026-02');
  });

  it('D1: an intervention closed 2026-02-01 00:30 in Madrid (23:30Z the day before) counts in 2026-02', () => {
    assert.equal(periodOf(at('2026-01-31T23:30:00Z'), 'Europe/Madrid'), '2026-02');
  });

  it('D1: the bounds are half-open: start belongs to the period, end to the next', () => {
    const { start, end } = periodBounds('2026-03', 'America/New_York');
    assert.equal(periodOf(start, 'America/New_York'), '2026-03');
    assert.equal(periodOf(new Date(end.getTime() - 1), 'America/New_York'), '2026-03');
    assert.equal(periodOf(end, 'America/New_York'), '2026-04');
  });

  it('B1: the previous period is the month that just ended as seen at the instant', () => {
    assert.equal(previousPeriod(at('2026-03-01T00:00:00Z'), 'UTC'), '2026-02');
    assert.equal(previousPeriod(at('2026-01-01T00:05:00Z'), 'UTC'), '2025-12');
    // 2026-03-01T02:00Z is still February in New York, so January just ended there.
    assert.equal(previousPeriod(at('2026-03-01T02:00:00Z'), 'America/New_York'), '2026-01');
  });
});

describe('periods: hasPeriodEnded (a run for a month not yet ended is refused)', () => {
  it('is false during the month and true from the first instant of the next one', () => {
    const tz = 'America/Argentina/Buenos_Aires';
    assert.equal(hasPeriodEnded('2026-01', at('2026-01-15T12:00:00Z'), tz), false);
    assert.equal(hasPeriodEnded('2026-01', at('2026-02-01T02:59:59.999Z'), tz), false);
    assert.equal(hasPeriodEnded('2026-01', at('2026-02-01T03:00:00Z'), tz), true);
    assert.equal(hasPeriodEnded('2025-12', at('2026-01-15T12:00:00Z'), tz), true);
    assert.equal(hasPeriodEnded('2026-02', at('2026-01-15T12:00:00Z'), tz), false);
  });
});

describe('periods: D4 review deadline', () => {
  it('D4: decisions on a period are due by the end of day 10 of the following month', () => {
    assert.equal(iso(reviewDeadline('2026-01', 'UTC')), '2026-02-11T00:00:00.000Z');
    assert.equal(iso(reviewDeadline('2026-12', 'UTC')), '2027-01-11T00:00:00.000Z');
  });

  it('D4: the deadline is the start of day 11 in the billing zone', () => {
    assert.equal(iso(reviewDeadline('2026-01', 'Europe/Madrid')), '2026-02-10T23:00:00.000Z');
    assert.equal(iso(reviewDeadline('2026-01', 'Asia/Kolkata')), '2026-02-10T18:30:00.000Z');
    // March 2026: New York is on EDT (-4) by 11 March, the DST change having been on the 8th.
    assert.equal(iso(reviewDeadline('2026-02', 'America/New_York')), '2026-03-11T04:00:00.000Z');
  });

  it('D4: the day of month is configurable and clamps to the month length', () => {
    assert.equal(iso(reviewDeadline('2026-01', 'UTC', 5)), '2026-02-06T00:00:00.000Z');
    assert.equal(iso(reviewDeadline('2026-01', 'UTC', 31)), '2026-03-01T00:00:00.000Z');
    assert.throws(() => reviewDeadline('2026-01', 'UTC', 0), RangeError);
    assert.throws(() => reviewDeadline('2026-01', 'UTC', 2.5), RangeError);
  });

  it('D4: a day whose local midnight is skipped by DST starts when the clocks jump (America/Santiago)', () => {
    // Chile moved from -04 to -03 at local midnight on 2026-09-06: that day starts at 01:00 local, 04:00Z.
    assert.equal(iso(reviewDeadline('2026-08', 'America/Santiago', 5)), '2026-09-06T04:00:00.000Z');
  });
});
