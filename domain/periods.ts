/**
 * Billing periods (`YYYY-MM`) whose month boundaries are computed in an IANA time zone (D1: an
 * intervention counts in the calendar month of its closing, in the billing time zone,
 * `RHS_BILLING_TIMEZONE`, default UTC).
 *
 * Pure and deterministic: no I/O, no clock (callers pass `now`), only `Intl`, which the Temporal
 * workflow sandbox provides. Safe to import from workflow code.
 */

export interface Period {
  year: number;
  month: number;
}

/** Wall-clock fields of an instant as seen in a time zone. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const PERIOD_PATTERN = /^(\d{4})-(\d{2})$/;
const MIN_YEAR = 2000;
const MAX_YEAR = 2999;
const DAY_MS = 86_400_000;

/** Strict `YYYY-MM`, month 01-12, year 2000-2999; anything else is `undefined`. */
export function parsePeriod(text: string): Period | undefined {
  const match = PERIOD_PATTERN.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) return undefined;
  return { year, month };
}

export function formatPeriod(period: Period): string {
  return `${String(period.year).padStart(4, '0')}-${String(period.month).padStart(2, '0')}`;
}

export function isValidPeriod(text: string): boolean {
  return parsePeriod(text) !== undefined;
}

/** The period `months` months after (negative: before) `period`. */
export function shiftPeriod(period: string, months: number): string {
  return formatPeriod(addMonths(requirePeriod(period), months));
}

export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Half-open [start, end): the first instant of the month in `timeZone` and the first instant of the next. */
export function periodBounds(period: string, timeZone: string): { start: Date; end: Date } {
  const { year, month } = requirePeriod(period);
  const next = addMonths({ year, month }, 1);
  return {
    start: new Date(firstInstantOfLocalDate(year, month, 1, timeZone)),
    end: new Date(firstInstantOfLocalDate(next.year, next.month, 1, timeZone)),
  };
}

/** The period the instant falls in, as seen in `timeZone`. */
export function periodOf(instant: Date, timeZone: string): string {
  const local = localDateTime(instant, timeZone);
  return formatPeriod({ year: local.year, month: local.month });
}

/** The month that just ended as seen at `instant` (what the monthly run at the start of a month bills, B1). */
export function previousPeriod(instant: Date, timeZone: string): string {
  return shiftPeriod(periodOf(instant, timeZone), -1);
}

/** True once `now` has reached the first instant of the following month (a run before that is refused). */
export function hasPeriodEnded(period: string, now: Date, timeZone: string): boolean {
  return requireValidDate(now).getTime() >= periodBounds(period, timeZone).end.getTime();
}

/**
 * The D4 decision due date: the end of day `dayOfMonth` of the month AFTER the period, i.e. the instant
 * day `dayOfMonth + 1` begins in `timeZone`. A day beyond the month's length means its last day.
 */
export function reviewDeadline(period: string, timeZone: string, dayOfMonth = 10): Date {
  if (!Number.isInteger(dayOfMonth) || dayOfMonth < 1 || dayOfMonth > 31) {
    throw new RangeError(`dayOfMonth must be an integer from 1 to 31, got ${dayOfMonth}`);
  }
  const review = addMonths(requirePeriod(period), 1);
  const lastDay = daysInMonth(review.year, review.month);
  // Date.UTC normalises "last day + 1" into the first day of the following month.
  const dayAfter = new Date(Date.UTC(review.year, review.month - 1, Math.min(dayOfMonth, lastDay) + 1));
  return new Date(
    firstInstantOfLocalDate(dayAfter.getUTCFullYear(), dayAfter.getUTCMonth() + 1, dayAfter.getUTCDate(), timeZone),
  );
}

/** Wall-clock fields of `instant` in `timeZone`. */
export function localDateTime(instant: Date, timeZone: string): LocalDateTime {
  const parts = formatterFor(timeZone).formatToParts(requireValidDate(instant));
  const field = (type: Intl.DateTimeFormatPartTypes): number => {
    const part = parts.find((p) => p.type === type);
    if (!part) throw new Error(`Intl gave no ${type} for ${timeZone}`);
    return Number(part.value);
  };
  return {
    year: field('year'),
    month: field('month'),
    day: field('day'),
    // Some engines print midnight as 24 even with h23; it is the same instant as 00.
    hour: field('hour') % 24,
    minute: field('minute'),
    second: field('second'),
  };
}

/** Offset of `timeZone` from UTC at `epochMs`, in ms (positive east of Greenwich). */
export function timeZoneOffsetMs(epochMs: number, timeZone: string): number {
  // Intl works to the second; compare like with like so sub-second instants give whole offsets.
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  const local = localDateTime(new Date(wholeSecond), timeZone);
  return wallClockAsUtcMs(local) - wholeSecond;
}

// ---------------------------------------------------------------------------------------------

// Creating a DateTimeFormat is costly and the result is deterministic for a zone, so cache it.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    if (!isValidTimeZone(timeZone)) throw new RangeError(`Unknown time zone: ${JSON.stringify(timeZone)}`);
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClockAsUtcMs(local: LocalDateTime): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
}

function localDateKey(epochMs: number, timeZone: string): number {
  const local = localDateTime(new Date(epochMs), timeZone);
  return local.year * 10_000 + local.month * 100 + local.day;
}

/**
 * The first instant (epoch ms) whose local date in `timeZone` is year-month-day.
 * Usually local midnight; when a DST change skips midnight (e.g. America/Santiago) it is the moment the
 * clocks jump; when midnight happens twice it is the earlier one.
 */
function firstInstantOfLocalDate(year: number, month: number, day: number, timeZone: string): number {
  const localMidnight = Date.UTC(year, month - 1, day);
  // A zone changes offset at most once around a given day, so the offsets one day either side cover it.
  const offsets = unique([
    timeZoneOffsetMs(localMidnight - DAY_MS, timeZone),
    timeZoneOffsetMs(localMidnight, timeZone),
    timeZoneOffsetMs(localMidnight + DAY_MS, timeZone),
  ]);
  const exact = offsets
    .map((offset) => localMidnight - offset)
    .filter((candidate) => wallClockAsUtcMs(localDateTime(new Date(candidate), timeZone)) === localMidnight);
  if (exact.length > 0) return Math.min(...exact);
  return firstInstantAfterSkippedMidnight(localMidnight, offsets, timeZone);
}

/** Midnight does not exist that day: search for the jump between the earliest and latest candidates. */
function firstInstantAfterSkippedMidnight(localMidnight: number, offsets: number[], timeZone: string): number {
  const target = localDateKey(localMidnight, 'UTC');
  let before = localMidnight - Math.max(...offsets); // still the previous local date
  let after = localMidnight - Math.min(...offsets); // already the target date
  if (localDateKey(before, timeZone) >= target || localDateKey(after, timeZone) < target) {
    throw new Error(`Cannot locate the start of ${target} in ${timeZone}`);
  }
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (localDateKey(middle, timeZone) >= target) after = middle;
    else before = middle;
  }
  return after;
}

function addMonths(period: Period, months: number): Period {
  const index = period.year * 12 + (period.month - 1) + months;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function unique(values: number[]): number[] {
  return [...new Set(values)];
}

function requirePeriod(period: string): Period {
  const parsed = parsePeriod(period);
  if (!parsed) throw new RangeError(`Invalid period ${JSON.stringify(period)}: expected YYYY-MM`);
  return parsed;
}

function requireValidDate(instant: Date): Date {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new RangeError('Invalid date');
  }
  return instant;
}
