/**
 * The load generator: N concurrent conversations (distinct users), each a whole triage sent
 * turn after turn as Teams would send it, closed loop (a conversation's next turn leaves when
 * the bot has answered the last one; a finished conversation makes room for a new user).
 * A turn's time is the HTTP round trip of POST /api/messages, which the adapter answers only
 * after the turn's replies reached the connector.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ConnectorStandIn, Json } from './connector-stand-in';

/** The turns of a triage, as the issue names them. */
export const TURN_KINDS = ['first', 'answer', 'fix', 'ticket'] as const;
export type TurnKind = (typeof TURN_KINDS)[number];

/** Someone in the directory. */
export interface BenchUser {
  aadObjectId: string;
  name: string;
}

/** One conversation's view of the driver. */
export interface Conversation {
  /**
   * Sends one activity (merged into a Teams-shaped personal-chat activity) and returns the
   * messages the bot posted meanwhile; with `collect` false, none (the connector then only counts them).
   */
  turn(kind: TurnKind, extra: Json, collect?: boolean): Promise<Json[]>;
}

/** A conversation's turns, start to end. Throw `Unexpected` when the bot answered something the script cannot follow. */
export type Script = (conversation: Conversation) => Promise<void>;

export class Unexpected extends Error {}
class Stopped extends Error {}

/**
 * A server the driver posts to, with its own keep-alive connections. Each run starts with
 * fresh ones (`fresh()`): a connection left idle between runs may be closed by the server
 * (its keep-alive timeout) just as the next run reuses it, which would read as a reset.
 */
