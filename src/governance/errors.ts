import { ProblemError } from '../http/errors.js';

/** Refusals of governance and membership requests: problem+json with a stable code; nothing changes. */
export class GovernanceError extends ProblemError {
  constructor(status: number, code: string, detail: string, extensions?: Record<string, unknown>) {
    super(status, code, TITLES[status] ?? 'Refused', detail, extensions);
    this.name = 'GovernanceError';
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  422: 'Unprocessable content',
};
