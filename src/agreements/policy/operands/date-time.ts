/**
 * `dateTime` (ODRL 2.2 Vocabulary §4.18: "The date (and optional time and timezone) of
 * exercising the action of the Rule"): the evaluation time (`EvaluationContext.now`) against an
 * instant. The right operand must be an xsd:dateTime WITH a time-zone offset (`Z` or `±hh:mm`):
 * a floating time means different instants in different places, so it is refused. Values are
 * normalised to UTC (`toISOString()`), so `2027-01-01T01:00:00+01:00` and
 * `2027-01-01T00:00:00Z` are the same value. Operators `lt`, `lteq`, `gt`, `gteq` (equality
 * with an instant to the millisecond is never met in practice and is refused). Code:
 * `outside_period`.
 */
import { invalid } from '../errors.js';
import { compare, ORDER_OPERATORS, type OrderedFamily } from './operand.js';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Milliseconds since the epoch of an xsd:dateTime with offset (the RFC 3339 §5.6 `date-time`
 * with an upper-case `T` and `Z`), or undefined when it is not one or not a real instant: a
 * day past its month's end (`2030-02-30`, `04-31`), month 13, hour 24, minute or second 60 (no
 * leap seconds), an offset past ±14:59. Never rolled over. Every date-time an agreement takes
 * from input is read here: policies' `dateTime` and `timestamp`, a proposal's `endsAt`, the
 * check's `at`.
 */
export function parseInstant(text: string): number | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone, sign, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0;
  let offset = 0;
  if (zone !== 'Z') {
    if (Number(oh) > 14 || Number(om) > 59) return undefined;
    offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute - offset, second, millis);
  return utc.getTime();
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export const dateTime: OrderedFamily = {
  kind: 'ordered',
  leftOperand: 'dateTime',
  operators: ORDER_OPERATORS,
  dataTypes: ['dateTime', 'dateTimeStamp'],
  code: 'outside_period',
  integer: false,
  value(raw, path) {
    const instant = typeof raw === 'string' ? parseInstant(raw) : undefined;
    if (instant === undefined)
      throw invalid(path, 'a dateTime is an xsd:dateTime with a time-zone offset, e.g. 2027-01-01T00:00:00Z');
    return new Date(instant).toISOString();
  },
  bounds(value) {
    const instant = Date.parse(String(value));
    return [instant, instant];
  },
  evaluate(constraint, _request, context) {
    const right = Date.parse(String(constraint.rightOperand));
    return compare(constraint.operator, context.now.getTime(), right) ? 'satisfied' : 'not_satisfied';
  },
};
