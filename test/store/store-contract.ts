/**
 * The behaviour every `Stores` backend must share (SQLite, Azure Storage), as one mocha suite.
 * `make` returns a fresh, empty backend; when it also offers `peer`, that opens a second
 * `Stores` on the same data (another bot instance), and the race tests run across the two.
 */
import assert from 'node:assert/strict';
import type { OutboxItem } from '../../src/domain/outbox';
import {
  channelPostMarkerKey,
  formatTicketId,
  OpenTicketExistsError,
  TicketConflictError,
  threadLinkKey,
  type Ticket,
  type TicketDraft,
  type TicketStatus,
} from '../../src/domain/tickets';
import type { Stores } from '../../src/store/stores';

export interface StoreFixture {
  stores: Stores;
  /** A second instance over the same data, if the backend can open one. */
  peer?: () => Promise<Stores>;
  cleanup(): Promise<void>;
}

/** A fixed clock far from 0 (epoch ms beyond 32 bits). */
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

export function contractDraft(requesterId: string, status: TicketStatus = 'new', at = '2026-11-21T10:00:00.000Z'): TicketDraft {
  const requester = { aadObjectId: requesterId, name: `Person ${requesterId}` };
  return {
    status,
    requester,
    causeId: 'stale-credentials',
    causeTitle: 'Saved sign-in details are out of date',
    confidence: 90,
    evidence: ['+ OneDrive refused with 50126 after the password change'],
    keyEvents: [],
    answers: { 'password-changed': 'yes' },
    stepsTried: [{ causeId: 'stale-credentials', stepId: 'restart-onedrive', title: 'Quit OneDrive and start it again', result: 'not-fixed', at }],
    transcript: [{ at, from: 'employee', text: 'OneDrive says 0x8004de40' }],
    history: [{ at, actor: requester, action: 'opened the ticket' }],
    createdAt: at,
    updatedAt: at,
  };
}

/** A transcript of about `chars` characters, with non-ASCII text and emoji (surrogate pairs) throughout. */
function bigTranscript(chars: number): TicketDraft['transcript'] {
  const lines: TicketDraft['transcript'] = [];
  let size = 0;
  for (let i = 0; size < chars; i++) {
    const text = `Zeile ${i}: OneDrive meldet 0x8004de40 — Grüße aus Zürich 😀🔐 ${'x'.repeat(i % 97)} ✓`;
    lines.push({ at: new Date(T0 + i * 1000).toISOString(), from: i % 2 ? 'bot' : 'employee', text });
    size += text.length + 60;
  }
  return lines;
}

/** Expects a TicketConflictError that names `ticketId`. */
async function rejectsWithConflict(promise: Promise<unknown>, ticketId: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof TicketConflictError && error.ticketId === ticketId);
}

/** Expects an OpenTicketExistsError that carries the open ticket `ticketId`. */
async function rejectsWithOpenTicket(promise: Promise<unknown>, ticketId: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof OpenTicketExistsError && error.existing.id === ticketId);
}

