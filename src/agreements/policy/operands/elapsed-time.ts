/**
 * `elapsedTime` (ODRL 2.2 Vocabulary §4.18: "A continuous elapsed time period which may be used
 * for exercising of the action of the Rule"): the time since the agreement became active
 * (`EvaluationContext.activatedAt` to `now`) against an xsd:duration (`P30D`, `PT12H`, `P1Y6M`).
 * Durations are added to the start on the calendar (XML Schema 1.1 Part 2, Appendix E: a month
 * added to 31 January ends on the last day of February), so `elapsedTime lt P1M` permits until
 * the same day of the next month. Without `activatedAt` the value is unknown (fail closed).
 * Negative durations and weeks (not xsd) are refused. Operators `lt`, `lteq`, `gt`, `gteq`.
 * Code: `elapsed_time_exceeded`.
 */
import { invalid } from '../errors.js';
import { daysInMonth } from './date-time.js';
import { compare, ORDER_OPERATORS, type OrderedFamily } from './operand.js';

const DURATION =
  /^P(?:(\d{1,4})Y)?(?:(\d{1,6})M)?(?:(\d{1,7})D)?(?:T(?:(\d{1,8})H)?(?:(\d{1,10})M)?(?:(\d{1,12})(?:\.(\d{1,3}))?S)?)?$/;

export interface Duration {
  readonly months: number;
  readonly millis: number;
}

const DAY = 86_400_000;

/** The months and the fixed part (days and time, in ms) of an xsd:duration; undefined when it is not one. */
export function parseDuration(text: string): Duration | undefined {
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const number = (index: number) => Number(match[index] ?? 0);
  const fraction = match[7] === undefined ? 0 : Number(match[7].padEnd(3, '0'));
  return {
    months: number(1) * 12 + number(2),
    millis: number(3) * DAY + number(4) * 3_600_000 + number(5) * 60_000 + number(6) * 1000 + fraction,
  };
}

/** `start + duration` on the calendar (months first, the day clamped to the month's length). */
export function addDuration(start: Date, duration: Duration): number {
  const year = start.getUTCFullYear();
  const month = start.getUTCMonth() + duration.months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = month % 12;
  const day = Math.min(start.getUTCDate(), daysInMonth(targetYear, targetMonth + 1));
  const shifted = new Date(start.getTime());
  shifted.setUTCFullYear(targetYear, targetMonth, day);
  return shifted.getTime() + duration.millis;
}

export const elapsedTime: OrderedFamily = {
  kind: 'ordered',
  leftOperand: 'elapsedTime',
  operators: ORDER_OPERATORS,
  dataTypes: ['duration', 'dayTimeDuration', 'yearMonthDuration'],
  code: 'elapsed_time_exceeded',
  integer: false,
  value(raw, path) {
    if (typeof raw !== 'string' || parseDuration(raw) === undefined)
      throw invalid(path, 'an elapsedTime is a non-negative xsd:duration, e.g. P30D or PT12H');
    return raw;
  },
  bounds(value) {
    const duration = parseDuration(String(value)) as Duration;
    // A month lasts 28 to 31 days; a year of months 365 or 366.
    const years = Math.floor(duration.months / 12);
    const months = duration.months % 12;
    const min = years * 365 * DAY + months * 28 * DAY + duration.millis;
    const max = years * 366 * DAY + months * 31 * DAY + duration.millis;
    return [min, max];
  },
  evaluate(constraint, _request, context) {
    if (context.activatedAt === undefined) return 'unknown';
    const end = addDuration(context.activatedAt, parseDuration(String(constraint.rightOperand)) as Duration);
    // elapsed ⋈ D  ⇔  activatedAt + elapsed ⋈ activatedAt + D  ⇔  now ⋈ end
    return compare(constraint.operator, context.now.getTime(), end) ? 'satisfied' : 'not_satisfied';
  },
};
