import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { NOTICE_WINDOW_MS, REFRESH_BURST, TokenBucket, UserRateGuard, UserRateLimiter, isAutomaticRefresh, rateKeyOf } from '../../src/bot/user-rate-limit';
import { loadConfig } from '../../src/config';
import { Verbs } from '../../src/cards';
import type { Logger } from '../../src/logger';
import { BotHarness, cardsOf, type Chat } from '../support/bot-harness';
import { cardText, type Json } from '../support/cards';

const NOTICE = /sending messages faster than I can work through them/;

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2025-03-03T08:00:00Z')): { clock: () => Date; advance: (ms: number) => void } {
  let now = start;
  return { clock: () => new Date(now), advance: (ms) => (now += ms) };
}

/** A logger that keeps its warnings. */
function spyLog(): Logger & { warnings: Array<{ obj: object; msg?: string }> } {
  const warnings: Array<{ obj: object; msg?: string }> = [];
  return { warnings, info: () => undefined, error: () => undefined, warn: (obj, msg) => warnings.push({ obj, msg }) };
}

function activity(extra: Json = {}): Activity {
  return {
    type: 'message',
    text: 'help',
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:1',
    conversation: { id: 'a:1', conversationType: 'personal', tenantId: 'tenant-1' },
    from: { id: '29:u1', name: 'U', aadObjectId: 'aad-1' },
    recipient: { id: '28:bot', name: 'Helpdesk' },
    channelData: { tenant: { id: 'tenant-1' } },
    ...extra,
  } as unknown as Activity;
}

const refreshInvoke = (extra: Json = {}): Activity =>
  activity({
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { trigger: 'automatic', action: { type: 'Action.Execute', verb: Verbs.ticketRefresh, data: { ticketId: 'HD-000001' } } },
    ...extra,
  });