export function storeContractSuite(name: string, make: () => Promise<StoreFixture>): void {
  describe(`Stores contract: ${name}`, function () {
    this.timeout(60_000);
    let fixture: StoreFixture;
    const extra: Stores[] = [];
    const s = () => fixture.stores;
    /** The other instance when the backend has one, else the same one. */
    const other = async (): Promise<Stores> => {
      if (!fixture.peer) return fixture.stores;
      const peer = await fixture.peer();
      extra.push(peer);
      return peer;
    };

    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(async () => {
      for (const peer of extra.splice(0)) await peer.close();
      await fixture?.cleanup();
    });

    it('reports ready', async () => {
      assert.deepEqual(await s().ready(), { ok: true });
    });

    describe('bot storage', () => {
      it('when an item is written and read back, then the value round-trips with a non-empty string eTag', async () => {
        const value = { dialogState: { dialogStack: [{ id: 'triage', state: { pending: 'network' } }] }, n: 1, note: 'Grüße 😀' };
        await s().botStorage.write({ 'msteams/conversations/19:abc@thread.tacv2/': value });
        const items = await s().botStorage.read(['msteams/conversations/19:abc@thread.tacv2/', 'missing']);
        assert.deepEqual(Object.keys(items), ['msteams/conversations/19:abc@thread.tacv2/']);
        const { eTag, ...stored } = items['msteams/conversations/19:abc@thread.tacv2/'] as Record<string, unknown>;
        assert.deepEqual(stored, value);
        assert.equal(typeof eTag, 'string');
        assert.ok((eTag as string).length > 0);
      });

      it('when an item is written with the eTag it was read with, then the write succeeds and the eTag changes', async () => {
        await s().botStorage.write({ k: { v: 1 } });
        const read = (await s().botStorage.read(['k'])).k as Record<string, unknown>;
        await s().botStorage.write({ k: { ...read, v: 2 } });
        const after = (await s().botStorage.read(['k'])).k as Record<string, unknown>;
        assert.equal(after.v, 2);
        assert.notEqual(after.eTag, read.eTag);
      });

      it('when an item is written with a stale eTag, then the write throws an eTag conflict and the newer value stays', async () => {
        await s().botStorage.write({ k: { v: 1 } });
        const stale = (await s().botStorage.read(['k'])).k as Record<string, unknown>;
        await (await other()).botStorage.write({ k: { ...stale, v: 2 } });
        await assert.rejects(s().botStorage.write({ k: { ...stale, v: 3 } }), /eTag conflict/);
        assert.equal(((await s().botStorage.read(['k'])).k as Record<string, unknown>).v, 2);
      });

      it('when state was last written before the retention cutoff, then purgeStateBefore deletes it and keeps newer state, tickets and their stored bodies', async () => {
        const ticket = await s().tickets.create({ ...contractDraft('keeps-body'), transcript: bigTranscript(200_000) });
        await s().botStorage.write({ 'msteams/conversations/idle/': { caseFile: { transcript: ['old'] } } });
        // Nothing was written before a cutoff an hour ago.
        assert.equal(await s().purgeStateBefore(new Date(Date.now() - 3_600_000)), 0);
        assert.ok((await s().botStorage.read(['msteams/conversations/idle/']))['msteams/conversations/idle/']);
        // Everything written so far is older than a cutoff a little in the future.
        const purged = await s().purgeStateBefore(new Date(Date.now() + 2_000));
        assert.ok(purged >= 1);
        assert.deepEqual(await s().botStorage.read(['msteams/conversations/idle/']), {});
        assert.equal((await s().tickets.get(ticket.id))?.transcript.length, ticket.transcript.length);
      });

      it('when two turns write from the same read (on two instances), then exactly one wins', async () => {
        await s().botStorage.write({ k: { v: 0 } });
        const peer = await other();
        const read = (await s().botStorage.read(['k'])).k as Record<string, unknown>;
        const results = await Promise.allSettled([s().botStorage.write({ k: { ...read, v: 'a' } }), peer.botStorage.write({ k: { ...read, v: 'b' } })]);
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
      });

      it("when an item is written with eTag '*' or without an eTag, then it overwrites whatever is stored", async () => {
        await s().botStorage.write({ k: { v: 1 } });
        const read = (await s().botStorage.read(['k'])).k as Record<string, unknown>;
        await s().botStorage.write({ k: { ...read, v: 2 } });
        await s().botStorage.write({ k: { v: 3, eTag: '*' } });
        const forced = (await s().botStorage.read(['k'])).k as Record<string, unknown>;
        assert.equal(forced.v, 3);
        assert.notEqual(forced.eTag, '*');
        await s().botStorage.write({ k: { v: 4 } });
        assert.equal(((await s().botStorage.read(['k'])).k as Record<string, unknown>).v, 4);
      });

      it('when an item is deleted, then it reads as missing, deleting it again is fine, and a stale eTag may recreate it', async () => {
        await s().botStorage.write({ a: { v: 1 }, b: { v: 2 } });
        const stale = (await s().botStorage.read(['a'])).a as Record<string, unknown>;
        await s().botStorage.delete(['a', 'never-there']);
        assert.deepEqual(Object.keys(await s().botStorage.read(['a', 'b'])), ['b']);
        await s().botStorage.delete(['a']);
        // SQLite (and MemoryStorage) only compare eTags with an existing item.
        await s().botStorage.write({ a: { ...stale, v: 5 } });
        assert.equal(((await s().botStorage.read(['a'])).a as Record<string, unknown>).v, 5);
      });
    });

    describe('tickets', () => {
      it('when tickets are created, then each gets the next HD number and version 1', async () => {
        const first = await s().tickets.create(contractDraft('u1'));
        const second = await s().tickets.create(contractDraft('u2'));
        assert.equal(first.number, 1);
        assert.equal(first.id, 'HD-000001');
        assert.equal(first.version, 1);
        assert.ok(second.number > first.number);
        assert.equal(second.id, formatTicketId(second.number));
        assert.equal(first.requester.aadObjectId, 'u1');
      });

      it('when a ticket is read by id (any case), then it comes back whole; unknown ids give undefined', async () => {
        const created = await s().tickets.create(contractDraft('u1'));
        assert.deepEqual(await s().tickets.get(created.id), created);
        assert.deepEqual(created.stepsTried, contractDraft('u1').stepsTried);
        assert.deepEqual(await s().tickets.get(created.id.toLowerCase()), created);
        assert.equal(await s().tickets.get('HD-999999'), undefined);
        assert.equal(await s().tickets.get('not a ticket'), undefined);
      });

      it('when a ticket is updated with its current version, then the version is bumped and the change stored', async () => {
        const created = await s().tickets.create(contractDraft('u1'));
        const updated = await s().tickets.update({ ...created, status: 'claimed', assignee: { aadObjectId: 'agent', name: 'Agent' } });
        assert.equal(updated.version, 2);
        assert.deepEqual(await s().tickets.get(created.id), updated);
        const again = await s().tickets.update({ ...updated, status: 'waiting-on-employee' });
        assert.equal(again.version, 3);
      });

      it('when a ticket is updated with a stale version (or does not exist), then TicketConflictError is thrown and nothing changes', async () => {
        const created = await s().tickets.create(contractDraft('u1'));
        const current = await s().tickets.update({ ...created, status: 'claimed' });
        await rejectsWithConflict(s().tickets.update({ ...created, status: 'resolved' }), created.id);
        assert.deepEqual(await s().tickets.get(created.id), current);
        await rejectsWithConflict(s().tickets.update({ ...created, id: 'HD-000777', number: 777 }), 'HD-000777');
      });

      it('when two updates start from the same read, then exactly one wins', async () => {
        const created = await s().tickets.create(contractDraft('u1'));
        const peer = await other();
        const read = (await s().tickets.get(created.id))!;
        const results = await Promise.allSettled([
          s().tickets.update({ ...read, status: 'claimed', assignee: { aadObjectId: 'a1', name: 'Agent One' } }),
          peer.tickets.update({ ...read, status: 'claimed', assignee: { aadObjectId: 'a2', name: 'Agent Two' } }),
        ]);
        const won = results.filter((r): r is PromiseFulfilledResult<Ticket> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1);
        assert.equal(lost.length, 1);
        assert.ok(lost[0].reason instanceof TicketConflictError, String(lost[0].reason));
        assert.deepEqual(await s().tickets.get(created.id), won[0].value);
      });

      it('when tickets are listed by requester, then only theirs come back (closed ones too), newest first, at most 50', async () => {
        const mine: Ticket[] = [];
        for (let i = 0; i < 53; i++) {
          // One open ticket per requester: the rest are closed.
          mine.push(await s().tickets.create(contractDraft('me', i === 52 ? 'withdrawn' : i === 30 ? 'new' : 'resolved')));
          if (i % 10 === 0) await s().tickets.create(contractDraft(`someone-else-${i}`));
        }
        const listed = await s().tickets.listByRequester('me');
        assert.equal(listed.length, 50);
        assert.deepEqual(
          listed.map((t) => t.id),
          mine
            .slice(-50)
            .reverse()
            .map((t) => t.id),
        );
        assert.deepEqual(listed[0], mine[mine.length - 1]);
        assert.equal(listed[0].status, 'withdrawn');
        assert.deepEqual(await s().tickets.listByRequester("nobody's"), []);
      });

      it('when open tickets are listed, then resolved and withdrawn ones are left out, oldest first', async () => {
        const a = await s().tickets.create(contractDraft('u1'));
        const b = await s().tickets.create(contractDraft('u2', 'resolved'));
        const c = await s().tickets.create(contractDraft('u3', 'claimed'));
        const d = await s().tickets.create(contractDraft('u4', 'withdrawn'));
        const e = await s().tickets.create(contractDraft('u5', 'waiting-on-employee'));
        assert.deepEqual(
          (await s().tickets.listOpen()).map((t) => t.id),
          [a.id, c.id, e.id],
        );
        await s().tickets.update({ ...c, status: 'resolved' });
        await s().tickets.update({ ...b, status: 'claimed' });
        assert.deepEqual(
          (await s().tickets.listOpen()).map((t) => t.id),
          [a.id, b.id, e.id],
        );
        assert.ok(d);
      });

      it('when a ticket carries a 200 KB transcript, then it round-trips through create, get, update and the lists', async () => {
        const draft = { ...contractDraft('big'), transcript: bigTranscript(200_000) };
        assert.ok(JSON.stringify(draft).length > 200_000);
        const created = await s().tickets.create(draft);
        assert.deepEqual(await s().tickets.get(created.id), created);
        const longer = { ...created, transcript: [...created.transcript, { at: created.updatedAt, from: 'bot' as const, text: 'Noch eine Zeile 🙂' }] };
        const updated = await s().tickets.update(longer);
        assert.deepEqual(await s().tickets.get(created.id), updated);
        assert.deepEqual(await s().tickets.listByRequester('big'), [updated]);
        assert.deepEqual(await s().tickets.listOpen(), [updated]);
      });

      it('when a ticket is larger than a table entity can hold (~1.5 MB), then it still round-trips, and shrinking it works', async () => {
        const created = await s().tickets.create({ ...contractDraft('huge'), transcript: bigTranscript(1_500_000) });
        assert.deepEqual(await s().tickets.get(created.id), created);
        const grown = await s().tickets.update({ ...created, transcript: bigTranscript(1_600_000) });
        assert.deepEqual(await s().tickets.get(created.id), grown);
        const small = await s().tickets.update({ ...grown, transcript: [] });
        assert.deepEqual(await s().tickets.get(created.id), small);
        assert.deepEqual(await s().tickets.listOpen(), [small]);
      });

      it('when 20 tickets are created concurrently (from two instances), then they get 20 distinct numbers', async () => {
        const peer = await other();
        const created = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? peer : s()).tickets.create(contractDraft(`c${i}`))));
        const numbers = created.map((t) => t.number);
        assert.equal(new Set(numbers).size, 20);
        assert.equal(new Set(created.map((t) => t.id)).size, 20);
        for (const ticket of created) assert.deepEqual(await s().tickets.get(ticket.id), ticket);
        assert.equal((await s().tickets.listOpen()).length, 20);
      });
    });

    describe('tickets: one open ticket per requester, first deliveries, retention', () => {
      it('when the requester already has an open ticket, then create throws OpenTicketExistsError with it and writes nothing', async () => {
        const first = await s().tickets.create(contractDraft('u1'));
        await rejectsWithOpenTicket(s().tickets.create(contractDraft('u1')), first.id);
        await rejectsWithOpenTicket(s().tickets.create(contractDraft('u1', 'claimed')), first.id);
        assert.deepEqual(
          (await s().tickets.listByRequester('u1')).map((t) => t.id),
          [first.id],
        );
        assert.deepEqual(await s().tickets.findOpenByRequester('u1'), first);
        // Others are not affected.
        const other = await s().tickets.create(contractDraft('u2'));
        assert.notEqual(other.id, first.id);
      });

      it('when the open ticket is resolved or withdrawn, then the requester can open a new one; a closed draft is always stored', async () => {
        const first = await s().tickets.create(contractDraft('u1'));
        await s().tickets.update({ ...first, status: 'resolved' });
        assert.equal(await s().tickets.findOpenByRequester('u1'), undefined);
        const second = await s().tickets.create(contractDraft('u1'));
        await s().tickets.update({ ...second, status: 'withdrawn' });
        const third = await s().tickets.create(contractDraft('u1'));
        const closed = await s().tickets.create(contractDraft('u1', 'resolved'));
        assert.equal((await s().tickets.findOpenByRequester('u1'))?.id, third.id);
        assert.equal(new Set([first.id, second.id, third.id, closed.id]).size, 4);
      });

      it('when a closed ticket is reopened, then it counts as the open one and a new ticket is refused', async () => {
        const first = await s().tickets.create(contractDraft('u1'));
        const resolved = await s().tickets.update({ ...first, status: 'resolved' });
        await s().tickets.update({ ...resolved, status: 'new' });
        await rejectsWithOpenTicket((await other()).tickets.create(contractDraft('u1')), first.id);
      });

      it('when several creates for one requester race (on two instances), then exactly one ticket is opened and the rest are shown it', async () => {
        const peer = await other();
        const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => (i % 2 ? peer : s()).tickets.create(contractDraft('racer'))));
        const won = results.filter((r): r is PromiseFulfilledResult<Ticket> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1, results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.value.id)).join(' | '));
        for (const loss of lost) {
          assert.ok(loss.reason instanceof OpenTicketExistsError, String(loss.reason));
          assert.equal(loss.reason.existing.id, won[0].value.id);
        }
        assert.deepEqual(
          (await s().tickets.listByRequester('racer')).map((t) => t.id),
          [won[0].value.id],
        );
      });

      it('when a ticket is created with deliveries, then they are queued for it, computed from the stored ticket', async () => {
        const ticket = await s().tickets.create(contractDraft('u1'), {
          deliveries: (t) => [
            { kind: 'channel-card', payload: { ticketId: t.id } },
            { kind: 'webhook', payload: { ticketId: t.id, event: 'created', at: t.createdAt } },
          ],
          now: T0,
        });
        assert.equal(await s().outbox.hasOpenItem('channel-card', ticket.id), true);
        const items = await s().outbox.claimDue(T0, 30_000, 10);
        assert.deepEqual(items.map((i) => [i.kind, i.payload]).sort(), [
          ['channel-card', { ticketId: ticket.id }],
          ['webhook', { ticketId: ticket.id, event: 'created', at: ticket.createdAt }],
        ]);
        // A refused create queues nothing.
        await rejectsWithOpenTicket(s().tickets.create(contractDraft('u1'), { deliveries: (t) => [{ kind: 'channel-card', payload: { ticketId: t.id } }], now: T0 }), ticket.id);
        assert.deepEqual(await s().outbox.claimDue(T0 + 1000, 30_000, 10), []);
        assert.equal(await s().outbox.pendingCount(), 2);
      });

      it('when closed tickets are older than the cutoff, then purgeClosedBefore deletes them and their thread links, and nothing else', async () => {
        const old = '2026-01-10T08:00:00.000Z';
        const recent = '2026-11-20T08:00:00.000Z';
        const cutoff = new Date('2026-06-01T00:00:00.000Z');
        const resolvedOld = await s().tickets.create({ ...contractDraft('a', 'resolved', old), transcript: bigTranscript(500_000) });
        const withdrawnOld = await s().tickets.create(contractDraft('b', 'withdrawn', old));
        const resolvedRecent = await s().tickets.create(contractDraft('c', 'resolved', recent));
        const openOld = await s().tickets.create(contractDraft('d', 'claimed', old));
        const closedLater = await s().tickets.create(contractDraft('e', 'new', old));
        await s().tickets.update({ ...closedLater, status: 'resolved', updatedAt: recent });
        const threads: Record<string, string> = {};
        for (const t of [resolvedOld, withdrawnOld, resolvedRecent, openOld]) {
          threads[t.id] = `19:queue@thread.tacv2;messageid=${t.number}`;
          await s().settings.set(threadLinkKey(threads[t.id]), t.id);
        }
        await s().settings.set('helpdesk-channel', { channelId: '19:queue@thread.tacv2' });
        // The in-flight marker of a channel post (cleared to null after the post) goes too.
        await s().settings.set(channelPostMarkerKey(resolvedOld.id), null);
        await s().settings.set(channelPostMarkerKey(resolvedRecent.id), null);

        const purged = await s().tickets.purgeClosedBefore(cutoff);
        assert.deepEqual([...purged].sort(), [resolvedOld.id, withdrawnOld.id].sort());
        assert.equal(await s().tickets.get(resolvedOld.id), undefined);
        assert.equal(await s().tickets.get(withdrawnOld.id), undefined);
        for (const kept of [resolvedRecent, openOld]) assert.equal((await s().tickets.get(kept.id))?.id, kept.id);
        assert.equal((await s().tickets.get(closedLater.id))?.status, 'resolved');
        assert.deepEqual(await s().tickets.listByRequester('a'), []);
        assert.equal(await s().settings.get(threadLinkKey(threads[resolvedOld.id])), undefined);
        assert.equal(await s().settings.get(threadLinkKey(threads[withdrawnOld.id])), undefined);
        assert.equal(await s().settings.get(threadLinkKey(threads[resolvedRecent.id])), resolvedRecent.id);
        assert.equal(await (await other()).settings.get(threadLinkKey(threads[openOld.id])), openOld.id);
        assert.deepEqual(await s().settings.get('helpdesk-channel'), { channelId: '19:queue@thread.tacv2' });
        assert.equal(await s().settings.get(channelPostMarkerKey(resolvedOld.id)), undefined);
        assert.equal(await s().settings.get(channelPostMarkerKey(resolvedRecent.id)), null);
        // Idempotent, and the purged requester may open a new ticket.
        assert.deepEqual(await s().tickets.purgeClosedBefore(cutoff), []);
        assert.equal((await s().tickets.create(contractDraft('a'))).requester.aadObjectId, 'a');
      });
    });

    describe('outbox', () => {
      it('when an item is enqueued, then claimDue hands it out once, with its payload and attempt count', async () => {
        const id = await s().outbox.enqueue('notify-employee', { ticketId: 'HD-000001', text: 'Grüße 😀' }, T0);
        assert.equal(typeof id, 'string');
        assert.equal(await s().outbox.pendingCount(), 1);
        const claimed = await s().outbox.claimDue(T0, 30_000, 10);
        assert.deepEqual(claimed, [{ id, kind: 'notify-employee', payload: { ticketId: 'HD-000001', text: 'Grüße 😀' }, attempts: 1, nextAttemptAt: T0, lastError: undefined }]);
        assert.deepEqual(await s().outbox.claimDue(T0 + 29_999, 30_000, 10), []);
        assert.deepEqual(await (await other()).outbox.claimDue(T0 + 1, 30_000, 10), []);
        assert.equal(await s().outbox.pendingCount(), 1);
      });

      it('when an item is not due yet, then it is not claimed until its time', async () => {
        await s().outbox.enqueue('webhook', { n: 1 }, T0 + 5000);
        assert.deepEqual(await s().outbox.claimDue(T0, 30_000, 10), []);
        assert.equal((await s().outbox.claimDue(T0 + 5000, 30_000, 10)).length, 1);
      });

      it('when a lease runs out without completion, then the item is claimable again with one more attempt', async () => {
        const id = await s().outbox.enqueue('channel-card', { n: 1 }, T0);
        await s().outbox.claimDue(T0, 1000, 10);
        const again = await s().outbox.claimDue(T0 + 1000, 1000, 10);
        assert.deepEqual(
          again.map((i) => [i.id, i.attempts]),
          [[id, 2]],
        );
      });

      it('when an item is retried later, then it is not due before that time and due again after, with the error kept', async () => {
        const id = await s().outbox.enqueue('channel-reply', { n: 1 }, T0);
        const [item] = await s().outbox.claimDue(T0, 30_000, 10);
        await s().outbox.retryLater(item.id, 'HTTP 502 from the connector', T0 + 10_000);
        assert.deepEqual(await s().outbox.claimDue(T0 + 9_999, 30_000, 10), []);
        const due = await s().outbox.claimDue(T0 + 10_000, 30_000, 10);
        assert.equal(due.length, 1);
        assert.equal(due[0].id, id);
        assert.equal(due[0].attempts, 2);
        assert.equal(due[0].nextAttemptAt, T0 + 10_000);
        assert.equal(due[0].lastError, 'HTTP 502 from the connector');
      });

      it('when an item is completed, then it leaves pendingCount and is never handed out again', async () => {
        const a = await s().outbox.enqueue('notify-agent', { n: 1 }, T0);
        await s().outbox.enqueue('notify-agent', { n: 2 }, T0);
        assert.equal(await s().outbox.pendingCount(), 2);
        const claimed = await s().outbox.claimDue(T0, 30_000, 10);
        assert.equal(claimed.length, 2);
        await s().outbox.complete(a, T0 + 1);
        assert.equal(await s().outbox.pendingCount(), 1);
        await s().outbox.retryLater(a, 'late failure report', T0 + 2);
        await s().outbox.complete(a, T0 + 3);
        assert.equal(await s().outbox.pendingCount(), 1);
        const later = await s().outbox.claimDue(T0 + 10 * 60_000, 30_000, 10);
        assert.deepEqual(
          later.map((i) => i.payload),
          [{ n: 2 }],
        );
      });

      it('when more items are due than the limit, then they are claimed in enqueue order, limit at a time', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push(await s().outbox.enqueue('webhook', { i }, T0));
        const first = await s().outbox.claimDue(T0, 30_000, 3);
        const rest = await s().outbox.claimDue(T0, 30_000, 3);
        assert.deepEqual(
          first.map((i) => i.id),
          ids.slice(0, 3),
        );
        assert.deepEqual(
          rest.map((i) => i.id),
          ids.slice(3),
        );
        assert.deepEqual(await s().outbox.claimDue(T0, 30_000, 0), []);
      });

      it('when two instances claim concurrently, then no item is handed to both', async () => {
        const peer = await other();
        const ids: string[] = [];
        for (let i = 0; i < 12; i++) ids.push(await s().outbox.enqueue('incident-card', { i }, T0));
        const rounds = await Promise.all([
          s().outbox.claimDue(T0, 30_000, 12),
          peer.outbox.claimDue(T0, 30_000, 12),
          s().outbox.claimDue(T0, 30_000, 12),
          peer.outbox.claimDue(T0, 30_000, 12),
        ]);
        const all = rounds.flat().map((i: OutboxItem) => i.id);
        assert.equal(new Set(all).size, all.length, 'an item was claimed twice');
        // Whatever a loser skipped is still there for the next round.
        const leftover = await s().outbox.claimDue(T0, 30_000, 12);
        assert.deepEqual([...all, ...leftover.map((i) => i.id)].sort(), [...ids].sort());
      });

      it('when a payload is large, then it round-trips', async () => {
        const payload = { card: { body: Array.from({ length: 3000 }, (_, i) => ({ type: 'TextBlock', text: `Zeile ${i} — ✓ 😀` })) } };
        assert.ok(JSON.stringify(payload).length > 100_000);
        await s().outbox.enqueue('channel-card', payload, T0);
        const [item] = await s().outbox.claimDue(T0, 30_000, 1);
        assert.deepEqual(item.payload, payload);
      });

      it('when an item is dead-lettered, then it is kept with its error, never claimed again, counted, listed, and one notice is queued for it', async () => {
        const id = await s().outbox.enqueue('notify-employee', { ticketId: 'HD-000007', text: 'hello' }, T0);
        const [item] = await s().outbox.claimDue(T0, 30_000, 10);
        assert.equal(item.id, id);
        await s().outbox.deadLetter(id, 'the Bot Connector answered 403', T0 + 1);
        await s().outbox.deadLetter(id, 'a second report', T0 + 2);
        await s().outbox.complete(id, T0 + 3);
        await s().outbox.retryLater(id, 'late', T0 + 4);
        assert.equal(await s().outbox.deadLetterCount(), 1);
        assert.equal(await (await other()).outbox.deadLetterCount(), 1);
        const dead = await s().outbox.listDeadLetters(10);
        assert.deepEqual(
          dead.map((d) => [d.id, d.kind, d.payload, d.lastError, d.deadAt]),
          [[id, 'notify-employee', { ticketId: 'HD-000007', text: 'hello' }, 'the Bot Connector answered 403', T0 + 1]],
        );
        // Only the notice is left to deliver, once.
        assert.equal(await s().outbox.pendingCount(), 1);
        const due = await s().outbox.claimDue(T0 + 10 * 60_000, 30_000, 10);
        assert.equal(due.length, 1);
        assert.equal(due[0].kind, 'dead-letter-notice');
        assert.deepEqual(due[0].payload, { deadItemId: id, deadKind: 'notify-employee', ticketId: 'HD-000007', attempts: 1, error: 'the Bot Connector answered 403' });
      });

      it('when dead items are requeued, then they are claimed again with their attempts reset and no longer counted as dead', async () => {
        const id = await s().outbox.enqueue('notify-employee', { ticketId: 'HD-000008', text: 'again' }, T0);
        await s().outbox.claimDue(T0, 30_000, 10);
        await s().outbox.deadLetter(id, 'HTTP 503', T0 + 1);
        assert.equal(await s().outbox.requeueDeadLetters(T0 + 2), 1, 'the item (its notice is pending, not dead)');
        assert.equal(await s().outbox.deadLetterCount(), 0);
        assert.equal(await s().outbox.requeueDeadLetters(T0 + 3), 0);
        const due = await s().outbox.claimDue(T0 + 10 * 60_000, 30_000, 10);
        const again = due.find((d) => d.id === id);
        assert.ok(again, 'the requeued item is claimed');
        assert.equal(again.attempts, 1);
      });

      it('when a dead-letter notice itself is dead-lettered, then no further notice is queued; a completed item cannot be dead-lettered', async () => {
        const id = await s().outbox.enqueue('incident-card', { n: 1 }, T0);
        await s().outbox.claimDue(T0, 30_000, 10);
        await s().outbox.deadLetter(id, 'HTTP 404', T0);
        const [notice] = await s().outbox.claimDue(T0, 30_000, 10);
        assert.equal(notice.kind, 'dead-letter-notice');
        await s().outbox.deadLetter(notice.id, 'HTTP 403: the bot left the team', T0 + 1);
        assert.equal(await s().outbox.deadLetterCount(), 2);
        assert.equal(await s().outbox.pendingCount(), 0);
        assert.deepEqual(await s().outbox.claimDue(T0 + 10 * 60_000, 30_000, 10), []);
        const done = await s().outbox.enqueue('webhook', { ticketId: 'HD-000001' }, T0);
        await s().outbox.claimDue(T0, 30_000, 10);
        await s().outbox.complete(done, T0 + 1);
        await s().outbox.deadLetter(done, 'too late', T0 + 2);
        assert.equal(await s().outbox.deadLetterCount(), 2);
        assert.deepEqual(
          (await s().outbox.listDeadLetters(1)).map((d) => d.id),
          [id],
        );
      });

      it('when items share a ticket and destination, then they are claimed one at a time in order; other tickets and destinations do not wait', async () => {
        const a1 = await s().outbox.enqueue('channel-card', { ticketId: 'HD-000001' }, T0);
        const a2 = await s().outbox.enqueue('channel-reply', { ticketId: 'HD-000001', text: 'second' }, T0);
        const b1 = await s().outbox.enqueue('channel-card', { ticketId: 'HD-000002' }, T0);
        const e1 = await s().outbox.enqueue('notify-employee', { ticketId: 'HD-000001', text: 'x' }, T0);
        const free = await s().outbox.enqueue('incident-card', { n: 1 }, T0);
        const first = await s().outbox.claimDue(T0, 30_000, 10);
        assert.deepEqual(
          first.map((i) => i.id),
          [a1, b1, e1, free],
        );
        for (const id of [b1, e1, free]) await s().outbox.complete(id, T0);
        // a2 waits while a1 is in flight (on this instance or another) …
        assert.deepEqual(await (await other()).outbox.claimDue(T0 + 1, 30_000, 10), []);
        // … and while a1 waits for its retry, even though a2 itself is due.
        await s().outbox.retryLater(a1, 'HTTP 503', T0 + 60_000);
        assert.deepEqual(await s().outbox.claimDue(T0 + 2, 30_000, 10), []);
        const retried = await s().outbox.claimDue(T0 + 60_000, 30_000, 10);
        assert.deepEqual(
          retried.map((i) => i.id),
          [a1],
        );
        await s().outbox.complete(a1, T0 + 60_001);
        assert.deepEqual(
          (await s().outbox.claimDue(T0 + 60_002, 30_000, 10)).map((i) => i.id),
          [a2],
        );
      });

      it('when an earlier item of a ticket is dead, then the later ones are not held back by it', async () => {
        const a1 = await s().outbox.enqueue('notify-employee', { ticketId: 'HD-000003', text: '1' }, T0);
        const a2 = await s().outbox.enqueue('notify-employee', { ticketId: 'HD-000003', text: '2' }, T0);
        await s().outbox.claimDue(T0, 30_000, 10);
        await s().outbox.deadLetter(a1, 'gone', T0 + 1);
        const next = await s().outbox.claimDue(T0 + 2, 30_000, 10);
        assert.deepEqual(
          next.map((i) => i.id).filter((id) => id === a2),
          [a2],
        );
      });

      it('when an item is deferred, then the attempt is given back and it is due again at the given time', async () => {
        await s().outbox.enqueue('channel-card', { ticketId: 'HD-000004' }, T0);
        const [item] = await s().outbox.claimDue(T0, 30_000, 10);
        assert.equal(item.attempts, 1);
        await s().outbox.defer(item.id, 'no help desk channel yet', T0 + 5000);
        assert.deepEqual(await s().outbox.claimDue(T0 + 4999, 30_000, 10), []);
        const [again] = await s().outbox.claimDue(T0 + 5000, 30_000, 10);
        assert.equal(again.attempts, 1);
        assert.equal(again.lastError, 'no help desk channel yet');
      });

      it('when an item of a kind is pending, in flight or dead for a ticket, then hasOpenItem says so; once delivered it does not', async () => {
        assert.equal(await s().outbox.hasOpenItem('channel-card', 'HD-000005'), false);
        const id = await s().outbox.enqueue('channel-card', { ticketId: 'HD-000005' }, T0);
        await s().outbox.enqueue('notify-employee', { ticketId: 'HD-000006', text: 'x' }, T0);
        assert.equal(await s().outbox.hasOpenItem('channel-card', 'HD-000005'), true);
        assert.equal(await (await other()).outbox.hasOpenItem('channel-card', 'HD-000005'), true);
        assert.equal(await s().outbox.hasOpenItem('channel-card', 'HD-000006'), false);
        assert.equal(await s().outbox.hasOpenItem('webhook', 'HD-000005'), false);
        await s().outbox.claimDue(T0, 30_000, 10);
        assert.equal(await s().outbox.hasOpenItem('channel-card', 'HD-000005'), true);
        await s().outbox.complete(id, T0 + 1);
        assert.equal(await s().outbox.hasOpenItem('channel-card', 'HD-000005'), false);
        const dead = await s().outbox.enqueue('channel-card', { ticketId: 'HD-000005' }, T0 + 2);
        await s().outbox.claimDue(T0 + 2, 30_000, 10);
        await s().outbox.deadLetter(dead, 'HTTP 403', T0 + 3);
        assert.equal(await s().outbox.hasOpenItem('channel-card', 'HD-000005'), true);
      });
    });

    describe('settings', () => {
      it('when a setting is set, then get returns it; unknown keys give undefined; set overwrites', async () => {
        assert.equal(await s().settings.get('helpdesk-channel'), undefined);
        const channel = { teamId: '19:team@thread.tacv2', channelId: '19:chan@thread.tacv2', name: 'Help desk ✓' };
        await s().settings.set('helpdesk-channel', channel);
        assert.deepEqual(await s().settings.get('helpdesk-channel'), channel);
        await s().settings.set('helpdesk-channel', { ...channel, name: 'Renamed' });
        assert.deepEqual(await s().settings.get('helpdesk-channel'), { ...channel, name: 'Renamed' });
        assert.deepEqual(await (await other()).settings.get('helpdesk-channel'), { ...channel, name: 'Renamed' });
      });

      it('when keys hold awkward characters or values are scalars or large, then they round-trip', async () => {
        const keys = ['thread:19:abc@thread.tacv2', 'a/b\\c#d?e', 'ünï 😀', 'x'.repeat(600)];
        for (const [i, key] of keys.entries()) await s().settings.set(key, i);
        for (const [i, key] of keys.entries()) assert.equal(await s().settings.get<number>(key), i);
        await s().settings.set('string', 'HD-000042');
        assert.equal(await s().settings.get('string'), 'HD-000042');
        await s().settings.set('null', null);
        assert.equal(await s().settings.get('null'), null);
        const roster = Array.from({ length: 5000 }, (_, i) => ({ id: `user-${i}`, name: `Person ${i} Müller` }));
        await s().settings.set('roster', roster);
        assert.deepEqual(await s().settings.get('roster'), roster);
      });
    });
  });
}
