import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CARD_BUDGET_BYTES,
  cardBytes,
  fitToBudget,
  renderAgentTicketCard,
  renderDiagnosisCard,
  renderEscalateCard,
  renderFixStepCard,
  renderIncidentCard,
  renderLookupResultCard,
  renderMessageCard,
  renderQuestionCard,
  renderResolvedCard,
  renderTicketCard,
  renderTicketListCard,
  renderTicketResolvedCard,
  renderWelcomeCard,
  shrinkCard,
  type AdaptiveCard,
  type Shrinker,
} from '../../src/cards';
import { presentAgentTicket, presentTicketList } from '../../src/desk/present-agent';
import { presentEvent, presentQuestion, presentTicket } from '../../src/dialogs/present';
import { newCaseFile } from '../../src/domain/case-file';
import type { SignInEvent } from '../../src/domain/directory';
import { claimTicket } from '../../src/domain/handoff';
import { draftTicket, type Person, type Ticket } from '../../src/domain/tickets';
import { validateAdaptiveCard } from './adaptive-cards-validator';
import { assertValidCard, collectActions, jsonBytes, texts, type Json } from './card-test-helpers';

/** Teams refuses a message over about 28 KB; every card must stay under it. */
const TEAMS_LIMIT = 28_000;

const NOW = new Date('2026-11-20T12:00:00.000Z');
const NOTE = 'OneDrive keeps asking me to sign in. '.repeat(300).slice(0, 10_000);
/** Four UTF-8 bytes per emoji, three per CJK character: bytes, not characters, are what count. */
const WIDE = '😀漢字 '.repeat(2500);
const LONG_NAME = `Alexandra ${'Wilberforce-'.repeat(40)}`;

function assertFits(card: AdaptiveCard, maxBytes = CARD_BUDGET_BYTES): void {
  const bytes = jsonBytes(card);
  assert.ok(bytes <= maxBytes, `${bytes} bytes, over ${maxBytes}`);
  assert.ok(bytes < TEAMS_LIMIT);
  assertValidCard(card, { acceptedProblems: ['validate: Duplicate Id "note".'] });
}

/** A real ticket at its worst: 10 000-character notes, 500 history entries, 300 transcript lines, long names. */
function hugeTicket(text: string = NOTE): Ticket {
  const employee: Person = { aadObjectId: 'aad-employee', name: LONG_NAME, upn: `${'a'.repeat(300)}@contoso.test` };
  const agent: Person = { aadObjectId: 'aad-agent', name: `Kari ${'Nordmann '.repeat(50)}` };
  const caseFile = newCaseFile(NOW);
  caseFile.answers = { 'password-changed': 'yes', 'error-message': 'credentials' };
  caseFile.steps = Array.from({ length: 30 }, (_, i) => ({
    causeId: 'stale-credentials' as const,
    stepId: `s${i}`,
    title: `Step ${i} ${text.slice(0, 600)}`,
    result: 'not-fixed' as const,
    at: NOW.toISOString(),
  }));
  const draft = draftTicket({
    caseFile,
    requester: employee,
    causeId: 'stale-credentials',
    causeTitle: 'Saved sign-in details are out of date',
    evidence: Array.from({ length: 100 }, (_, i) => `Evidence ${i}: ${text.slice(0, 1500)}`),
    keyEvents: Array.from({ length: 100 }, (_, i) => `Sign-in ${i}: ${text.slice(0, 1500)}`),
    details: text,
    lookupNote: text,
    now: NOW,
  });
  const ticket: Ticket = { ...draft, id: 'HD-000042', number: 42, version: 1 };
  assert.ok(claimTicket(ticket, agent, NOW).ok);
  for (let i = 0; i < 500; i++)
    ticket.history.push({ at: NOW.toISOString(), actor: i % 2 ? agent : employee, action: 'replied', note: `Update ${i + 1}: ${text}`, internal: i % 7 === 0 ? true : undefined });
  ticket.transcript = Array.from({ length: 300 }, (_, i) => ({ at: NOW.toISOString(), from: i % 2 ? ('agent' as const) : ('employee' as const), text: `Line ${i + 1}: ${text}` }));
  return ticket;
}