describe('user rate limit: the token bucket and the limiter', () => {
  it('when a full bucket is drained, then it refuses until the clock has refilled one token, and never holds more than its capacity', () => {
    const bucket = new TokenBucket(3, 30, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
    assert.equal(bucket.take(1_999), false, '30 a minute is one token every 2 s');
    assert.equal(bucket.take(2_000), true);
    assert.equal(bucket.take(2_000), false);
    // An hour idle refills to the capacity, not beyond.
    const later = 3_600_000;
    assert.deepEqual([bucket.take(later), bucket.take(later), bucket.take(later), bucket.take(later)], [true, true, true, false]);
  });

  it('when the clock goes back, then the bucket refills nothing for the jump and refills as usual from there (nobody is locked out until the clock catches up)', () => {
    const bucket = new TokenBucket(1, 60, 10_000);
    assert.equal(bucket.take(10_000), true);
    assert.equal(bucket.take(5_000), false);
    assert.equal(bucket.take(5_999), false);
    assert.equal(bucket.take(6_000), true);
  });

  it('when one user floods, then another user keeps a full allowance, and the refused user hears "first in window" once per window', () => {
    const { clock, advance } = manualClock();
    const limiter = new UserRateLimiter({ perMinute: 30, burst: 10, maxTrackedUsers: 100 }, clock);
    const verdicts = Array.from({ length: 40 }, () => limiter.take('t|aad:flood', 'turn'));
    assert.equal(verdicts.filter((v) => v.admitted).length, 10);
    assert.equal(verdicts.filter((v) => !v.admitted && v.firstInWindow).length, 1);
    assert.ok(!verdicts[10]!.admitted && verdicts[10]!.firstInWindow, 'the first refusal is the one that speaks');
    assert.equal(Array.from({ length: 10 }, () => limiter.take('t|aad:other', 'turn')).filter((v) => v.admitted).length, 10);

    advance(NOTICE_WINDOW_MS);
    // A minute at 30 a minute refills the whole burst of 10; the 11th is refused and speaks again (a new window).
    const next = Array.from({ length: 11 }, () => limiter.take('t|aad:flood', 'turn'));
    assert.equal(next.filter((v) => v.admitted).length, 10);
    assert.deepEqual(next[10], { admitted: false, kind: 'turn', firstInWindow: true });
  });

  it("when Teams refreshes many cards of an agent at once, then the refreshes use their own bounded bucket and leave the agent's allowance whole", () => {
    const { clock } = manualClock();
    const limiter = new UserRateLimiter({ perMinute: 30, burst: 10, maxTrackedUsers: 100 }, clock);
    const refreshes = Array.from({ length: REFRESH_BURST + 5 }, () => limiter.take('t|aad:agent', 'refresh'));
    assert.equal(refreshes.filter((v) => v.admitted).length, REFRESH_BURST, 'refreshes are bounded too');
    assert.equal(Array.from({ length: 10 }, () => limiter.take('t|aad:agent', 'turn')).filter((v) => v.admitted).length, 10);
  });

  it('when ten thousand distinct ids arrive, then at most maxTrackedUsers are kept and the least recently seen go first', () => {
    const { clock } = manualClock();
    const limiter = new UserRateLimiter({ perMinute: 30, burst: 2, maxTrackedUsers: 100 }, clock);
    limiter.take('t|aad:regular', 'turn');
    limiter.take('t|aad:regular', 'turn');
    assert.equal(limiter.take('t|aad:regular', 'turn').admitted, false);
    for (let i = 0; i < 10_000; i++) {
      limiter.take(`t|id:spray-${i}`, 'turn');
      // The regular user stays recently seen, so the spray never evicts (and so never resets) them.
      if (i % 50 === 0) assert.equal(limiter.take('t|aad:regular', 'turn').admitted, false);
    }
    assert.ok(limiter.size <= 100, `tracked ${limiter.size}`);
  });

  it('when the limit is 0, then the guard is off and admits everything', () => {
    const limiter = new UserRateLimiter({ perMinute: 0, burst: 1, maxTrackedUsers: 100 }, manualClock().clock);
    assert.ok(Array.from({ length: 100 }, () => limiter.take('k', 'turn')).every((v) => v.admitted));
  });

  it('when config is read, then the defaults are 60 a minute with a burst of 20, and a bad value names its variable', () => {
    assert.deepEqual(loadConfig({}).userRateLimit, { perMinute: 60, burst: 20, maxTrackedUsers: 10_000 });
    assert.deepEqual(loadConfig({ USER_RATE_LIMIT_PER_MINUTE: '0', USER_RATE_BURST: '3' }).userRateLimit.perMinute, 0);
    assert.throws(() => loadConfig({ USER_RATE_BURST: '0' }), /USER_RATE_BURST/);
    assert.throws(() => loadConfig({ USER_RATE_LIMIT_PER_MINUTE: 'lots' }), /USER_RATE_LIMIT_PER_MINUTE/);
    assert.throws(() => loadConfig({ USER_RATE_MAX_TRACKED: '5' }), /USER_RATE_MAX_TRACKED/);
  });
});

describe('user rate limit: the guard at the edge', () => {
  it('when activities are keyed, then it is the tenant and aadObjectId (else the channel id) in their chat, bounded', () => {
    assert.equal(rateKeyOf(activity()), 'tenant-1|aad:aad-1|a:1');
    assert.equal(rateKeyOf(activity({ from: { id: '29:x', aadObjectId: 'AAD-1' } })), 'tenant-1|aad:aad-1|a:1', 'the same person whatever the case');
    assert.equal(rateKeyOf(activity({ from: { id: '29:x' } })), 'tenant-1|id:29:x|a:1');
    assert.notEqual(rateKeyOf(activity({ channelData: { tenant: { id: 'tenant-2' } }, conversation: { id: 'a:1', tenantId: 'tenant-2' } })), rateKeyOf(activity()));
    assert.notEqual(
      rateKeyOf(activity({ conversation: { id: '19:helpdesk@thread.tacv2', conversationType: 'channel', tenantId: 'tenant-1' } })),
      rateKeyOf(activity()),
      "an agent's channel commands do not use up their personal chat's allowance",
    );
    assert.ok(rateKeyOf(activity({ from: { id: 'x'.repeat(1000) }, conversation: { id: 'y'.repeat(1000), tenantId: 'tenant-1' } })).length < 700);
  });

  it('when only an automatic ticket.refresh is looked at, then it counts as a refresh; a pressed refresh button does not', () => {
    assert.equal(isAutomaticRefresh(refreshInvoke()), true);
    assert.equal(isAutomaticRefresh(activity({ type: 'invoke', name: 'adaptiveCard/action', value: { trigger: 'manual', action: { verb: Verbs.ticketRefresh } } })), false);
    assert.equal(isAutomaticRefresh(activity({ type: 'invoke', name: 'adaptiveCard/action', value: { trigger: 'automatic', action: { verb: Verbs.ticketClaim } } })), false);
    assert.equal(isAutomaticRefresh(activity()), false);
  });

  it('when a personal chat floods, then the first refusal is a notice, the rest are silent, an invoke is answered in place, and the log has one warning', () => {
    const log = spyLog();
    const guard = new UserRateGuard(new UserRateLimiter({ perMinute: 30, burst: 2, maxTrackedUsers: 100 }, manualClock().clock), log);
    const answers = Array.from({ length: 6 }, () => guard.check(activity()));
    assert.deepEqual(
      answers.map((a) => a?.kind),
      [undefined, undefined, 'notice', 'silent', 'silent', 'silent'],
    );
    const invoke = guard.check(activity({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'help.show' } } }));
    assert.equal(invoke?.kind, 'invoke');
    assert.ok(invoke?.kind === 'invoke');
    // The edge answers it in place as an invoke message (status, type and text: checked through the bot below).
    assert.match(invoke.text, NOTICE);
    assert.equal(log.warnings.length, 1, 'one warning per user per window, not per activity');
  });

  it('when an agent floods a channel, then the bot says nothing there (no notice for everyone to see)', () => {
    const guard = new UserRateGuard(new UserRateLimiter({ perMinute: 30, burst: 1, maxTrackedUsers: 100 }, manualClock().clock), spyLog());
    const channel = (): Activity => activity({ conversation: { id: '19:queue@thread.tacv2', conversationType: 'channel', tenantId: 'tenant-1' } });
    assert.deepEqual([guard.check(channel())?.kind, guard.check(channel())?.kind, guard.check(channel())?.kind], [undefined, 'silent', 'silent']);
  });
});

