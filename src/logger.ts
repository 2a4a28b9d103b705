import pino, { type Logger } from 'pino';

/** One logger for the process. Tokens and raw sign-in records are never passed to it. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'signin-helpdesk-bot' }, redact: ['*.authorization', '*.token', '*.password', 'headers.authorization'] });
}
