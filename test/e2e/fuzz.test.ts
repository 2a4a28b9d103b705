import fc from 'fast-check';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Verbs } from '../../src/cards';
import { Chat, cardsOf, findAction, type ActivityPoster } from '../support/bot-harness';
import { BotProcess } from '../support/bot-process';
import { cardText, type Json } from '../support/cards';
import { LoopbackConnector } from '../support/loopback-connector';

/** How many random activities one run posts: enough to reach every branch of the edge, well under a minute. */
const RUNS = 800;
/** The run's seed, printed on failure; set FUZZ_SEED to replay a run. */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);

const VERBS = Object.values(Verbs) as string[];
const TENANT = 'tenant-1';

/** Text as people (and attackers) type it: plain, any Unicode, Teams markdown and mentions, commands, huge. */
const textArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'help',
      'hi',
      'start over',
      'my tickets',
      'use this channel for tickets',
      "please don't use this channel for tickets",
      'OneDrive says 0x8004de40 and will not sign in',
      '[Reset your password here](https://evil.example/reset)',
      '**urgent** _now_ <at>Helpdesk</at> `code` # heading\n> quote',
      '<script>alert(1)</script>{{$root.secret}}${x}',
      '',
      ' \n\t ',
      '\u202e\u0000\ud83d\ude00\u200d',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 5_000, max: 200_000 }).map((n) => 'OneDrive 0x8004de40 '.repeat(Math.ceil(n / 20)).slice(0, n)) },
);

/** Card data: a known verb (mostly) with the contract's fields holding anything, plus random extra fields. */
const cardDataArb = fc
  .tuple(
    fc.record(
      {
        verb: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...VERBS) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }),
        ticketId: fc.oneof(fc.constantFrom('HD-000001', 'HD-1', 'hd-000002', 'HD-999999999', 'TICKET-42'), fc.string({ maxLength: 20 }), fc.integer()),
        questionId: fc.oneof(fc.constantFrom('signin-error', 'admin-rights', 'favourite-colour'), fc.string({ maxLength: 20 })),
        answer: fc.oneof(fc.constantFrom('yes', 'no', 'not-sure'), fc.string({ maxLength: 20 })),
        causeId: fc.oneof(fc.constantFrom('stale-credentials', 'mfa-required', 'unknown', 'gremlins'), fc.string({ maxLength: 20 })),
        stepId: fc.string({ maxLength: 20 }),
        result: fc.constantFrom('fixed', 'not-fixed', 'cannot-do', 'maybe'),
        rating: fc.oneof(fc.integer({ min: -2, max: 9 }), fc.string({ maxLength: 3 })),
        text: textArb,
        note: textArb,
        details: textArb,
        toAgent: fc.oneof(fc.constantFrom('agent-a-aad', 'fuzz-user'), fc.string({ maxLength: 20 })),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  )
  .map(([known, extra]) => ({ ...extra, ...known }));

