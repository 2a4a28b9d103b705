import assert from 'node:assert/strict';
import {
  AGENT_HISTORY_SHOWN,
  AGENT_TRANSCRIPT_LINE_LENGTH,
  AGENT_TRANSCRIPT_SHOWN,
  INCIDENT_OPEN_ACTIONS,
  renderAgentTicketCard,
  renderIncidentCard,
  renderLookupResultCard,
  renderTicketListCard,
  renderTicketResolvedCard,
  TICKET_LIST_SHOWN,
  Verbs,
  type AdaptiveCard,
  type AgentTicketCardModel,
  type IncidentCardModel,
  type LookupResultCardModel,
  type TicketListCardModel,
  type TicketResolvedCardModel,
} from '../../src/cards';
import { AGENT_REFRESH_USERS } from '../../src/cards/render-agent-ticket-card';
import { validateAdaptiveCard } from './adaptive-cards-validator';
import {
  allText,
  assertValidCard,
  BLOCKED_SIGN_INS,
  collectActions,
  dataActions,
  elementsOfType,
  factGroups,
  factsOf,
  LONG,
  shownTexts,
  texts,
  type Json,
} from './card-test-helpers';

// ---------------------------------------------------------------------------------------------
// Helpers (the shared ones are in card-test-helpers.ts; these are the agents' cards' own rules)

/** Titles of the card-level actions (not those inside ShowCards or the body). */
function topTitles(card: AdaptiveCard): string[] {
  return ((card.actions ?? []) as Json[]).map((action) => String(action.title));
}

/** The card-level ShowCard with this title. */
function showCard(card: AdaptiveCard, title: string): Json {
  const found = collectActions(card).find(({ action }) => action.type === 'Action.ShowCard' && action.title === title);
  assert.ok(found, `no ShowCard "${title}"`);
  return found.action.card as Json;
}

/** Input ids of a card, not counting the inputs inside its ShowCards. */
function ownInputIds(node: unknown, ids: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) ownInputIds(item, ids);
  } else if (node !== null && typeof node === 'object') {
    const object = node as Json;
    if (typeof object.type === 'string' && object.type.startsWith('Input.') && typeof object.id === 'string') ids.push(object.id);
    for (const [key, value] of Object.entries(object)) {
      if (object.type === 'Action.ShowCard' && key === 'card') continue;
      ownInputIds(value, ids);
    }
  }
  return ids;
}

/**
 * Checks that no action can gather two inputs with the same id. An action gathers the inputs of
 * its own card and of the cards around it, never those of a sibling ShowCard (the `adaptivecards`
 * renderer's `internalGetReferencedInputs` walks the parents with `getAllInputs(false)`). Returns
 * the ids that do occur more than once in the card, always in different sibling ShowCards.
 */
function sharedSiblingInputIds(card: AdaptiveCard): string[] {
  const all: string[] = [];
  const walk = (node: unknown, visible: readonly string[]): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, visible);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const object = node as Json;
    let scope = visible;
    if (object.type === 'AdaptiveCard') {
      const own = ownInputIds(object);
      all.push(...own);
      scope = [...visible, ...own];
      const duplicates = scope.filter((id, i) => scope.indexOf(id) !== i);
      assert.deepEqual(duplicates, [], `actions of one card would gather inputs with the same id: ${duplicates.join(', ')}`);
    }
    for (const value of Object.values(object)) walk(value, scope);
  };
  walk(card, []);
  return [...new Set(all.filter((id, i) => all.indexOf(id) !== i))];
}

/**
 * The checks every card must pass (`assertValidCard`), plus the agents' cards' own rules: every
 * data action carries a ticketId, an Action.Execute's verb is its data.verb, and every TextBlock
 * wraps. `validateAdaptiveCard` must report nothing, except that the library's card-wide
 * "Duplicate Id" rule is accepted for ids that `sharedSiblingInputIds` proved live in different
 * sibling ShowCards (Transfer's and Resolve's `note`, both named by the contract): no action ever
 * gathers both.
 */
