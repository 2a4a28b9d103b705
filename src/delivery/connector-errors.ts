import { PermanentDeliveryError } from '../domain/outbox';

/** How the Bot Connector's answers are read: size refusals, permanent failures, proof that nothing was posted. */

/** The connector kept refusing a card for its size even after the smallest re-render (it did not post it). */
export class CardTooLargeError extends Error {
  readonly statusCode = 413;
  constructor(bytes: number) {
    super(`the connector still refused the card as too large at ${bytes} bytes`);
    this.name = 'CardTooLargeError';
  }
}

/** The HTTP status of a Bot Connector (or wrapped) error, if it carries one. */
export function httpStatusOf(error: unknown): number | undefined {
  for (let e = error as { statusCode?: unknown; status?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.statusCode === 'number') return e.statusCode;
    if (typeof e.status === 'number') return e.status;
  }
  return undefined;
}

/** True when the connector refused a message for its size (413, or 400 saying so). */
export function isTooLarge(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status === 413) return true;
  const e = error as { code?: unknown; message?: unknown };
  const word = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
  return status === 400 && /too\s*(large|big)|size/i.test(`${word(e?.code)} ${word(e?.message)}`);
}

/** Errors a retry cannot fix become PermanentDeliveryError; the rest pass through unchanged. */
export function classify(error: unknown): unknown {
  const status = httpStatusOf(error);
  if (status === 403 || status === 404) {
    const why = status === 403 ? 'the bot is not allowed there (removed from the team or chat, or blocked)' : 'the conversation or message no longer exists';
    return new PermanentDeliveryError(`the Bot Connector answered ${status}: ${why}`, { cause: error });
  }
  return error;
}

/**
 * True when the connector answered in a way that proves the message was not posted (so a retry
 * may post without warning). A timeout, a dropped connection or a gateway error proves nothing.
 */
export function definitelyNotPosted(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status !== undefined && ((status >= 400 && status < 500) || status === 503);
}
