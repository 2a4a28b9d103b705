import { systemClock, type Clock } from '../domain/clock';
import type { IncidentCardModel } from '../cards';
import { sharedWhen } from '../desk/shared-time';
import { detectIncidents, INCIDENT_THRESHOLD, INCIDENT_WINDOW_MINUTES, type IncidentSignal } from '../domain/incidents';
import type { OutboxStore, SettingsStore } from '../domain/outbox';
import { getPlaybook } from '../domain/playbooks';

/**
 * Signals are kept per cause and signature (one settings entry each): a new signal can only make
 * an incident of its own kind, so a record reads and writes that one short list, never the whole
 * tenant's history (during a burst of one kind that list is all a record pays for).
 */
const SIGNALS_KEY_PREFIX = 'incident-signals:';
/** Latest signals kept per kind: more than any card lists, bounded so a burst costs the same at its 10th and its 1,000th report. */
const MAX_SIGNALS_PER_KIND = 100;

/**
 * Watches diagnoses and tickets for a shared cause and signal (same failing policy or Entra code)
 * across several people in a short window, and posts one "possible tenant-wide problem" card.
 */
export class IncidentWatch {
  constructor(
    private readonly deps: {
      settings: SettingsStore;
      outbox: OutboxStore;
      kick: () => void;
      threshold?: number;
      windowMinutes?: number;
      clock?: Clock;
      /** HELPDESK_TIME_ZONE, for the card's times (UTC when absent). */
      timeZone?: string;
    },
  ) {}

  async record(signal: IncidentSignal): Promise<void> {
    const now = (this.deps.clock ?? systemClock)();
    const windowMinutes = this.deps.windowMinutes ?? INCIDENT_WINDOW_MINUTES;
    const from = now.getTime() - windowMinutes * 60_000;
    // An unknown cause never makes an incident: nothing to keep.
    if (signal.causeId === 'unknown') return;
    const key = `${SIGNALS_KEY_PREFIX}${signal.causeId}|${signal.signature}`;
    const kept = ((await this.deps.settings.get<IncidentSignal[]>(key)) ?? []).filter((s) => Date.parse(s.at) >= from);
    // A ticket for someone already counted enriches their signal instead of counting twice.
    const same = kept.find((s) => s.requesterId === signal.requesterId && s.causeId === signal.causeId && s.signature === signal.signature);
    if (same) same.ticketId ??= signal.ticketId;
    else kept.push(signal);
    await this.deps.settings.set(key, kept.slice(-MAX_SIGNALS_PER_KIND));

    for (const incident of detectIncidents(kept, now, this.deps.threshold ?? INCIDENT_THRESHOLD, windowMinutes)) {
      const postedKey = `incident-posted:${incident.causeId}|${incident.signature}`;
      const posted = await this.deps.settings.get<string>(postedKey);
      if (posted && Date.parse(posted) >= from) continue;
      await this.deps.settings.set(postedKey, now.toISOString());
      const people = new Map(incident.signals.map((s) => [s.requesterId, s]));
      const model: IncidentCardModel = {
        title: 'Possible tenant-wide problem',
        summary: `${people.size} people hit the same problem within ${windowMinutes} minutes. Check the shared cause before working the tickets one by one.`,
        causeTitle: getPlaybook(incident.causeId).title,
        signature: incident.signature,
        count: people.size,
        windowMinutes,
        tickets: [...people.values()]
          .filter((s) => s.ticketId)
          .map((s) => ({ ticketId: s.ticketId!, requesterName: s.requesterName, when: sharedWhen(s.at, now, this.deps.timeZone), at: s.at })),
        employees: [...people.values()].filter((s) => !s.ticketId).map((s) => s.requesterName),
      };
      await this.deps.outbox.enqueue('incident-card', { incident: model }, now.getTime());
      this.deps.kick();
    }
  }
}