/** 500 agents with long names and Teams user ids (MRIs) as long as real ones: the card's refresh names 60 of them. */
const ROSTER = Array.from({ length: 500 }, (_, i) => ({
  aadObjectId: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
  name: `Agent ${i} ${'Longname '.repeat(30)}`,
  mri: `29:${String(i).padStart(3, '0')}${'1bSnHZ7Js2STWrgk6ScEErLk1Lp2zQuD5H2qQ960rtvstKp8tKLl-3r8b6DoW0QxZimuTxk_kupZ1DBMpvIQQUAZL-PNj0EORDvRZXy8kvWk'.slice(0, 107)}`,
}));

function hugeSignIn(i: number, text: string): SignInEvent {
  return {
    id: String(i),
    createdDateTime: NOW.toISOString(),
    appDisplayName: `App ${i} ${text.slice(0, 500)}`,
    status: { errorCode: 987654, failureReason: text.slice(0, 2000) },
    deviceDetail: { displayName: `Device ${text.slice(0, 300)}`, operatingSystem: 'Windows' },
    location: { city: text.slice(0, 300), countryOrRegion: 'NO' },
    appliedConditionalAccessPolicies: [{ id: 'p', displayName: `Policy ${text.slice(0, 500)}`, result: 'failure' }] as SignInEvent['appliedConditionalAccessPolicies'],
  };
}

function showCard(card: AdaptiveCard, title: string): Json | undefined {
  return collectActions(card).find(({ action }) => action.type === 'Action.ShowCard' && action.title === title)?.action.card as Json | undefined;
}

/** A card with one TextBlock per item, for the budget's own tests. */
function listCard(items: readonly string[], extra: Json = {}): AdaptiveCard {
  return { type: 'AdaptiveCard', version: '1.5', body: items.map((text) => ({ type: 'TextBlock', text, wrap: true })), ...extra };
}

