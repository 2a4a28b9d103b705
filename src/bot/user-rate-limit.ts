import type { Activity } from 'botbuilder';
import { Verbs } from '../cards/verbs';
import { messages } from '../content/knowledge';
import type { Clock } from '../domain/clock';
import type { Logger } from '../logger';
import { tenantOf } from './tenant-guard';

/**
 * The per-user flood guard, checked at the HTTP edge before a turn reads any state. Each person
 * (tenant + aadObjectId, else the channel account id) has a token bucket; an activity over the
 * limit is answered at once and never queued: one polite notice per window in a personal chat,
 * a short message under the card for a button press, nothing for the rest of the window.
 *
 * The buckets live in this process only: with several instances behind a load balancer a person
 * may get up to one allowance per instance. That is enough to stop a flood hurting everyone else
 * (its purpose), and needs no shared store on the hot path.
 */

/** What the limiter needs from the config (Config.userRateLimit). */
export interface UserRateLimitSettings {
  /** Activities a minute a person may send on average; 0 turns the guard off. */
  perMinute: number;
  /** How many a person may send at once before the per-minute rate applies. */
  burst: number;
  /** People tracked at most; the least recently seen is forgotten first (memory stays bounded). */
  maxTrackedUsers: number;
}

/**
 * Teams' automatic card refreshes (Universal Actions `refresh`, verb ticket.refresh) have their own
 * bucket: an agent opening the channel refreshes every visible card at once, which must neither
 * use up the agent's own allowance nor go unbounded.
 */
export const REFRESH_BURST = 100;
export const REFRESH_PER_MINUTE = 600;

/** One notice (and one log line) per person per window: a flood is never answered by a flood. */
export const NOTICE_WINDOW_MS = 60_000;

const MINUTE_MS = 60_000;
const ADAPTIVE_CARD_ACTION = 'adaptiveCard/action';

/** A token bucket: holds up to `capacity` tokens, refilled continuously at `perMinute`. Starts full. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly capacity: number,
    private readonly perMinute: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.at = now;
  }

  /** Takes one token at `now` (ms); false when none is left. A clock that goes back refills nothing, and refilling goes on from there. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.at);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.perMinute) / MINUTE_MS);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The bucket kinds a person has. */
export type RateKind = 'turn' | 'refresh';

/** The limiter's verdict on one activity. */
export type RateVerdict = { admitted: true } | { admitted: false; kind: RateKind; firstInWindow: boolean };

interface Tracked {
  turns: TokenBucket;
  refresh?: TokenBucket;
  /** Until when a refused activity of each kind stays silent (no notice, no log line). */
  quietUntil: Record<RateKind, number>;
}

/** Token buckets by person, at most `maxTrackedUsers` of them (least recently seen forgotten first). */
export class UserRateLimiter {
  private readonly users = new Map<string, Tracked>();

  constructor(
    private readonly settings: UserRateLimitSettings,
    private readonly clock: Clock,
  ) {}

  /** Whether the guard is on (USER_RATE_LIMIT_PER_MINUTE above 0). */
  get enabled(): boolean {
    return this.settings.perMinute > 0;
  }

  /** How many people are tracked right now. */
  get size(): number {
    return this.users.size;
  }

  /** Counts one activity of `key` against its `kind` bucket. */
  take(key: string, kind: RateKind): RateVerdict {
    if (!this.enabled) return { admitted: true };
    const now = this.clock().getTime();
    const tracked = this.touch(key, now);
    const bucket = kind === 'turn' ? tracked.turns : (tracked.refresh ??= new TokenBucket(REFRESH_BURST, REFRESH_PER_MINUTE, now));
    if (bucket.take(now)) return { admitted: true };
    // A window further away than one window means the clock went back: start a new one.
    const firstInWindow = now >= tracked.quietUntil[kind] || tracked.quietUntil[kind] - now > NOTICE_WINDOW_MS;
    if (firstInWindow) tracked.quietUntil[kind] = now + NOTICE_WINDOW_MS;
    return { admitted: false, kind, firstInWindow };
  }

