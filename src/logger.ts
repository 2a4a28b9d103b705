import pino from 'pino';

/**
 * The one logger type of the app: what every part is given (pino's logger fits, and tests can
 * pass a small object). Tokens and raw sign-in records are never passed to it.
 */
export interface Logger {
  debug?(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** One logger for the process. */
export function createLogger(level: string): pino.Logger {
  return pino({ level, base: { app: 'signin-helpdesk-bot' }, redact: ['*.authorization', '*.token', '*.password', 'headers.authorization'] });
}
