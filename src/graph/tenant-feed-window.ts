/**
 * The tenant feed's shared window: what one refresh leaves behind (which stretch of time each
 * stream covers completely, the events held and their per-user index), how a refresh's page
 * chains move that coverage, and the per-user slice a lookup reads from it.
 *
 * Coverage is what keeps "no OneDrive attempts" honest: a stream's read is complete from
 * `coveredFrom` up to the moment it started, so a user with no event there truly had none.
 */
import type { SignInEvent } from '../domain/directory';
import { STREAMS, type SignInStream } from './graph-shapes';
import type { Chain } from './tenant-feed-pages';

/** What one refresh left for lookups to read. */
export interface FeedSnapshot {
  /** Clock time (ms) the read started: events up to here are in. */
  readonly takenAt: number;
  /** Clock time (ms) from which both streams were read completely up to `takenAt`. */
  readonly coveredFrom: number;
  /** Start of the window the feed aims at (`takenAt − windowHours`). */
  readonly windowFrom: number;
  /** Coverage reaches the window start: absence from the snapshot means no sign-ins in the window. */
  readonly complete: boolean;
  /** Date.now() when the read started (for ageing; independent of the injectable clock). */
  readonly startedMono: number;
  readonly eventCount: number;
}

/** Where one stream stands after a refresh. */
export interface StreamState {
  /** Read completely from here (clock ms) up to the state's takenAt. */
  coveredFrom: number;
  /** The `ge` bound of the page chain still being followed. */
  bound: number;
  /** The chain's next page, when more remain. */
  next?: string;
  /** Oldest event time seen on the chain. */
  oldest?: number;
}

/** A snapshot with everything the next refresh and the lookups need. */
export interface FeedState extends FeedSnapshot {
  rebuiltMono: number;
  rebuildNext: boolean;
  streams: Record<SignInStream, StreamState>;
  events: Map<string, SignInEvent>;
  byUser: Map<string, SignInEvent[]>;
}

/** Clock skew tolerated for events stamped after the lookup's moment. */
const SKEW_MS = 60_000;

/** One user's sign-ins from a snapshot: inside its coverage, not after `now` (+1 min of clock skew), newest first. */
export function eventsFor(snapshot: FeedSnapshot, userId: string, now: Date): SignInEvent[] {
  const state = snapshot as FeedState;
  const latest = now.getTime() + SKEW_MS;
  return (state.byUser.get(userId.toLowerCase()) ?? [])
    .filter((e) => {
      const t = Date.parse(e.createdDateTime);
      return t >= state.coveredFrom && t <= latest;
    })
    .map((e) => ({ ...e }));
}

/**
 * Where each stream stands after the top of the window was read from `topFrom`. A complete
 * incremental read continues the previous coverage; anything else starts a new chain from the
 * top (and an incremental read that did not finish asks for a rebuild next time).
 */
export function streamsAfterTop(
  top: Map<SignInStream, Chain>,
  options: { rebuild: boolean; topFrom: number; takenAt: number; previous?: Record<SignInStream, StreamState> },
): { streams: Record<SignInStream, StreamState>; rebuildNext: boolean } {
  const streams = {} as Record<SignInStream, StreamState>;
  let rebuildNext = false;
  for (const s of STREAMS) {
    const t = top.get(s)!;
    const topComplete = !t.next && !t.broken;
    if (!options.rebuild && topComplete) {
      streams[s] = { ...options.previous![s] }; // contiguous with what the previous refresh read
    } else {
      // A new chain from the top. (An incremental read that did not finish leaves a hole
      // below it: only its own pages count, and the next refresh reads the window again.)
      if (!options.rebuild) rebuildNext = true;
      streams[s] = {
        bound: options.topFrom,
        next: t.broken ? undefined : t.next,
        oldest: t.oldest,
        coveredFrom: topComplete ? options.topFrom : t.oldest !== undefined ? t.oldest + 1 : options.takenAt,
      };
    }
  }
  return { streams, rebuildNext };
}

/** The chains a backfill follows: each stream's unfinished chain, from where it stopped. */
export function backfillChains(streams: Record<SignInStream, StreamState>): Map<SignInStream, Chain> {
  return new Map<SignInStream, Chain>(STREAMS.map((s) => [s, { next: streams[s].next, oldest: streams[s].oldest, pages: 0, broken: false }]));
}

/** Moves each stream's coverage down by the older pages the backfill read. */
export function applyBackfill(streams: Record<SignInStream, StreamState>, chains: Map<SignInStream, Chain>): void {
  for (const s of STREAMS) {
    const c = chains.get(s)!;
    if (c.pages === 0) continue;
    streams[s].oldest = c.oldest;
    streams[s].next = c.broken ? undefined : c.next;
    if (!c.broken) streams[s].coveredFrom = c.next ? (c.oldest !== undefined ? c.oldest + 1 : streams[s].coveredFrom) : streams[s].bound;
  }
}

/**
 * Keeps the window and the memory bound: drops events older than `windowFrom`, then the
 * oldest beyond `maxEvents` (coverage shrinks with them). Returns the coverage of both streams.
 */
export function boundWindow(events: Map<string, SignInEvent>, streams: Record<SignInStream, StreamState>, windowFrom: number, maxEvents: number): number {
  for (const s of STREAMS) streams[s].coveredFrom = Math.max(streams[s].coveredFrom, windowFrom);
  for (const [id, e] of events) if (Date.parse(e.createdDateTime) < windowFrom) events.delete(id);
  if (events.size > maxEvents) {
    const byAge = [...events.values()].sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
    const cutoff = Date.parse(byAge[maxEvents]!.createdDateTime);
    for (const e of byAge.slice(maxEvents)) events.delete(e.id);
    for (const s of STREAMS) {
      streams[s].coveredFrom = Math.max(streams[s].coveredFrom, cutoff + 1);
      streams[s].next = undefined; // no room for older pages
    }
  }
  return Math.max(...STREAMS.map((s) => streams[s].coveredFrom));
}

/** The events by lower-cased user id, each list newest first. */
export function indexByUser(events: Map<string, SignInEvent>): Map<string, SignInEvent[]> {
  const byUser = new Map<string, SignInEvent[]>();
  for (const e of events.values()) {
    if (!e.userId) continue;
    const key = e.userId.toLowerCase();
    const list = byUser.get(key);
    if (list) list.push(e);
    else byUser.set(key, [e]);
  }
  for (const list of byUser.values()) list.sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
  return byUser;
}