const valueArb = fc.oneof(
  { weight: 4, arbitrary: cardDataArb },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        action: fc.record(
          { type: fc.constantFrom('Action.Execute', 'Action.Submit', 'x'), verb: fc.oneof(fc.constantFrom(...VERBS), fc.string({ maxLength: 10 })), data: cardDataArb },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** `arbitrary` about once in `n` draws, otherwise undefined. */
function rarely<T>(arbitrary: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: n - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

const tenantArb = fc.constantFrom<string | undefined>(TENANT, TENANT, TENANT, TENANT, 'tenant-foreign', undefined);

/** One activity as Teams might send it, or not quite: random type, fields, values; sometimes a required field is missing. */
function activityArb(serviceUrl: string): fc.Arbitrary<Json> {
  return fc
    .record(
      {
        type: fc.oneof(
          {
            weight: 6,
            arbitrary: fc.constantFrom(
              'message',
              'message',
              'invoke',
              'conversationUpdate',
              'installationUpdate',
              'messageReaction',
              'typing',
              'event',
              'messageUpdate',
              'messageDelete',
              'endOfConversation',
            ),
          },
          { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
        ),
        name: fc.oneof(fc.constantFrom('adaptiveCard/action', 'task/fetch', 'composeExtension/query', 'signin/verifyState', 'fileConsent/invoke'), fc.string({ maxLength: 20 })),
        text: textArb,
        value: valueArb,
        conversationId: fc.oneof(
          fc.constantFrom('a:fuzz-1', 'a:fuzz-2', '19:helpdesk-queue@thread.tacv2', '19:helpdesk-queue@thread.tacv2;messageid=act-1'),
          fc.string({ minLength: 1, maxLength: 40 }),
        ),
        conversationType: fc.constantFrom<string | undefined>('personal', 'personal', 'channel', 'groupChat', 'weird', undefined),
        tenant: tenantArb,
        from: fc.record(
          {
            id: fc.oneof(fc.constant('29:fuzz'), fc.string({ minLength: 1, maxLength: 20 })),
            name: fc.string({ maxLength: 40 }),
            aadObjectId: fc.oneof(fc.constantFrom('fuzz-user', 'agent-a-aad'), fc.string({ maxLength: 20 })),
          },
          { requiredKeys: ['id'] },
        ),
        replyToId: fc.string({ maxLength: 20 }),
        localTimezone: fc.constantFrom('Europe/London', 'Not/AZone', '', 'UTC'),
        membersAdded: fc.array(fc.record({ id: fc.oneof(fc.constant('28:bot'), fc.constant('29:fuzz'), fc.string({ maxLength: 10 })), name: fc.string({ maxLength: 10 }) }), {
          maxLength: 3,
        }),
        channelData: fc.record(
          { team: fc.record({ id: fc.string({ maxLength: 20 }) }), channel: fc.record({ id: fc.string({ maxLength: 20 }) }), extra: fc.jsonValue({ maxDepth: 2 }) },
          { requiredKeys: [] },
        ),
        weirdServiceUrl: rarely(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('ftp://x', 'javascript:alert(1)', 'not a url', '//relative')), 12),
        drop: rarely(fc.constantFrom('type', 'conversation', 'from', 'recipient', 'serviceUrl', 'channelId', 'text', 'channelData'), 6),
      },
      { requiredKeys: ['type', 'conversationId', 'from', 'tenant'] },
    )
    .map((r) => {
      const activity: Json = {
        type: r.type,
        channelId: 'msteams',
        serviceUrl: r.weirdServiceUrl ?? serviceUrl,
        id: `fuzz-${Math.random().toString(36).slice(2)}`,
        timestamp: new Date().toISOString(),
        localTimezone: r.localTimezone,
        conversation: { id: r.conversationId, conversationType: r.conversationType, tenantId: r.tenant },
        from: r.from,
        recipient: { id: '28:bot', name: 'Helpdesk' },
        channelData: { ...r.channelData, tenant: r.tenant === undefined ? undefined : { id: r.tenant } },
      };
      if (r.name !== undefined) activity.name = r.name;
      if (r.text !== undefined) activity.text = r.text;
      if (r.value !== undefined) activity.value = r.value;
      if (r.replyToId !== undefined) activity.replyToId = r.replyToId;
      if (r.membersAdded !== undefined) activity.membersAdded = r.membersAdded;
      if (r.drop) delete activity[r.drop];
      return activity;
    });
}

/**
 * Property-based fuzzing of the real bot process: random activities and card data posted to
 * /api/messages never get a 5xx, never crash the process, and a normal conversation still
 * works afterwards (its state is read and written).
 */
describe('e2e fuzz: random activities never get a 5xx nor crash the bot, and it keeps working', function () {
  this.timeout(120_000);
  const connector = new LoopbackConnector();
  const bot = new BotProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-fuzz-'));
  const poster: ActivityPoster = {
    connector,
    post: async (activity) => {
      const response = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
  };

  before(async () => {
    await connector.start();
    await bot.start({ DATA_DIR: join(dataDir, 'data'), ALLOWED_TENANT_IDS: TENANT, HELPDESK_AGENTS: 'agent-a-aad', OUTBOX_RETRY_BASE_MS: '20' });
  });
  after(async () => {
    await bot.stop();
    await connector.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`when ${RUNS} random activities are posted, then every answer is below 500 and the process stays up`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(activityArb(connector.url), async (activity) => {
        const result = await poster.post(activity);
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
        assert.ok(result.status < 500, `HTTP ${result.status} ${JSON.stringify(result.body)} for ${JSON.stringify(activity).slice(0, 600)}`);
        assert.equal(bot.exitCode, null, `the bot exited: ${bot.log.slice(-1500)}`);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // The fuzz must reach the bot, not only the edge's refusals.
    assert.ok((statuses.get(200) ?? 0) > RUNS / 4, `too few activities reached a turn: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(400) ?? 0) > 0, `no malformed activity was generated: ${JSON.stringify([...statuses])}`);
  });

  it('when the fuzz is over, then no turn failed: the log has no error and no stack trace (seed in the message)', async () => {
    await fetch(`${bot.url}/healthz`);
    const failures = bot.log.split('\n').filter((line) => /"level":(50|60)/.test(line) || /^\s+at /.test(line));
    assert.deepEqual(
      failures.map((line) => line.slice(0, 300)),
      [],
      `FUZZ_SEED=${SEED}`,
    );
  });

  it('after the fuzz, a normal conversation still works and its state is kept between turns', async () => {
    const chat = new Chat(poster, `a:after-fuzz-${Date.now()}`, { aadObjectId: 'fuzz-steady-user', name: 'Steady User' });
    const started = await chat.submit({ verb: Verbs.triageStart });
    const question = findAction(started, Verbs.triageAnswer);
    assert.ok(question, `a first question: ${cardsOf(started).map(cardText).join(' | ').slice(0, 300)}`);
    const help = await chat.say('help');
    assert.match(cardsOf(help).map(cardText).join('\n'), /What I can do/);
    assert.equal(findAction(help, Verbs.triageAnswer)?.questionId, question.questionId, 'the open question was read back from the saved state');
    const health = await fetch(`${bot.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(bot.exitCode, null);
  });
});