describe('user rate limit through the bot', function () {
  this.timeout(60_000);
  const h = new BotHarness();
  const time = manualClock(Date.now());

  before(() => h.start({ USER_RATE_LIMIT_PER_MINUTE: '30', USER_RATE_BURST: '10' }, undefined, { clock: time.clock }));
  after(() => h.stop());

  /** The flooding employee's one personal chat (a person has one chat with the bot, and the limit counts in it). */
  let flood: Chat;

  const texts = (activities: Array<Record<string, unknown>>): string[] =>
    activities.map((a) => (typeof a.text === 'string' && a.text ? a.text : cardsOf([a]).map(cardText).join(' ')));

  it('when one employee sends 40 messages at once while another chats, then 10 are answered, one polite notice follows, the rest get nothing, and the other employee is answered normally', async () => {
    flood = h.chat({ aadObjectId: 'rate-flooder', name: 'Flo Odd' });
    const other = h.chat({ aadObjectId: 'rate-bystander', name: 'Bea Stander' });
    const [, otherReplies] = await Promise.all([Promise.all(Array.from({ length: 40 }, () => flood.say('help'))), other.say('help')]);

    const said = texts(h.connector.messages(flood.conversationId));
    assert.equal(said.filter((t) => NOTICE.test(t)).length, 1, said.join('\n'));
    assert.equal(said.length, 11, `10 answers and one notice: ${said.join('\n')}`);
    assert.ok(said.filter((t) => !NOTICE.test(t)).every((t) => /What I can do/.test(t)));

    assert.match(texts(otherReplies).join('\n'), /What I can do/);
    assert.doesNotMatch(texts(otherReplies).join('\n'), NOTICE);
  });

  it('when the flooding employee presses a button while over the limit, then Teams gets the polite message in place and the chat gets nothing', async () => {
    const sent = await flood.execute({ verb: Verbs.helpShow });
    assert.deepEqual(sent, []);
    const body = flood.lastInvokeBody as { statusCode: number; type: string; value: string };
    assert.equal(body.type, 'application/vnd.microsoft.activity.message');
    assert.equal(body.statusCode, 200);
    assert.match(body.value, NOTICE);
  });

  it("when Teams refreshes an employee's cards automatically many times, then their own messages are still answered", async () => {
    const chat = h.chat({ aadObjectId: 'rate-refreshed', name: 'Ray Fresh' });
    for (let i = 0; i < 20; i++) {
      await chat.send({
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { trigger: 'automatic', action: { type: 'Action.Execute', verb: Verbs.ticketRefresh, data: { ticketId: 'HD-000001' } } },
      });
      assert.doesNotMatch(JSON.stringify(chat.lastInvokeBody ?? ''), NOTICE);
    }
    assert.match(texts(await chat.say('help')).join('\n'), /What I can do/);
  });

  it('when a minute has passed, then the flooding employee is answered again', async () => {
    assert.deepEqual(await flood.say('help'), [], 'still over the limit, and the notice was already given');
    time.advance(NOTICE_WINDOW_MS);
    const replies = texts(await flood.say('help')).join('\n');
    assert.match(replies, /What I can do/);
    assert.doesNotMatch(replies, NOTICE);
  });
});