  /** The person's entry, moved to the most recently seen end; a new one evicts the least recently seen when full. */
  private touch(key: string, now: number): Tracked {
    let tracked = this.users.get(key);
    if (tracked) {
      this.users.delete(key);
    } else {
      tracked = { turns: new TokenBucket(this.settings.burst, this.settings.perMinute, now), quietUntil: { turn: 0, refresh: 0 } };
      while (this.users.size >= Math.max(1, this.settings.maxTrackedUsers)) this.users.delete(this.users.keys().next().value!);
    }
    this.users.set(key, tracked);
    return tracked;
  }
}

/**
 * Who an activity counts against: the tenant plus the aadObjectId (else the channel account id),
 * in the conversation it came through. A person has one personal chat with the bot, so in that
 * chat this is the person; an agent's commands in the help desk channel do not use up their own
 * chat's allowance. Bounded; ids are untrusted.
 */
export function rateKeyOf(activity: Activity): string {
  const tenant = (tenantOf(activity) ?? '').toLowerCase().slice(0, 100);
  const aad = typeof activity.from?.aadObjectId === 'string' ? activity.from.aadObjectId.trim().toLowerCase() : '';
  const who = aad ? `aad:${aad.slice(0, 256)}` : `id:${String(activity.from?.id ?? '').slice(0, 256)}`;
  const conversation = typeof activity.conversation?.id === 'string' ? activity.conversation.id.slice(0, 256) : '';
  return `${tenant}|${who}|${conversation}`;
}

/** True for Teams' automatic refresh of a live card (not a person pressing a button). */
export function isAutomaticRefresh(activity: Activity): boolean {
  if (activity.type !== 'invoke' || activity.name !== ADAPTIVE_CARD_ACTION) return false;
  const value = activity.value as { trigger?: unknown; action?: { verb?: unknown } } | undefined;
  return value?.trigger === 'automatic' && value.action?.verb === Verbs.ticketRefresh;
}

/** What the HTTP edge does instead of a turn: answer the invoke in place, send one notice, or say nothing. */
export type OverLimitAnswer = { kind: 'invoke'; text: string } | { kind: 'notice'; text: string } | { kind: 'silent' };

/**
 * The guard as the HTTP edge uses it: undefined when the activity may run its turn, otherwise how
 * to answer it. Logs one warning per person and window.
 */
export class UserRateGuard {
  constructor(
    private readonly limiter: UserRateLimiter,
    private readonly log: Logger,
  ) {}

  check(activity: Activity): OverLimitAnswer | undefined {
    const refresh = isAutomaticRefresh(activity);
    const verdict = this.limiter.take(rateKeyOf(activity), refresh ? 'refresh' : 'turn');
    if (verdict.admitted) return undefined;
    const personal = (activity.conversation?.conversationType ?? 'personal') === 'personal';
    if (verdict.firstInWindow) {
      this.log.warn(
        {
          user: String(activity.from?.aadObjectId ?? activity.from?.id ?? '').slice(0, 100),
          kind: verdict.kind,
          personal,
          activityType: String(activity.type).slice(0, 64),
          quietForMs: NOTICE_WINDOW_MS,
        },
        'user rate limit reached: activities answered without a turn for this window',
      );
    }
    const text = messages(typeof activity.locale === 'string' ? activity.locale : undefined).text('bot.rate-limited');
    // A button press always gets its answer in place (Teams shows an error otherwise), so it never needs the notice.
    if (activity.type === 'invoke') return { kind: 'invoke', text };
    // A channel never gets a notice: it would be seen by everyone and a flood must not be answered by one.
    if (verdict.firstInWindow && personal && activity.type === 'message') return { kind: 'notice', text };
    return { kind: 'silent' };
  }
}
