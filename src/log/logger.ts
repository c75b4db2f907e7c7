import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/index.js';

export type { Logger } from 'pino';

/**
 * Structured JSON logs on stdout. Anything that looks like a secret is redacted even if a
 * caller passes it by mistake; secrets are meant never to reach the logger at all.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'dataspace-trust' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'keyEncryptionSecret',
          '*.keyEncryptionSecret',
          'secret',
          '*.secret',
          'privateKey',
          '*.privateKey',
          'privateKeyHex',
          '*.privateKeyHex',
          'req.headers.authorization',
          'req.headers.cookie',
          'client_secret',
          '*.client_secret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
