import type { CauseId } from './causes';

/** One diagnosis or ticket, reduced to what incident detection compares. */
export interface IncidentSignal {
  at: string;
  causeId: CauseId;
  /** What the reports share beyond the cause: a failing policy name or an Entra error code. */
  signature: string;
  requesterId: string;
  requesterName: string;
  ticketId?: string;
}

/** A cluster of reports that look like one tenant-wide problem. */
export interface Incident {
  causeId: CauseId;
  signature: string;
  signals: IncidentSignal[];
}

/** Defaults: three different people within 30 minutes. */
export const INCIDENT_THRESHOLD = 3;
export const INCIDENT_WINDOW_MINUTES = 30;

/** The signature of a diagnosis: the failing policy, else the newest Entra code, else none. */
export function incidentSignature(failedPolicies: string[], latestCode: number | undefined): string | undefined {
  if (failedPolicies.length) return `policy: ${[...failedPolicies].sort().join(', ')}`;
  if (latestCode !== undefined && latestCode !== 0) return `Entra code ${latestCode}`;
  return undefined;
}

/**
 * Finds clusters: at least `threshold` different people with the same cause and signature within
 * the window ending now. Returns the largest cluster per (cause, signature).
 */
export function detectIncidents(signals: IncidentSignal[], now: Date, threshold = INCIDENT_THRESHOLD, windowMinutes = INCIDENT_WINDOW_MINUTES): Incident[] {
  const from = now.getTime() - windowMinutes * 60_000;
  const groups = new Map<string, IncidentSignal[]>();
  for (const s of signals) {
    if (Date.parse(s.at) < from || s.causeId === 'unknown') continue;
    const key = `${s.causeId}|${s.signature}`;
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  const incidents: Incident[] = [];
  for (const group of groups.values()) {
    const people = new Set(group.map((s) => s.requesterId));
    if (people.size >= threshold) incidents.push({ causeId: group[0]!.causeId, signature: group[0]!.signature, signals: group });
  }
  return incidents;
}
