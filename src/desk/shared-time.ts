/**
 * Times on the cards the help desk channel shares (the agent ticket card, the ticket list, the
 * incident card): relative to `now` ("12 min ago") with the absolute time in the help desk's own
 * zone (HELPDESK_TIME_ZONE). Never a viewer's `localTimezone`: one message is seen by every
 * agent, so the same ticket rendered at the same instant must read the same for all of them.
 */
import { formatInZone } from '../cards/when-format';

/**
 * How long ago, coarsely: "just now" (under a minute, or a little in the future from clock
 * skew), "12 min ago", "3 h ago", "2 d ago". Whole units, rounded down.
 */
export function relativeTime(elapsedMs: number): string {
  if (!Number.isFinite(elapsedMs) || elapsedMs < 60_000) return 'just now';
  const minutes = Math.floor(elapsedMs / 60_000);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/**
 * A time on a shared card: "12 min ago (Tue 3 Mar, 14:05 CET)", the absolute part in
 * `timeZone` and always naming it. An unreadable date is shown as it is, bounded.
 */
export function sharedWhen(at: string | Date, now: Date, timeZone = 'UTC'): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  if (!Number.isFinite(date.getTime())) return String(at).slice(0, 40);
  return `${relativeTime(now.getTime() - date.getTime())} (${formatInZone(date, timeZone)})`;
}
