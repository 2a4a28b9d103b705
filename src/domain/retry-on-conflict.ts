import { TicketConflictError } from './tickets';

/** How a retried change ended: its value, or the conflict that every attempt lost. */
export type ConflictRetry<T> = { done: true; value: T } | { done: false; error: TicketConflictError };

/**
 * Optimistic concurrency in one place: runs `attempt` (load → apply → save) and, when the save
 * loses to another writer (TicketConflictError), runs it again on a fresh read, at most `times`
 * times in all. Any other error is thrown at once.
 */
export async function retryOnConflict<T>(times: number, attempt: (n: number) => Promise<T>): Promise<ConflictRetry<T>> {
  let lost: TicketConflictError | undefined;
  for (let n = 0; n < times; n++) {
    try {
      return { done: true, value: await attempt(n) };
    } catch (error) {
      if (!(error instanceof TicketConflictError)) throw error;
      lost = error;
    }
  }
  return { done: false, error: lost ?? new TicketConflictError('(not tried)') };
}
