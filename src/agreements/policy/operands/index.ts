/** The left operands of the profile, one family per file. */
import type { LeftOperand } from '../types.js';
import { count } from './count.js';
import { dateTime } from './date-time.js';
import { elapsedTime } from './elapsed-time.js';
import type { OperandFamily } from './operand.js';
import { purpose } from './purpose.js';
import { recipient } from './recipient.js';
import { spatial } from './spatial.js';

export const OPERAND_FAMILIES: Readonly<Record<LeftOperand, OperandFamily>> = Object.freeze({
  purpose,
  dateTime,
  spatial,
  count,
  recipient,
  elapsedTime,
});

export type { OperandFamily, OrderedFamily, SetFamily } from './operand.js';
export { takesList } from './operand.js';