export class Target {
  private agent: Agent;
  constructor(
    readonly name: string,
    readonly url: string,
    private readonly maxSockets = 256,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** Drops the idle connections: the next requests open new ones. */
  fresh(): void {
    this.agent.destroy();
    this.agent = new Agent({ keepAlive: true, maxSockets: this.maxSockets });
  }

  /** POSTs `body` to /api/messages; resolves with the status once the whole answer arrived. */
  post(body: string): Promise<number> {
    const url = new URL('/api/messages', this.url);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** What one load run measured. */
export interface LoadResult {
  concurrency: number;
  elapsedMs: number;
  turns: number;
  /** Turn times (ms) by kind. */
  latencies: Record<TurnKind, number[]>;
  conversationsStarted: number;
  conversationsCompleted: number;
  /** Turns the bot answered with an HTTP error, and conversations whose replies the script could not follow. */
  errors: number;
  unexpected: number;
  firstProblem?: string;
  /** Message activities the connector received, and typing indicators. */
  messages: number;
  typing: number;
  /** CPU time the server used during the run (ms), when known. */
  cpuMs?: number;
  /**
   * With `warmupMs`: the first turn of each conversation the run opened with, all sent at once on
   * new connections to a server that sat idle before (ms). Not in `latencies`: a cold burst, not
   * the steady state.
   */
  coldStart?: number[];
}

/** Who sends a run's conversations: the connector the bot replies to, each conversation's user, and their numbering. */
export interface Senders {
  connector: ConnectorStandIn;
  /** The user of the n-th conversation of the whole benchmark. */
  userFor: (n: number) => BenchUser;
  /** Numbers conversations across runs, so every conversation id is new. */
  sequence: { next: number };
}

/** Just the senders of a phase's options (the rest, such as its own `cpuMs` or `conversations`, must not reach a run). */
export function sendersOf(options: Senders): Senders {
  return { connector: options.connector, userFor: options.userFor, sequence: options.sequence };
}

export interface LoadOptions extends Senders {
  target: Target;
  concurrency: number;
  script: Script;
  /** Stop sending turns after this long (turns in flight finish). */
  durationMs?: number;
  /** Start no more conversations after this many (those started finish). */
  conversations?: number;
  /** The server's CPU time so far (ms), read before and after the run. */
  cpuMs?: () => number | undefined;
  /** Keep the target's connections (for many small runs at once, as the replay makes). */
  keepConnections?: boolean;
  /**
   * Measure the steady state only: turns that start before the mark (`warmupMs` passed and every
   * opening first turn was answered) are sent but not counted (latency, turns, CPU and time start
   * at the mark), while the conversations go on across it on the same connections. Without it the run's opening burst counts: N new
   * connections and N first messages at once, which a server accepts one connection per
   * event-loop turn (libuv), so the burst measures accepting under load rather than turns.
   */
  warmupMs?: number;
}

let activitySeq = 0;

/** Runs `options.script` in `concurrency` parallel conversations until the duration or the conversation count is reached. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { target, connector, concurrency, script } = options;
  const latencies: Record<TurnKind, number[]> = { first: [], answer: [], fix: [], ticket: [] };
  const result: LoadResult = {
    concurrency,
    elapsedMs: 0,
    turns: 0,
    latencies,
    conversationsStarted: 0,
    conversationsCompleted: 0,
    errors: 0,
    unexpected: 0,
    messages: 0,
    typing: 0,
  };
  if (!options.keepConnections) target.fresh();
  let before = { ...connector.counts };
  let cpuBefore = options.cpuMs?.();
  const started = performance.now();
  const warmupMs = options.warmupMs ?? 0;
  // With a warm-up, nothing counts until the mark: `warmupMs` passed and every opening first turn was answered.
  let measuredFrom = warmupMs > 0 ? Infinity : started;
  let deadline = options.durationMs === undefined || warmupMs > 0 ? Infinity : started + options.durationMs;
  let lastDone = started;
  let openingPending = concurrency;
  let openingAnswered: () => void = () => undefined;
  const openingDone = new Promise<void>((resolve) => (openingAnswered = resolve));
  if (warmupMs > 0) {
    result.coldStart = [];
    void Promise.all([openingDone, new Promise((resolve) => setTimeout(resolve, warmupMs))]).then(() => {
      measuredFrom = performance.now();
      lastDone = measuredFrom;
      if (options.durationMs !== undefined) deadline = measuredFrom + options.durationMs;
      before = { ...connector.counts };
      cpuBefore = options.cpuMs?.();
    });
  }

  const conversation = (n: number, opening: boolean): Conversation => {
    const user = options.userFor(n);
    let waiting = opening;
    /** Counts down the opening first turns (answered or failed), once per opening conversation. */
    const answeredOpening = (): void => {
      if (!waiting) return;
      waiting = false;
      if (--openingPending === 0) openingAnswered();
    };
    const conversationId = `a:bench-${n}`;
    const fromId = `29:bench-user-${n}`;
    return {
      turn: async (kind, extra, collect = true) => {
        if (performance.now() >= deadline) throw new Stopped();
        activitySeq += 1;
        const activity = {
          type: 'message',
          channelId: 'msteams',
          serviceUrl: connector.url,
          id: `in-${activitySeq}`,
          timestamp: new Date().toISOString(),
          localTimezone: 'Europe/London',
          locale: 'en-GB',
          conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
          from: { id: fromId, name: user.name, aadObjectId: user.aadObjectId },
          recipient: { id: '28:bench-bot', name: 'Helpdesk' },
          channelData: { tenant: { id: 'tenant-1' } },
          ...extra,
        };
        if (collect) connector.expect(conversationId);
        const t0 = performance.now();
        let status: number;
        try {
          status = await target.post(JSON.stringify(activity));
        } catch (error) {
          answeredOpening();
          connector.take(conversationId);
          result.errors += 1;
          result.firstProblem ??= `${kind} turn: ${(error as Error).message}`;
          throw new Unexpected('request failed');
        }
        const t1 = performance.now();
        answeredOpening();
        const replies = connector.take(conversationId);
        if (status >= 300) {
          result.errors += 1;
          result.firstProblem ??= `${kind} turn answered ${status}`;
          throw new Unexpected(`status ${status}`);
        }
        if (t0 >= measuredFrom) {
          latencies[kind].push(t1 - t0);
          result.turns += 1;
          lastDone = t1;
        } else if (opening && kind === 'first') result.coldStart?.push(t1 - t0);
        return replies;
      },
    };
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (performance.now() >= deadline) return;
      if (options.conversations !== undefined && result.conversationsStarted >= options.conversations) return;
      const n = options.sequence.next++;
      const opening = result.conversationsStarted < concurrency;
      result.conversationsStarted += 1;
      try {
        await script(conversation(n, opening));
        result.conversationsCompleted += 1;
      } catch (error) {
        if (error instanceof Stopped) return;
        if (!(error instanceof Unexpected)) throw error;
        if (error.message !== 'request failed' && !error.message.startsWith('status ')) {
          result.unexpected += 1;
          result.firstProblem ??= error.message;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  if (measuredFrom === Infinity) throw new Error(`the run ended before its warm-up did (${warmupMs} ms): give it a duration`);
  result.elapsedMs = lastDone - measuredFrom;
  result.messages = connector.counts.messages - before.messages;
  result.typing = connector.counts.typing - before.typing;
  const cpuAfter = options.cpuMs?.();
  if (cpuBefore !== undefined && cpuAfter !== undefined) result.cpuMs = cpuAfter - cpuBefore;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Scripts

/** What an employee types first during an incident: no error code, so some get asked first. */
export const FIRST_MESSAGE = "OneDrive won't sign me in";

/** Every action's data in the activities' Adaptive Cards. */
function actionData(activities: Json[]): Json[] {
  const found: Json[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) walk(item);
    else if (node !== null && typeof node === 'object') {
      const o = node as Json;
      if (typeof o.type === 'string' && o.type.startsWith('Action.') && o.data && typeof o.data === 'object') found.push(o.data as Json);
      for (const [key, value] of Object.entries(o)) if (key !== 'data' && typeof value === 'object') walk(value);
    }
  };
  for (const a of activities) walk(a.attachments);
  return found;
}

/** The first choice of the ChoiceSet with id `id`, if the cards have one. */
function firstChoice(activities: Json[], id: string): string | undefined {
  let found: string | undefined;
  const walk = (node: unknown): void => {
    if (found !== undefined) return;
    if (Array.isArray(node)) for (const item of node) walk(item);
    else if (node !== null && typeof node === 'object') {
      const o = node as Json;
      if (o.type === 'Input.ChoiceSet' && o.id === id && Array.isArray(o.choices)) found = (o.choices[0] as Json | undefined)?.value as string | undefined;
      for (const value of Object.values(o)) if (typeof value === 'object') walk(value);
    }
  };
  for (const a of activities) walk(a.attachments);
  return found;
}

function textOf(activities: Json[]): string {
  return JSON.stringify(activities.map((a) => a.attachments ?? a.text)).slice(0, 300);
}

/**
 * The bot's whole triage: the first message; the answers it asks for until the diagnosis; the
 * first fix step reported as not fixed; a ticket opened from the diagnosis card.
 */
export const triageScript: Script = async (c) => {
  let replies = await c.turn('first', { text: FIRST_MESSAGE });
  for (let asked = 0; ; asked++) {
    const data = actionData(replies);
    const ticket = data.find((d) => d.verb === 'ticket.create');
    if (ticket) {
      const fix = data.find((d) => d.verb === 'fix.result' && d.result === 'not-fixed') ?? data.find((d) => d.verb === 'fix.result');
      if (!fix) throw new Unexpected(`diagnosis without a fix step: ${textOf(replies)}`);
      replies = await c.turn('fix', { value: { ...fix, result: 'not-fixed' } });
      if (replies.length === 0) throw new Unexpected('no reply to a fix-step result');
      replies = await c.turn('ticket', { value: ticket });
      if (!actionData(replies).some((d) => typeof d.ticketId === 'string')) throw new Unexpected(`no ticket card after ticket.create: ${textOf(replies)}`);
      return;
    }
    const question = data.find((d) => d.verb === 'triage.answer');
    if (!question || asked >= 8) throw new Unexpected(`neither a question nor a diagnosis: ${textOf(replies)}`);
    const answer = (question.answer as string | undefined) ?? firstChoice(replies, 'answer');
    if (!answer) throw new Unexpected(`a question without answers: ${textOf(replies)}`);
    replies = await c.turn('answer', { value: { verb: 'triage.answer', questionId: question.questionId, answer } });
  }
};

/**
 * The floor's conversation: the same four kinds of turn, each answered with the same cards.
 * Its replies are only counted (nothing to follow), which keeps the load generator's own cost
 * per floor turn low; otherwise the generator, not the floor, would set the floor's pace.
 */
export const floorScript: Script = async (c) => {
  await c.turn('first', { text: FIRST_MESSAGE }, false);
  await c.turn('answer', { value: { verb: 'triage.answer', questionId: 'network', answer: 'office' } }, false);
  await c.turn('fix', { value: { verb: 'fix.result', causeId: 'stale-credentials', stepId: 'restart-onedrive', result: 'not-fixed' } }, false);
  await c.turn('ticket', { value: { verb: 'ticket.create', causeId: 'stale-credentials' } }, false);
};

// ---------------------------------------------------------------------------------------------
// Open loop: an incident replayed at its own pace

/** What an open-loop replay measured. */
export interface ReplayResult {
  triages: number;
  completed: number;
  turns: number;
  elapsedMs: number;
  latencies: Record<TurnKind, number[]>;
  /** The most turns in flight at once. */
  maxInFlight: number;
  errors: number;
  unexpected: number;
  firstProblem?: string;
  cpuMs?: number;
}

export interface ReplayOptions extends Senders {
  target: Target;
  script: Script;
  /** Triages that start, evenly spread over `spanMs`. */
  triages: number;
  spanMs: number;
  /** Pause before each turn after the first (the employee reads the card, tries the step). */
  thinkMs: number;
  cpuMs?: () => number | undefined;
}

/**
 * Starts `triages` conversations evenly over `spanMs`, each pausing `thinkMs` between its turns,
 * whatever the bot's speed (open loop, as employees arrive in an incident): checks a capacity
 * model's predicted turn rate and CPU load against what the bot shows.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const latencies: Record<TurnKind, number[]> = { first: [], answer: [], fix: [], ticket: [] };
  const result: ReplayResult = { triages: options.triages, completed: 0, turns: 0, elapsedMs: 0, latencies, maxInFlight: 0, errors: 0, unexpected: 0 };
  let inFlight = 0;
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  options.target.fresh();
  const cpuBefore = options.cpuMs?.();
  const started = performance.now();
  const one = async (i: number): Promise<void> => {
    await sleep((i * options.spanMs) / options.triages);
    // One closed-loop run of a single conversation, with think time between its turns.
    let first = true;
    const paced: Script = (c) =>
      options.script({
        turn: async (kind, extra, collect) => {
          if (!first) await sleep(options.thinkMs);
          first = false;
          inFlight += 1;
          result.maxInFlight = Math.max(result.maxInFlight, inFlight);
          try {
            return await c.turn(kind, extra, collect);
          } finally {
            inFlight -= 1;
          }
        },
      });
    const run = await runLoad({ target: options.target, ...sendersOf(options), concurrency: 1, script: paced, conversations: 1, keepConnections: true });
    for (const k of TURN_KINDS) latencies[k].push(...run.latencies[k]);
    result.turns += run.turns;
    result.completed += run.conversationsCompleted;
    result.errors += run.errors;
    result.unexpected += run.unexpected;
    result.firstProblem ??= run.firstProblem;
  };
  await Promise.all(Array.from({ length: options.triages }, (_, i) => one(i)));
  result.elapsedMs = performance.now() - started;
  const cpuAfter = options.cpuMs?.();
  if (cpuBefore !== undefined && cpuAfter !== undefined) result.cpuMs = cpuAfter - cpuBefore;
  return result;
}