function assertValidAgentCard(card: AdaptiveCard): void {
  const accepted = sharedSiblingInputIds(card).map((id) => `validate: Duplicate Id "${id}".`);
  assertValidCard(card, { acceptedProblems: accepted });
  for (const { action, data, path } of dataActions(card)) {
    assert.ok(typeof data.ticketId === 'string' && /^HD-\d+$/.test(data.ticketId), `${path}: data.ticketId ${JSON.stringify(data.ticketId)}`);
    if (action.type === 'Action.Execute') assert.equal(action.verb, data.verb, `${path}: Action.Execute verb differs from data.verb`);
  }
  for (const block of elementsOfType(card, 'TextBlock')) {
    assert.equal(block.wrap, true, `TextBlock "${String(block.text)}" does not wrap`);
  }
}

// ---------------------------------------------------------------------------------------------
// Sample view-models

const fullAgentTicket: AgentTicketCardModel = {
  ticketId: 'HD-000012',
  status: 'claimed',
  statusLabel: 'An agent is working on it',
  requesterName: 'Alex Wilber',
  requesterUpn: 'AlexW@contoso.onmicrosoft.com',
  causeTitle: 'Saved sign-in details are out of date',
  confidencePercent: 86.4,
  openedAt: '21 Nov 2026, 09:20',
  updatedAt: '21 Nov 2026, 11:05',
  assigneeName: 'Kari Nordmann',
  evidence: [
    'Password changed yesterday at 16:40 (2 days after the last successful OneDrive sign-in).',
    'Four OneDrive sign-ins failed with 50126 (invalid user name or password) since 08:50.',
  ],
  keyEvents: ['Today 09:14 · Microsoft OneDrive · Failed · 50126: invalid user name or password', 'Today 08:55 · Microsoft Teams · Success'],
  answers: [
    { question: 'Did you change or reset your password in the last two weeks?', answer: 'Yes' },
    { question: 'What does the OneDrive message say?', answer: 'Something went wrong, credentials invalid' },
  ],
  stepsTried: [
    { title: 'Sign out and back in to OneDrive', outcome: 'Still broken' },
    { title: 'Remove the saved OneDrive sign-in from Credential Manager', outcome: "Couldn't do it" },
  ],
  details: 'It started this morning after the laptop restarted. Outlook and Teams still work.',
  lookupNote: "I couldn't read the device list, so device details may be missing.",
  transcript: Array.from({ length: 40 }, (_, i) => ({
    when: `09:${String(i).padStart(2, '0')}`,
    who: i % 2 === 0 ? 'Alex Wilber' : 'Help desk bot',
    text: `Transcript line ${i + 1}`,
  })),
  history: Array.from({ length: 8 }, (_, i) => ({ when: `21 Nov, 0${i + 1}:00`, text: `Update number ${i + 1}` })),
  agents: [
    { id: '6e7b768e-07e2-4810-8459-485f84f8f204', name: 'Kari Nordmann' },
    { id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd', name: 'Megan Bowen' },
  ],
  causes: [
    { id: 'stale-credentials', title: 'Saved sign-in details are out of date' },
    { id: 'conditional-access-block', title: 'A Conditional Access policy blocks OneDrive' },
  ],
  isOpen: true,
  isClaimed: true,
  rating: 4,
  refreshUserIds: ['29:1bSnHZ7Js2STWrgk6ScEErLk1Lp2zQuD5H2qQ960rtvstKp8tKLl', '29:megan-bowen'],
};

const minimalAgentTicket: AgentTicketCardModel = {
  ticketId: 'HD-000007',
  status: 'new',
  statusLabel: 'Waiting for an agent',
  requesterName: 'Ola',
  causeTitle: 'Unknown',
  confidencePercent: 0,
  openedAt: '1 Nov 2026',
  updatedAt: '1 Nov 2026',
  evidence: [],
  keyEvents: [],
  answers: [],
  stepsTried: [],
  transcript: [],
  history: [],
  agents: [],
  causes: [],
  isOpen: true,
  isClaimed: false,
};

const resolvedAgentTicket: AgentTicketCardModel = {
  ...fullAgentTicket,
  status: 'resolved',
  statusLabel: 'Resolved',
  isOpen: false,
};

const fullIncident: IncidentCardModel = {
  title: 'OneDrive sign-ins blocked by Conditional Access',
  summary: 'Seven people hit the same Conditional Access block within half an hour. This looks like a policy change, not seven broken PCs.',
  causeTitle: 'A Conditional Access policy blocks OneDrive',
  signature: '53003 · Require compliant device for SharePoint',
  count: 7,
  windowMinutes: 30,
  tickets: Array.from({ length: 7 }, (_, i) => ({
    ticketId: `HD-0000${String(20 + i)}`,
    requesterName: ['Alex Wilber', 'Megan Bowen', 'Lee Gu', 'Isaiah Langer', 'Nestor Wilke', 'Adele Vance', 'Diego Siciliani'][i],
    when: `09:${String(10 + i * 3)}`,
  })),
  employees: ['Johanna Lorenz', 'Grady Archie'],
};

const minimalIncident: IncidentCardModel = {
  title: 'Several failed OneDrive sign-ins',
  summary: '',
  causeTitle: 'Unknown',
  signature: '50126',
  count: 3,
  windowMinutes: 1,
  tickets: [],
  employees: [],
};

const fullResolved: TicketResolvedCardModel = {
  ticketId: 'HD-000012',
  agentName: 'Kari Nordmann',
  note: 'I removed the old saved sign-in and reset OneDrive. Sign in once more with your new password.',
  causeTitle: 'Saved sign-in details are out of date',
};

const fullLookup: LookupResultCardModel = {
  upn: 'AlexW@contoso.onmicrosoft.com',
  displayName: 'Alex Wilber',
  causeTitle: 'A Conditional Access policy blocks OneDrive',
  causeId: 'conditional-access-block',
  confidencePercent: 91,
  findings: [
    { text: 'Three OneDrive sign-ins failed with error 53003 (blocked by Conditional Access).', supports: true },
    { text: 'The password has not changed in the last 30 days.', supports: false },
  ],
  events: BLOCKED_SIGN_INS.map((event) => ({ ...event })),
  eventsSummary: 'I read 14 sign-in events from the last 48 hours.',
  auditNote: 'Looked up by Kari Nordmann at 21 Nov 2026, 11:05 — recorded in the audit log',
  lookupNote: 'The device list did not answer in time.',
};

const minimalLookup: LookupResultCardModel = {
  upn: 'nobody@contoso.onmicrosoft.com',
  causeTitle: "I couldn't pin this down",
  causeId: 'unknown',
  confidencePercent: 12,
  findings: [],
  events: [],
  eventsSummary: '',
  auditNote: 'Looked up by Kari Nordmann at 21 Nov 2026, 11:06 — recorded in the audit log',
};

const fullList: TicketListCardModel = {
  title: 'Open tickets',
  tickets: [
    {
      ticketId: 'HD-000012',
      status: 'new',
      statusLabel: 'Waiting for an agent',
      age: '2 h',
      requesterName: 'Alex Wilber',
      causeTitle: 'Saved sign-in details are out of date because the password changed',
    },
    {
      ticketId: 'HD-000013',
      status: 'claimed',
      statusLabel: 'An agent is working on it',
      age: '25 min',
      requesterName: 'Megan Bowen',
      causeTitle: 'A Conditional Access policy blocks OneDrive',
      assigneeName: 'Kari Nordmann',
    },
  ],
  emptyText: 'No open tickets. Nice.',
};

// ---------------------------------------------------------------------------------------------

describe('agent cards', () => {
  describe('agent ticket card', () => {
    it('when rendered with everything, then it shows the header, facts, notes, evidence, sign-ins, answers, steps and the latest history first', () => {
      const card = renderAgentTicketCard(fullAgentTicket);
      assertValidAgentCard(card);
      const lines = texts(card);
      assert.equal(lines[0], 'Ticket HD-000012 · An agent is working on it');
      assert.deepEqual(factsOf(card.body).slice(0, 6), [
        { title: 'Employee', value: 'Alex Wilber (AlexW@contoso.onmicrosoft.com)' },
        { title: 'Cause', value: 'Saved sign-in details are out of date (86%)' },
        { title: 'Opened', value: '21 Nov 2026, 09:20' },
        { title: 'Updated', value: '21 Nov 2026, 11:05' },
        { title: 'Assigned to', value: 'Kari Nordmann' },
        { title: 'Rating', value: '★★★★☆ (4 of 5)' },
      ]);
      assert.ok(lines.includes('From Alex Wilber'));
      assert.ok(lines.includes(fullAgentTicket.details ?? ''));
      const note = shownTexts(card).find((shown) => shown.text === fullAgentTicket.lookupNote);
      assert.equal(note?.color, 'Attention');
      const text = allText(card.body);
      assert.match(text, /Evidence\n• Password changed yesterday[^\n]*\n• Four OneDrive sign-ins failed/);
      assert.match(text, /Sign-ins that matter\n• Today 09:14 · Microsoft OneDrive · Failed/);
      assert.match(text, /Steps tried\n• Sign out and back in to OneDrive: Still broken/);
      assert.match(text, /Answers\nDid you change or reset your password in the last two weeks\? Yes\nWhat does the OneDrive message say\? Something went wrong/);
      const history = lines.filter((line) => line.startsWith('Update number'));
      assert.equal(history.length, AGENT_HISTORY_SHOWN);
      assert.deepEqual(history, ['Update number 8', 'Update number 7', 'Update number 6', 'Update number 5', 'Update number 4']);
      assert.ok(lines.includes('Recent history'));
    });

    it("when agents' Teams ids are known, then the card refreshes itself with ticket.refresh and the ticketId for exactly those users", () => {
      for (const model of [fullAgentTicket, { ...minimalAgentTicket, refreshUserIds: ['29:ola'] }, resolvedAgentTicket]) {
        const card = renderAgentTicketCard(model);
        assert.deepEqual(card.refresh, {
          action: {
            type: 'Action.Execute',
            title: 'Refresh',
            verb: Verbs.ticketRefresh,
            data: { verb: Verbs.ticketRefresh, ticketId: model.ticketId },
          },
          userIds: model.refreshUserIds,
        });
      }
    });

    it('when no agent is known (no ids, or none that is a Teams user id), then the card has no refresh block at all', () => {
      for (const refreshUserIds of [undefined, [], ['', 'agent-a-aad', '29:has space', `29:${'x'.repeat(300)}`]]) {
        const card = renderAgentTicketCard({ ...fullAgentTicket, refreshUserIds });
        assertValidAgentCard(card);
        assert.equal(card.refresh, undefined, JSON.stringify(refreshUserIds));
        assert.doesNotMatch(JSON.stringify(card), /ticket\.refresh/);
      }
    });

    it(`when more than ${AGENT_REFRESH_USERS} ids are given, then refresh names the first ${AGENT_REFRESH_USERS}, each once`, () => {
      const ids = Array.from({ length: 100 }, (_, i) => `29:agent-${i}`);
      const card = renderAgentTicketCard({ ...fullAgentTicket, refreshUserIds: ['29:agent-0', ...ids] });
      assert.deepEqual((card.refresh as Json).userIds, ids.slice(0, AGENT_REFRESH_USERS));
    });

    it('when the ticket is open and claimed, then Claim, Reply (Send reply / Ask for info), Transfer, Send fix and Resolve are Universal Actions with the ticketId', () => {
      const card = renderAgentTicketCard(fullAgentTicket);
      assert.deepEqual(topTitles(card), ['Claim', 'Reply', 'Transfer', 'Send fix', 'Resolve']);
      const actions = dataActions(card);
      for (const { action, data, path } of actions) {
        assert.equal(action.type, 'Action.Execute', `${path} is not a Universal Action`);
        assert.equal(data.ticketId, 'HD-000012', `${path} lacks ticketId`);
      }
      assert.deepEqual(
        actions.map(({ data }) => data.verb),
        [Verbs.ticketRefresh, Verbs.ticketClaim, Verbs.ticketReply, Verbs.ticketAskInfo, Verbs.ticketTransfer, Verbs.ticketSendFix, Verbs.ticketResolve],
      );
      assert.deepEqual(
        actions.map(({ data }) => Object.keys(data).sort()),
        actions.map(() => ['ticketId', 'verb']),
        'inputs, not data, supply the rest',
      );
      const reply = showCard(card, 'Reply');
      assert.deepEqual(
        dataActions(reply).map(({ action }) => action.title),
        ['Send reply', 'Ask for info'],
      );
      const [text, ...others] = elementsOfType(reply, 'Input.Text');
      assert.equal(others.length, 0);
      assert.equal(text.id, 'text');
      assert.equal(text.isMultiline, true);
      assert.equal(text.isRequired, true);
      assert.equal(text.maxLength, 4000);
      const [note] = elementsOfType(showCard(card, 'Resolve'), 'Input.Text');
      assert.equal(note.id, 'note');
      assert.notEqual(note.isRequired, true);
    });

    it('when the ticket is new and unclaimed, then Claim is still offered first, in the default style', () => {
      const card = renderAgentTicketCard({ ...fullAgentTicket, status: 'new', isClaimed: false, assigneeName: undefined });
      assertValidAgentCard(card);
      assert.deepEqual(topTitles(card), ['Claim', 'Reply', 'Transfer', 'Send fix', 'Resolve']);
      assert.equal((card.actions as Json[])[0].style, undefined);
      assert.ok(factsOf(card).some((fact) => fact.title === 'Assigned to' && fact.value === 'Nobody yet'));
    });

    it('when any agent-side card is rendered, then its buttons use only the styles Teams supports (default, destructive), never "positive"', () => {
      const cards = [
        ...[fullAgentTicket, minimalAgentTicket, resolvedAgentTicket, { ...fullAgentTicket, status: 'new', isClaimed: false }].map((m) => renderAgentTicketCard(m)),
        renderTicketListCard(fullList),
        renderIncidentCard(fullIncident),
      ];
      for (const card of cards) {
        for (const { action, path } of collectActions(card)) {
          assert.ok(action.style === undefined || action.style === 'default' || action.style === 'destructive', `${path}: style ${String(action.style)}`);
        }
        assert.doesNotMatch(JSON.stringify(card), /"positive"/);
      }
    });

    it('when the ticket is resolved, then the only action is Reopen (the transcript stays readable)', () => {
      const card = renderAgentTicketCard(resolvedAgentTicket);
      assertValidAgentCard(card);
      assert.deepEqual(topTitles(card), ['Reopen']);
      assert.deepEqual(
        dataActions(card).map(({ data }) => data),
        [
          { verb: Verbs.ticketRefresh, ticketId: 'HD-000012' },
          { verb: Verbs.ticketReopen, ticketId: 'HD-000012' },
        ],
      );
      assert.equal(elementsOfType(card, 'Input.Text').length + elementsOfType(card, 'Input.ChoiceSet').length, 0);
      assert.ok(collectActions(card.body).some(({ action }) => action.title === 'Transcript'));
    });

    it('when agents are listed, then Transfer offers a compact required ChoiceSet "toAgent" of their names and ids', () => {
      const transfer = showCard(renderAgentTicketCard(fullAgentTicket), 'Transfer');
      const [choices, ...otherSets] = elementsOfType(transfer, 'Input.ChoiceSet');
      assert.equal(otherSets.length, 0);
      assert.equal(choices.id, 'toAgent');
      assert.equal(choices.style, 'compact');
      assert.equal(choices.isRequired, true);
      assert.deepEqual(choices.choices, [
        { title: 'Kari Nordmann', value: '6e7b768e-07e2-4810-8459-485f84f8f204' },
        { title: 'Megan Bowen', value: '87d349ed-44d7-43e1-9a83-5f2406dee5bd' },
      ]);
      assert.deepEqual(
        elementsOfType(transfer, 'Input.Text').map((input) => input.id),
        ['note'],
      );
      assert.deepEqual(
        dataActions(transfer).map(({ data }) => data),
        [{ verb: Verbs.ticketTransfer, ticketId: 'HD-000012' }],
      );
    });

    it('when no agents are known, then Transfer asks for the object ID in a text box "toAgent" instead', () => {
      const card = renderAgentTicketCard({ ...fullAgentTicket, agents: [] });
      assertValidAgentCard(card);
      const transfer = showCard(card, 'Transfer');
      assert.equal(elementsOfType(transfer, 'Input.ChoiceSet').length, 0);
      const [toAgent, note] = elementsOfType(transfer, 'Input.Text');
      assert.equal(toAgent.id, 'toAgent');
      assert.equal(toAgent.placeholder, "Agent's Microsoft Entra object ID");
      assert.equal(toAgent.isRequired, true);
      assert.equal(note.id, 'note');
    });

    it("when causes are listed, then Send fix offers them with the ticket's cause preselected; without causes it is left out", () => {
      const sendFix = showCard(renderAgentTicketCard(fullAgentTicket), 'Send fix');
      const [causes] = elementsOfType(sendFix, 'Input.ChoiceSet');
      assert.equal(causes.id, 'causeId');
      assert.equal(causes.value, 'stale-credentials');
      assert.deepEqual(
        causes.choices,
        fullAgentTicket.causes.map(({ id, title }) => ({ title, value: id })),
      );
      assert.deepEqual(
        dataActions(sendFix).map(({ data }) => data),
        [{ verb: Verbs.ticketSendFix, ticketId: 'HD-000012' }],
      );

      const card = renderAgentTicketCard({ ...fullAgentTicket, causes: [] });
      assertValidAgentCard(card);
      assert.deepEqual(topTitles(card), ['Claim', 'Reply', 'Transfer', 'Resolve']);
    });

    it(`when the transcript is long, then "Transcript" shows only the last ${AGENT_TRANSCRIPT_SHOWN} lines, oldest first`, () => {
      const transcript = showCard(renderAgentTicketCard(fullAgentTicket), 'Transcript');
      const lines = texts(transcript).filter((line) => line.startsWith('Transcript line'));
      assert.equal(lines.length, AGENT_TRANSCRIPT_SHOWN);
      assert.deepEqual(
        lines,
        Array.from({ length: 15 }, (_, i) => `Transcript line ${26 + i}`),
      );
      assert.ok(texts(transcript).includes('The last 15 of 40 messages, oldest first. 25 earlier messages are on the ticket.'));
      assert.ok(texts(transcript).includes('Help desk bot · 09:39'));
    });

    it('when the transcript is short, then every line is shown', () => {
      const card = renderAgentTicketCard({ ...fullAgentTicket, transcript: fullAgentTicket.transcript.slice(0, 3) });
      assertValidAgentCard(card);
      const transcript = showCard(card, 'Transcript');
      assert.deepEqual(texts(transcript), [
        '3 messages, oldest first.',
        'Alex Wilber · 09:00',
        'Transcript line 1',
        'Help desk bot · 09:01',
        'Transcript line 2',
        'Alex Wilber · 09:02',
        'Transcript line 3',
      ]);
    });

    it('when rendered with minimal data, then it is valid, says "Nobody yet" and shows no empty sections or transcript', () => {
      const card = renderAgentTicketCard(minimalAgentTicket);
      assertValidAgentCard(card);
      assert.deepEqual(factsOf(card), [
        { title: 'Employee', value: 'Ola' },
        { title: 'Cause', value: 'Unknown (0%)' },
        { title: 'Opened', value: '1 Nov 2026' },
        { title: 'Updated', value: '1 Nov 2026' },
        { title: 'Assigned to', value: 'Nobody yet' },
      ]);
      assert.doesNotMatch(allText(card.body), /Evidence|Sign-ins that matter|Answers|Steps tried|Recent history|From Ola/);
      assert.equal(elementsOfType(card, 'ActionSet').length, 0);
      assert.deepEqual(topTitles(card), ['Claim', 'Reply', 'Transfer', 'Resolve']);
      assert.equal(card.refresh, undefined, 'no agent ids: no refresh');
    });

    it('when inputs share an id, then they sit in sibling ShowCards that never submit together', () => {
      const card = renderAgentTicketCard(fullAgentTicket);
      assert.deepEqual(sharedSiblingInputIds(card), ['note']);
      assert.deepEqual(validateAdaptiveCard(card), ['validate: Duplicate Id "note".']);
    });

    it("when transcript lines are very long, then each is cut and the card stays under Teams' 28 KB limit", () => {
      const card = renderAgentTicketCard({
        ...fullAgentTicket,
        details: 'x'.repeat(2000),
        transcript: Array.from({ length: 40 }, (_, i) => ({ when: `09:${i}`, who: 'Alex Wilber', text: `${i} ${'y'.repeat(4000)}` })),
      });
      assertValidAgentCard(card);
      const lines = texts(showCard(card, 'Transcript')).filter((line) => line.includes('yyy'));
      assert.equal(lines.length, AGENT_TRANSCRIPT_SHOWN);
      for (const line of lines) {
        assert.equal(line.length, AGENT_TRANSCRIPT_LINE_LENGTH);
        assert.ok(line.endsWith('…'));
      }
      assert.ok(Buffer.byteLength(JSON.stringify(card)) < 28_000, `${Buffer.byteLength(JSON.stringify(card))} bytes`);
    });

    it('when texts are long, then the card stays valid and wraps', () => {
      const card = renderAgentTicketCard({
        ...fullAgentTicket,
        details: LONG,
        evidence: [LONG],
        answers: [{ question: LONG, answer: LONG }],
        transcript: [{ when: 'now', who: 'Alex Wilber', text: LONG }],
      });
      assertValidAgentCard(card);
    });
  });

  describe('incident card', () => {
    it('when rendered with everything, then it warns, shows the facts, lists tickets and employees without tickets', () => {
      const card = renderIncidentCard(fullIncident);
      assertValidAgentCard(card);
      const lines = texts(card);
      assert.equal(lines[0], 'Possible tenant-wide problem');
      assert.ok(lines.includes(fullIncident.title));
      assert.ok(lines.includes(fullIncident.summary));
      assert.deepEqual(factsOf(card), [
        { title: 'Cause', value: 'A Conditional Access policy blocks OneDrive' },
        { title: 'Shared signal', value: '53003 · Require compliant device for SharePoint' },
        { title: 'Reports', value: '7 in the last 30 minutes' },
      ]);
      assert.ok(lines.includes('• HD-000020 · Alex Wilber · 09:10'));
      assert.equal(lines.filter((line) => /^• HD-\d+ · /.test(line)).length, 7, 'every linked ticket is listed');
      assert.match(allText(card), /no ticket yet\n• Johanna Lorenz\n• Grady Archie/);
    });

    it(`when there are many tickets, then at most ${INCIDENT_OPEN_ACTIONS} "Open" buttons ask for each ticket's card as a new reply`, () => {
      const card = renderIncidentCard(fullIncident);
      assert.deepEqual(topTitles(card), ['Open HD-000020', 'Open HD-000021', 'Open HD-000022', 'Open HD-000023', 'Open HD-000024']);
      for (const { action, data } of dataActions(card)) {
        assert.equal(action.type, 'Action.Execute');
        assert.equal(action.verb, Verbs.ticketRefresh);
        assert.deepEqual(data, { verb: Verbs.ticketRefresh, ticketId: String(action.title).slice('Open '.length), as: 'reply' });
      }
    });

    it('when rendered with minimal data, then it has no actions, no empty lists and no summary', () => {
      const card = renderIncidentCard(minimalIncident);
      assertValidAgentCard(card);
      assert.equal(card.actions, undefined);
      assert.equal(collectActions(card).length, 0);
      assert.deepEqual(texts(card), [
        'Possible tenant-wide problem',
        'Several failed OneDrive sign-ins',
        'Cause: Unknown',
        'Shared signal: 50126',
        'Reports: 3 in the last 1 minute',
      ]);
      assert.ok(factsOf(card).some((fact) => fact.value === '3 in the last 1 minute'));
    });
  });

  describe('ticket resolved card', () => {
    it('when rendered, then it says who resolved it with the note, asks for a comment and offers five ratings and "It\'s not fixed"', () => {
      const card = renderTicketResolvedCard(fullResolved);
      assertValidAgentCard(card);
      const lines = texts(card);
      assert.equal(lines[0], 'Your ticket HD-000012 is resolved');
      assert.ok(lines.includes('Kari Nordmann resolved it:'));
      assert.ok(lines.includes(fullResolved.note ?? ''));
      assert.ok(lines.includes('How did we do?'));
      const [comment, ...others] = elementsOfType(card, 'Input.Text');
      assert.equal(others.length, 0);
      assert.equal(comment.id, 'comment');
      assert.equal(comment.placeholder, 'Anything to add? (optional)');
      assert.equal(comment.maxLength, 1000);
      assert.notEqual(comment.isRequired, true);
      // Five ratings fill the card-level actions (the default host config allows five), so
      // "It's not fixed" sits in the body, under the note it answers.
      assert.deepEqual(topTitles(card), ['★ 1', '★ 2', '★ 3', '★ 4', '★ 5']);
      assert.deepEqual(
        dataActions(card.actions).map(({ data }) => data),
        [1, 2, 3, 4, 5].map((rating) => ({ verb: Verbs.ticketRate, ticketId: 'HD-000012', rating })),
      );
      const [reopen, ...moreBodyActions] = dataActions(card.body);
      assert.equal(moreBodyActions.length, 0);
      assert.equal(reopen.action.title, "It's not fixed");
      assert.deepEqual(reopen.data, { verb: Verbs.ticketNotFixed, ticketId: 'HD-000012' });
      assert.equal(reopen.action.associatedInputs, 'none', 'reopening does not send the rating comment');
      // The employee's cards are Universal Actions too (issue 14): each carries its verb on the action.
      for (const { action, data } of dataActions(card)) assert.deepEqual([action.type, action.verb], ['Action.Execute', data.verb]);
    });

    it('when there is no note, then it just says who resolved it', () => {
      const card = renderTicketResolvedCard({ ticketId: 'HD-7', agentName: 'Kari Nordmann', causeTitle: 'Unknown' });
      assertValidAgentCard(card);
      assert.ok(texts(card).includes('Kari Nordmann resolved it.'));
      assert.equal(elementsOfType(card, 'Container').length, 0);
    });
  });

  describe('lookup result card', () => {
    it('when rendered with everything, then it shows the person, cause, findings, events and the audit note last, with no actions', () => {
      const card = renderLookupResultCard(fullLookup);
      assertValidAgentCard(card);
      assert.equal(card.actions, undefined);
      assert.equal(collectActions(card).length, 0);
      const lines = texts(card);
      assert.equal(lines[0], 'Lookup: Alex Wilber');
      assert.ok(lines.includes('AlexW@contoso.onmicrosoft.com'));
      assert.ok(lines.includes('Confidence 91% · cause id conditional-access-block'));
      assert.ok(lines.includes('✔ Three OneDrive sign-ins failed with error 53003 (blocked by Conditional Access).'));
      assert.ok(lines.includes('✖ The password has not changed in the last 30 days.'));
      assert.ok(lines.includes('I read 14 sign-in events from the last 48 hours.'));
      assert.deepEqual(factGroups(card), [
        ['When', 'App', 'Result', 'Reason', 'Policy'],
        ['When', 'App', 'Result', 'Reason'],
      ]);
      const blocks = shownTexts(card);
      const audit = blocks[blocks.length - 1];
      assert.equal(audit.text, fullLookup.auditNote);
      assert.equal(audit.isSubtle, true);
      assert.equal(blocks.find((block) => block.text === fullLookup.lookupNote)?.color, 'Attention');
    });

    it('when rendered with minimal data, then it shows the UPN, the cause and the audit note only', () => {
      const card = renderLookupResultCard(minimalLookup);
      assertValidAgentCard(card);
      assert.deepEqual(texts(card), ['Lookup: nobody@contoso.onmicrosoft.com', "I couldn't pin this down", 'Confidence 12% · cause id unknown', minimalLookup.auditNote]);
    });
  });

  describe('ticket list card', () => {
    it("when there are tickets, then each is one compact selectable container that asks for the ticket's card as a new reply", () => {
      const card = renderTicketListCard(fullList);
      assertValidAgentCard(card);
      const containers = elementsOfType(card, 'Container');
      assert.equal(containers.length, 2);
      assert.deepEqual(texts(containers[0]), ['HD-000012 · Waiting for an agent · 2 h', 'Alex Wilber · Saved sign-in details are out of date because… · Nobody yet']);
      assert.deepEqual(texts(containers[1]), ['HD-000013 · An agent is working on it · 25 min', 'Megan Bowen · A Conditional Access policy blocks OneDrive · Kari Nordmann']);
      containers.forEach((container, i) => {
        const select = container.selectAction as Json;
        assert.equal(select.type, 'Action.Execute');
        assert.equal(select.verb, Verbs.ticketRefresh);
        assert.deepEqual(select.data, { verb: Verbs.ticketRefresh, ticketId: fullList.tickets[i].ticketId, as: 'reply' });
      });
      assert.equal(card.actions, undefined);
      assert.doesNotMatch(allText(card), /Nice/);
    });

    it('when there are none, then it shows the empty text and no actions', () => {
      const card = renderTicketListCard({ ...fullList, tickets: [] });
      assertValidAgentCard(card);
      assert.deepEqual(texts(card), ['Open tickets', 'No open tickets. Nice.']);
      assert.equal(collectActions(card).length, 0);
    });

    it(`when there are more than ${TICKET_LIST_SHOWN}, then the first ${TICKET_LIST_SHOWN} are shown and the rest counted`, () => {
      const tickets = Array.from({ length: TICKET_LIST_SHOWN + 3 }, (_, i) => ({
        ...fullList.tickets[0],
        ticketId: `HD-${String(100 + i).padStart(6, '0')}`,
      }));
      const card = renderTicketListCard({ ...fullList, tickets });
      assertValidAgentCard(card);
      assert.equal(elementsOfType(card, 'Container').length, TICKET_LIST_SHOWN);
      assert.ok(texts(card).includes('…and 3 more not shown.'));
      assert.equal(new Set(dataActions(card).map(({ data }) => data.ticketId)).size, TICKET_LIST_SHOWN);
    });
  });
});