describe('card budget', () => {
  describe('cardBytes', () => {
    it('when a card holds emoji and CJK text, then its size is counted in UTF-8 bytes of its JSON', () => {
      const card = listCard(['😀漢']);
      assert.equal(cardBytes(card), Buffer.byteLength(JSON.stringify(card), 'utf8'));
      assert.equal(cardBytes(listCard(['😀漢'])) - cardBytes(listCard([''])), 7);
    });
  });

  describe('fitToBudget', () => {
    const line = 'x'.repeat(100);
    const render = (count: number): AdaptiveCard => listCard(Array.from({ length: count }, () => line));
    const fewer: Shrinker<number> = (count) => Array.from({ length: count - 1 }, (_, i) => count - 1 - i);

    it('when the first render fits, then it is returned as it is, rendered once', () => {
      let renders = 0;
      const card = fitToBudget(5, (n) => (renders++, render(n)), [fewer], 10_000);
      assert.equal(renders, 1);
      assert.equal((card.body as unknown[]).length, 5);
    });

    it('when a shrinker can make it fit, then the mildest version that fits is kept, in a few renders', () => {
      let renders = 0;
      const budget = cardBytes(render(37));
      const card = fitToBudget(100, (n) => (renders++, render(n)), [fewer], budget);
      assert.equal((card.body as unknown[]).length, 37);
      assert.ok(renders <= 10, `${renders} renders`);
    });

    it('when one shrinker is not enough, then the next one goes on from its smallest version', () => {
      type S = { count: number; length: number };
      const renderS = (s: S): AdaptiveCard => listCard(Array.from({ length: s.count }, () => 'y'.repeat(s.length)));
      const shrinkers: Array<Shrinker<S>> = [
        (s) => (s.count > 2 ? [{ ...s, count: 2 }] : []),
        (s) => [500, 200, 50, 10].filter((n) => n < s.length).map((length) => ({ ...s, length })),
      ];
      const budget = cardBytes(renderS({ count: 2, length: 200 }));
      const card = fitToBudget({ count: 50, length: 1000 }, renderS, shrinkers, budget);
      assert.deepEqual(texts(card), ['y'.repeat(200), 'y'.repeat(200)]);
    });

    it('when no shrinker is enough, then shrinkCard trims the rest and the card still fits', () => {
      const card = fitToBudget(1, () => listCard(['z'.repeat(50_000)]), [], 2_000);
      assert.ok(cardBytes(card) <= 2_000);
      assert.deepEqual(validateAdaptiveCard(card), []);
    });
  });

  describe('shrinkCard', () => {
    it('when the card fits, then the very same card comes back', () => {
      const card = listCard(['short']);
      assert.equal(shrinkCard(card, 10_000), card);
    });

    it('when one text is huge, then that text is shortened with "…" and the short ones are kept', () => {
      const card = listCard(['Title', 'w'.repeat(60_000), 'Footer']);
      const shrunk = shrinkCard(card, 5_000);
      assert.ok(cardBytes(shrunk) <= 5_000);
      const [title, long, footer] = texts(shrunk);
      assert.equal(title, 'Title');
      assert.equal(footer, 'Footer');
      assert.ok(long.endsWith('…') && long.length < 5_000);
      assert.equal(texts(card)[1].length, 60_000, 'the input card is not changed');
    });

    it('when many short texts are too much, then optional sections are left out, the last first, with a notice', () => {
      const section = (id: string): Json => ({ type: 'Container', id, items: Array.from({ length: 40 }, () => ({ type: 'TextBlock', text: 'q'.repeat(150), wrap: true })) });
      const card: AdaptiveCard = {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'TextBlock', text: 'Heading', wrap: true }, section('optional-first'), section('optional-second'), { type: 'TextBlock', text: 'Always here', wrap: true }],
        actions: [{ type: 'Action.Submit', title: 'Go', data: { verb: 'help.show' } }],
      };
      const budget = cardBytes(card) - 2_000;
      const shrunk = shrinkCard(card, budget);
      assert.ok(cardBytes(shrunk) <= budget);
      const ids = (shrunk.body as Json[]).map((item) => item.id ?? item.text);
      assert.deepEqual(ids, ['Heading', 'optional-first', 'Always here', 'Part of this card was left out to fit Teams’ size limit.']);
      assert.deepEqual(shrunk.actions, card.actions);
      assert.deepEqual(validateAdaptiveCard(shrunk), []);
    });

    it('when even the shortest texts do not fit, then a minimal card says so and keeps refresh and actions if they fit', () => {
      const refresh = { action: { type: 'Action.Execute', title: 'Refresh', verb: 'ticket.refresh', data: { verb: 'ticket.refresh', ticketId: 'HD-1' } } };
      const card = listCard(
        Array.from({ length: 500 }, () => 'm'.repeat(100)),
        { refresh, actions: [{ type: 'Action.Execute', title: 'Claim', verb: 'ticket.claim', data: { verb: 'ticket.claim', ticketId: 'HD-1' } }] },
      );
      const shrunk = shrinkCard(card, 800);
      assert.ok(cardBytes(shrunk) <= 800);
      assert.match(texts(shrunk)[0], /too large for Teams/);
      assert.deepEqual(shrunk.refresh, refresh);
      assert.equal((shrunk.actions as Json[])[0].title, 'Claim');
      assert.deepEqual(validateAdaptiveCard(shrunk), []);
      assert.ok(cardBytes(shrinkCard(card, 60)) <= 60, 'below a minimal card, the smallest possible one');
    });

    it('when any card of texts, facts and sections meets any budget, then the result fits, is valid and nothing throws', () => {
      // "${" would read as a template left unexpanded; that is the validator's business, not the budget's.
      const text = fc.string({ maxLength: 3000 }).map((t) => t.replace(/\$\{/g, '$ {'));
      const element: fc.Arbitrary<Json> = fc.oneof(
        text.map((t) => ({ type: 'TextBlock', text: t, wrap: true })),
        fc.array(text, { minLength: 1, maxLength: 3 }).map((runs) => ({ type: 'RichTextBlock', inlines: runs.map((t) => ({ type: 'TextRun', text: t })) })),
        fc
          .array(
            fc.tuple(
              fc.string({ minLength: 1, maxLength: 20 }).map((t) => t.replace(/\$\{/g, '$ {')),
              text,
            ),
            { minLength: 1, maxLength: 4 },
          )
          .map((facts) => ({ type: 'FactSet', facts: facts.map(([title, value]) => ({ title, value })) })),
      );
      const section: fc.Arbitrary<Json> = fc
        .tuple(fc.boolean(), fc.array(element, { minLength: 1, maxLength: 6 }))
        .map(([optional, items]) => ({ type: 'Container', optional, items }));
      fc.assert(
        fc.property(fc.array(fc.oneof(element, section), { maxLength: 25 }), fc.integer({ min: 300, max: 30_000 }), (items, budget) => {
          // Optional sections get unique ids, as in the bot's templates.
          const body = items.map(({ optional, ...item }, i) => (optional ? { ...item, id: `optional-${i}` } : item));
          const card: AdaptiveCard = { type: 'AdaptiveCard', version: '1.5', body };
          const shrunk = shrinkCard(card, budget);
          assert.ok(cardBytes(shrunk) <= budget, `${cardBytes(shrunk)} > ${budget}`);
          assert.deepEqual(validateAdaptiveCard(shrunk), []);
        }),
        { numRuns: 60 },
      );
    });
  });

  describe(`every card under Teams' limit with huge inputs`, () => {
    for (const [label, text] of [
      ['ASCII', NOTE],
      ['emoji and CJK', WIDE],
    ] as const) {
      it(`when the agents' card shows a huge ticket (${label}) and a 500-agent roster, then it fits and keeps its actions`, () => {
        const card = renderAgentTicketCard(presentAgentTicket(hugeTicket(text), ROSTER, 'UTC'));
        assertFits(card);
        assert.deepEqual(
          ((card.actions ?? []) as Json[]).map((action) => action.title),
          ['Claim', 'Reply', 'Transfer', 'Send fix', 'Resolve'],
        );
        assert.ok(card.refresh);
      });

      it(`when the employee's card shows a huge ticket (${label}), then it fits`, () => {
        assertFits(renderTicketCard(presentTicket(hugeTicket(text), 'UTC')));
      });

      it(`when the lookup and diagnosis cards show 300 huge sign-ins (${label}), then they fit`, () => {
        const events = Array.from({ length: 300 }, (_, i) => presentEvent(hugeSignIn(i, text), 'UTC'));
        const findings = Array.from({ length: 100 }, (_, i) => ({ text: `Finding ${i}: ${text}`, supports: i % 2 === 0 }));
        assertFits(
          renderLookupResultCard({
            upn: `${'u'.repeat(500)}@contoso.test`,
            displayName: LONG_NAME,
            causeTitle: 'A Conditional Access policy blocks OneDrive',
            causeId: 'conditional-access-block',
            confidencePercent: 90,
            findings,
            events,
            eventsSummary: text,
            auditNote: `Looked up by ${LONG_NAME}`,
            lookupNote: text,
          }),
        );
        assertFits(
          renderDiagnosisCard({
            causeId: 'conditional-access-block',
            title: 'A Conditional Access policy blocks OneDrive',
            confidenceLabel: 'High',
            confidencePercent: 90,
            explanation: 'A policy blocks OneDrive.',
            findings,
            events,
            eventsSummary: text,
            lookupNote: text,
            warnings: [],
            alternatives: [],
            stepCount: 2,
          }),
        );
      });

      it(`when the list, incident, resolved and message cards get huge inputs (${label}), then they fit`, () => {
        const tickets = Array.from({ length: 500 }, () => hugeTicket(text.slice(0, 2000)));
        assertFits(renderTicketListCard(presentTicketList(tickets, NOW)));
        assertFits(
          renderIncidentCard({
            title: 'Possible tenant-wide problem',
            summary: '500 people hit the same problem.',
            causeTitle: 'A Conditional Access policy blocks OneDrive',
            signature: `53003 · ${text}`,
            count: 1000,
            windowMinutes: 30,
            tickets: Array.from({ length: 500 }, (_, i) => ({
              ticketId: `HD-${String(i + 1).padStart(6, '0')}`,
              requesterName: `${LONG_NAME} ${text.slice(0, 300)}`,
              when: '09:00',
            })),
            employees: Array.from({ length: 500 }, () => `${LONG_NAME} ${text.slice(0, 300)}`),
          }),
        );
        assertFits(renderTicketResolvedCard({ ticketId: 'HD-000042', agentName: LONG_NAME, note: text, causeTitle: 'Unknown' }));
        assertFits(renderMessageCard({ title: `${LONG_NAME} (help desk)`, text, tone: 'default' }));
        assertFits(renderWelcomeCard({ userName: LONG_NAME, examples: ['OneDrive keeps asking me to sign in'] }));
        assertFits(renderQuestionCard(presentQuestion('password-changed', 1, text)));
      });
    }

    it("when the cards that carry only the bot's words get oversized content, then shrinkCard still keeps them within the budget", () => {
      const huge = NOTE.repeat(5);
      assertFits(renderResolvedCard({ causeId: 'stale-credentials', causeTitle: 'Saved sign-in details are out of date', verify: huge }));
      assertFits(renderEscalateCard({ causeId: 'stale-credentials', causeTitle: 'Saved sign-in details are out of date', reason: huge, summary: [huge, huge] }));
      assertFits(
        renderFixStepCard({
          causeId: 'stale-credentials',
          stepId: 'restart-onedrive',
          stepNumber: 1,
          stepCount: 1,
          title: 'Restart OneDrive',
          instructions: [huge, huge, huge],
          audience: 'self-service',
          audienceLabel: 'You can do this',
          warning: huge,
          check: huge,
          causeTitle: 'Saved sign-in details are out of date',
        }),
      );
    });

    it('when the transcript is too long to show, then the latest lines that fit are shown, oldest first, and the rest are counted', () => {
      const card = renderAgentTicketCard(presentAgentTicket(hugeTicket(), [], 'UTC'));
      const transcript = showCard(card, 'Transcript');
      assert.ok(transcript, 'the transcript is kept');
      const lines = texts(transcript).filter((line) => line.startsWith('Line '));
      assert.ok(lines.length >= 1);
      const numbers = lines.map((line) => Number(/^Line (\d+):/.exec(line)?.[1]));
      assert.deepEqual(
        numbers,
        Array.from({ length: lines.length }, (_, i) => 300 - lines.length + 1 + i),
        'the latest lines, oldest first',
      );
      assert.ok(texts(transcript).includes(`The last ${lines.length} of 300 messages, oldest first. ${300 - lines.length} earlier messages are on the ticket.`));
    });

    it('when history notes are long, then the newest entries are shown first, shortened', () => {
      const card = renderAgentTicketCard(presentAgentTicket(hugeTicket(), [], 'UTC'));
      const history = texts(card).filter((line) => / replied: Update \d+/.test(line));
      assert.ok(history.length >= 1);
      assert.match(history[0], /Update 500: OneDrive keeps asking/);
      for (const line of history) assert.ok(line.length < NOTE.length && line.endsWith('…'), line.slice(-40));
      assert.ok(history.length >= 2, 'several updates are kept, shortened, rather than one');
    });

    it("when the outbox asks for a smaller budget after a 413, then the agents' card and shrinkCard both meet it", () => {
      const model = presentAgentTicket(hugeTicket(WIDE), ROSTER, 'UTC');
      for (const budget of [16_000, 10_000]) {
        const rendered = renderAgentTicketCard(model, budget);
        assert.ok(cardBytes(rendered) <= budget, `${cardBytes(rendered)} > ${budget}`);
        assertValidCard(rendered, { acceptedProblems: ['validate: Duplicate Id "note".'] });
        const shrunk = shrinkCard(renderAgentTicketCard(model), budget);
        assert.ok(cardBytes(shrunk) <= budget, `${cardBytes(shrunk)} > ${budget}`);
        assertValidCard(shrunk, { acceptedProblems: ['validate: Duplicate Id "note".'] });
        assert.ok(shrunk.refresh, 'the card can still refresh itself');
      }
    });
  });
});
