/**
 * Absolute times on cards: "Sun 22 Nov, 09:14 CET", always naming the zone (a card may be drawn
 * for one reader and read by another). Building a DateTimeFormat costs far more than using one,
 * so there is one per zone, kept; the cache is bounded because zones come from activities.
 */
const WHEN_OPTIONS: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false, timeZoneName: 'short' };
const MAX_FORMATTERS = 200;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-GB', { ...WHEN_OPTIONS, timeZone });
    } catch {
      // An unknown zone (from an activity) falls back to UTC, still named on the card.
      formatter = timeZone === 'UTC' ? new Intl.DateTimeFormat('en-GB', WHEN_OPTIONS) : formatterFor('UTC');
    }
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** `date` as "Sun 22 Nov, 09:14 CET" in `timeZone` (UTC when absent or unknown). */
export function formatInZone(date: Date, timeZone?: string): string {
  return formatterFor(timeZone || 'UTC').format(date);
}
