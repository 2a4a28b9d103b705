import type { Activity } from 'botbuilder';
import { z } from 'zod';

/**
 * The shape an activity must have before the bot runs a turn for it. Teams always sends these
 * fields; anything else is refused with 400 at the edge instead of failing inside a turn. Only
 * the fields the bot reads are typed; everything else passes through untouched.
 */

const id = z.string().min(1).max(1024);
const optionalString = (max: number) => z.string().max(max).optional().nullable();
const account = z.object({ id, name: optionalString(1024), aadObjectId: optionalString(256), role: optionalString(64) }).passthrough();
const entity = z.object({ type: z.string().max(256) }).passthrough();

const activitySchema = z
  .object({
    type: z.string().min(1).max(64),
    id: optionalString(1024),
    name: optionalString(256),
    channelId: z.string().min(1).max(64),
    serviceUrl: z.string().min(1).max(2048),
    conversation: z.object({ id, conversationType: optionalString(64), tenantId: optionalString(256), isGroup: z.boolean().optional().nullable() }).passthrough(),
    from: account,
    recipient: account,
    text: optionalString(1_000_000),
    textFormat: optionalString(64),
    locale: optionalString(64),
    localTimezone: optionalString(128),
    replyToId: optionalString(1024),
    timestamp: optionalString(64),
    localTimestamp: optionalString(64),
    expiration: optionalString(64),
    channelData: z.record(z.unknown()).optional().nullable(),
    entities: z.array(entity).max(256).optional().nullable(),
    attachments: z
      .array(z.object({ contentType: z.string().max(256) }).passthrough())
      .max(64)
      .optional()
      .nullable(),
    membersAdded: z.array(account).max(1000).optional().nullable(),
    membersRemoved: z.array(account).max(1000).optional().nullable(),
  })
  .passthrough();

/** The result of reading a request body as an activity. */
export type InboundActivity = { ok: true; activity: Activity } | { ok: false; problem: string };

/** True when the body is a JSON object carrying a string `type` (the minimum to even authenticate it). */
export function looksLikeActivity(body: unknown): body is Record<string, unknown> & { type: string } {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && typeof (body as { type?: unknown }).type === 'string' && (body as { type: string }).type.length > 0;
}

/** Zones already checked (a DateTimeFormat per activity is costly); bounded, since activities are untrusted. */
const knownZones = new Map<string, boolean>();

function isTimeZone(value: string): boolean {
  const known = knownZones.get(value);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    valid = true;
  } catch {
    valid = false;
  }
  if (knownZones.size >= 1000) knownZones.clear();
  knownZones.set(value, valid);
  return valid;
}

/**
 * Validates the body and fixes it up the way `CloudAdapter.process` would (timestamps become
 * Dates). An unknown `localTimezone` is dropped rather than refused: it only changes how times
 * are shown.
 */
export function readInboundActivity(body: unknown): InboundActivity {
  const parsed = activitySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, problem: `${issue.path.join('.') || 'body'}: ${issue.message}`.slice(0, 200) };
  }
  const activity = parsed.data as unknown as Activity & Record<string, unknown>;
  if (typeof activity.localTimezone === 'string' && !isTimeZone(activity.localTimezone)) delete (activity as Record<string, unknown>).localTimezone;
  for (const field of ['timestamp', 'localTimestamp', 'expiration'] as const) {
    const raw = activity[field] as unknown;
    if (typeof raw !== 'string') continue;
    const raws = { timestamp: 'rawTimestamp', localTimestamp: 'rawLocalTimestamp', expiration: 'rawExpiration' } as const;
    (activity as Record<string, unknown>)[raws[field]] = raw;
    (activity as Record<string, unknown>)[field] = new Date(raw);
  }
  return { ok: true, activity };
}
