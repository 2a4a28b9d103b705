import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/agent-ticket.json';
import { CARD_BUDGET_BYTES, fitToBudget, stepDown, throughLevels, turnOff, type Shrinker } from './card-budget';
import { clampPercent, findingLines, latestHistory, moreText, part, stars, stepLines, type Fact } from './card-parts';
import { plainLine, plainText, TEXT_LIMITS, truncate } from './plain-text';
import type { AgentTicketCardModel } from './view-models';

/** How many history entries the agents' card shows (newest first), when they fit. */
export const AGENT_HISTORY_SHOWN = 5;
/** How many transcript lines "Transcript" shows (the latest, oldest first), when they fit. */
export const AGENT_TRANSCRIPT_SHOWN = 15;
/** Longer transcript lines are cut. */
export const AGENT_TRANSCRIPT_LINE_LENGTH = 500;
/** How many agents "Transfer" offers (sorted by name); a roster can be much longer. */
export const AGENT_TRANSFER_CHOICES = 25;
/** How many evidence lines and sign-ins the card lists, when they fit. */
export const AGENT_LIST_SHOWN = 20;
/**
 * How many users the card's `refresh.userIds` names. Teams refreshes a card automatically only
 * for the users listed there, at most 60 ("User IDs in refresh", Microsoft Learn: Work with
 * Universal Actions for Adaptive Cards); in bigger channels everyone else sees the posted card.
 */
export const AGENT_REFRESH_USERS = 60;

/**
 * A Teams user MRI, what `refresh.userIds` expects. Microsoft Learn ("Work with Universal Actions
 * for Adaptive Cards", User IDs in refresh): "UserIds is an array of user MRIs", at most 60, got
 * from `turnContext.activity.from.id` or a roster member's `id` (`29:1bSnHZ7J…`); not the Entra
 * object id. The agents' come from the help desk team's roster (src/desk/agent-roster.ts), the
 * same roster that makes them agents. `userIds: []` would still offer a manual "Refresh card",
 * so with no agent known the card drops `refresh` altogether. Bounded: real MRIs are about 110
 * characters, and 60 of them must leave room for the card.
 */
const TEAMS_USER_ID = /^\d{1,2}:[A-Za-z0-9._:@-]{1,200}$/;

/** True for a string `refresh.userIds` may carry (see TEAMS_USER_ID). */
export function isTeamsUserId(value: unknown): value is string {
  return typeof value === 'string' && TEAMS_USER_ID.test(value);
}

/** What the agents' card shows; `renderAgentTicketCard` lowers these until the card fits. */
interface Limits {
  detailsLength: number;
  /** Evidence, sign-in and step lines, answers. */
  lineLength: number;
  listShown: number;
  historyShown: number;
  historyLength: number;
  transcriptShown: number;
  transcriptLineLength: number;
  /** How many of `refreshUserIds` the refresh names (the assignee is first, so kept longest). */
  refreshUsers: number;
  evidence: boolean;
  keyEvents: boolean;
  answers: boolean;
  stepsTried: boolean;
  history: boolean;
  transcript: boolean;
  itSteps: boolean;
  causeChecks: boolean;
}

const FULL: Limits = {
  detailsLength: TEXT_LIMITS.note,
  lineLength: TEXT_LIMITS.line,
  listShown: AGENT_LIST_SHOWN,
  historyShown: AGENT_HISTORY_SHOWN,
  historyLength: TEXT_LIMITS.note,
  transcriptShown: AGENT_TRANSCRIPT_SHOWN,
  transcriptLineLength: AGENT_TRANSCRIPT_LINE_LENGTH,
  refreshUsers: AGENT_REFRESH_USERS,
  evidence: true,
  keyEvents: true,
  answers: true,
  stepsTried: true,
  history: true,
  transcript: true,
  itSteps: true,
  causeChecks: true,
};

/**
 * Each level a little less of everything: long history notes and the employee's note are cut
 * hardest, lists and lines next; the transcript keeps its latest lines longest.
 */
const LEVELS: readonly Limits[] = [
  FULL,
  ...(
    [
      // details, line, list, history shown, history length, transcript shown, transcript line
      [1500, 400, 15, 5, 1000, 15, 400],
      [1000, 300, 10, 5, 600, 15, 300],
      [800, 250, 8, 5, 400, 15, 250],
      [600, 200, 6, 4, 300, 12, 200],
      [500, 160, 5, 3, 250, 10, 160],
      [400, 120, 4, 3, 200, 8, 120],
      [300, 100, 3, 2, 150, 6, 100],
      [200, 80, 2, 2, 120, 4, 80],
      [150, 80, 1, 1, 100, 3, 80],
    ] as const
  ).map(([detailsLength, lineLength, listShown, historyShown, historyLength, transcriptShown, transcriptLineLength]) => ({
    ...FULL,
    detailsLength,
    lineLength,
    listShown,
    historyShown,
    historyLength,
    transcriptShown,
    transcriptLineLength,
  })),
];

/**
 * Everything a little less first (levels), then the transcript down to its last line, then fewer
 * refresh users (60 real Teams ids take about 7 KB; the others still see the posted card, kept
 * current by the outbox), then whole sections, the least needed first.
 */
const SHRINKERS: ReadonlyArray<Shrinker<Limits>> = [
  throughLevels(LEVELS),
  stepDown('transcriptShown', [2, 1]),
  stepDown('refreshUsers', [30, 10, 1]),
  turnOff('causeChecks'),
  turnOff('itSteps'),
  turnOff('answers'),
  turnOff('stepsTried'),
  turnOff('keyEvents'),
  turnOff('evidence'),
  turnOff('transcript'),
  turnOff('history'),
];

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "Did you…?" reads as a question; a bare key gets a colon. */
function questionLabel(question: string): string {
  return /[?:]$/.test(question) ? `${question} ` : `${question}: `;
}

/** Longest answers and steps listed; a ticket has far fewer. */
const MAX_ANSWERS = 50;

/**
 * The model made plain and bounded once, at the most the card ever shows: the renders while
 * the card is fitted only cut these further.
 */
interface Prepared {
  ticketId: string;
  heading: string;
  facts: Fact[];
  requester: string;
  causeTitle: string;
  details: string;
  lookupNote: string;
  evidence: string[];
  evidenceTotal: number;
  keyEvents: string[];
  keyEventsTotal: number;
  answers: Array<{ question: string; answer: string }>;
  stepsTried: Array<{ title: string; outcome: string }>;
  itSteps: Array<{ line: string }>;
  causeChecks: Array<{ line: string }>;
  history: Array<{ when: string; text: string }>;
  transcript: Array<{ header: string; text: string }>;
  transcriptTotal: number;
  agents: Array<{ id: string; name: string }>;
  agentsLeftOut: number;
  causes: Array<{ id: string; title: string }>;
  isOpen: boolean;
  refreshUserIds: string[];
}

function nonEmptyLines(lines: readonly string[]): string[] {
  return lines.filter((line) => typeof line === 'string' && line.trim().length > 0);
}

function prepare(model: AgentTicketCardModel): Prepared {
  const name = (text: string | undefined): string => plainLine(text, TEXT_LIMITS.name);
  const requesterName = name(model.requesterName);
  const requesterUpn = name(model.requesterUpn);
  const assignee = name(model.assigneeName);
  const causeTitle = plainLine(model.causeTitle, TEXT_LIMITS.title);
  const facts: Fact[] = [
    { title: 'Employee', value: requesterUpn ? `${requesterName} (${requesterUpn})` : requesterName },
    { title: 'Cause', value: `${causeTitle} (${clampPercent(model.confidencePercent)}%)` },
    { title: 'Opened', value: plainLine(model.openedAt, TEXT_LIMITS.name) },
    { title: 'Updated', value: plainLine(model.updatedAt, TEXT_LIMITS.name) },
    { title: 'Assigned to', value: assignee || 'Nobody yet' },
  ];
  if (typeof model.rating === 'number' && Number.isFinite(model.rating)) {
    facts.push({ title: 'Rating', value: stars(model.rating) });
  }
  const evidence = nonEmptyLines(model.evidence);
  const keyEvents = nonEmptyLines(model.keyEvents);
  const transcript = model.transcript.slice(-AGENT_TRANSCRIPT_SHOWN);
  const allAgents = model.agents.map(({ id, name: agentName }) => ({ id: plainLine(id, 128), name: name(agentName) })).filter((agent) => agent.id && agent.name);
  const agents = allAgents.slice(0, AGENT_TRANSFER_CHOICES);
  return {
    ticketId: model.ticketId,
    heading: `Ticket ${model.ticketId} · ${model.statusLabel}`,
    facts,
    requester: requesterName || 'the employee',
    causeTitle,
    details: plainText(model.details, TEXT_LIMITS.note),
    lookupNote: plainText(model.lookupNote, TEXT_LIMITS.line),
    evidence: evidence.slice(0, AGENT_LIST_SHOWN).map((line) => plainLine(line, TEXT_LIMITS.line)),
    evidenceTotal: evidence.length,
    keyEvents: keyEvents.slice(0, AGENT_LIST_SHOWN).map((line) => plainLine(line, TEXT_LIMITS.line)),
    keyEventsTotal: keyEvents.length,
    answers: model.answers
      .slice(0, MAX_ANSWERS)
      .map(({ question, answer }) => ({ question: questionLabel(plainLine(question, TEXT_LIMITS.line)), answer: plainLine(answer, TEXT_LIMITS.line) })),
    stepsTried: model.stepsTried.slice(0, MAX_ANSWERS),
    itSteps: (model.itSteps ?? []).slice(0, 8).map((step) => ({ line: `${step.title}: ${step.detail}` })),
    causeChecks: findingLines((model.causeChecks ?? []).slice(0, 8)),
    history: model.history.slice(-AGENT_HISTORY_SHOWN).map((entry) => ({
      when: plainLine(entry.internal ? `${entry.when} · only agents see this` : entry.when, TEXT_LIMITS.name),
      text: plainText(entry.text, TEXT_LIMITS.note),
    })),
    transcript: transcript.map(({ when, who, text }) => ({
      header: `${name(who)} · ${plainLine(when, TEXT_LIMITS.name)}`,
      text: plainText(text, AGENT_TRANSCRIPT_LINE_LENGTH),
    })),
    transcriptTotal: model.transcript.length,
    agents,
    agentsLeftOut: allAgents.length - agents.length + Math.max(0, model.agentsNotShown ?? 0),
    causes: model.causes.map(({ id, title }) => ({ id, title: plainLine(title, TEXT_LIMITS.title) })),
    isOpen: model.isOpen,
    refreshUserIds: [...new Set((model.refreshUserIds ?? []).filter(isTeamsUserId))].slice(0, AGENT_REFRESH_USERS),
  };
}

function render(card: Prepared, limits: Limits): AdaptiveCard {
  const evidence = limits.evidence ? card.evidence.slice(0, limits.listShown).map((text) => ({ text: truncate(text, limits.lineLength) })) : [];
  const keyEvents = limits.keyEvents ? card.keyEvents.slice(0, limits.listShown).map((text) => ({ text: truncate(text, limits.lineLength) })) : [];
  const answers = limits.answers
    ? card.answers.map(({ question, answer }) => ({ question: truncate(question, limits.lineLength), answer: truncate(answer, limits.lineLength) }))
    : [];
  // `card.history` is oldest first; the card shows the latest, newest first.
  const history = limits.history ? latestHistory(card.history, limits.historyShown, limits.historyLength) : [];
  const transcript = limits.transcript
    ? card.transcript.slice(-limits.transcriptShown).map(({ header, text }) => ({ header, text: truncate(text, limits.transcriptLineLength) }))
    : [];
  const earlier = card.transcriptTotal - transcript.length;
  const transcriptHeading =
    earlier > 0
      ? `The last ${transcript.length} of ${card.transcriptTotal} messages, oldest first. ${plural(earlier, 'earlier message is', 'earlier messages are')} on the ticket.`
      : `${plural(transcript.length, 'message', 'messages')}, oldest first.`;
  const suggestedCauseId = card.causes.find((cause) => cause.title === card.causeTitle)?.id ?? '';
  const rendered = renderTemplate(template, {
    ticketId: card.ticketId,
    heading: card.heading,
    facts: card.facts,
    ...part('details', truncate(card.details, limits.detailsLength)),
    detailsHeading: `From ${card.requester}`,
    ...part('lookupNote', card.lookupNote),
    ...part('evidence', evidence),
    ...part('moreEvidence', limits.evidence ? moreText(card.evidenceTotal - evidence.length) : ''),
    ...part('keyEvents', keyEvents),
    ...part('moreKeyEvents', limits.keyEvents ? moreText(card.keyEventsTotal - keyEvents.length) : ''),
    ...part('answers', answers),
    ...part('stepsTried', limits.stepsTried ? stepLines(card.stepsTried, limits.lineLength) : []),
    ...part('itSteps', limits.itSteps ? card.itSteps.map(({ line }) => ({ line: truncate(line, limits.lineLength * 2) })) : []),
    ...part('causeChecks', limits.causeChecks ? card.causeChecks.map(({ line }) => ({ line: truncate(line, limits.lineLength) })) : []),
    ...part('history', history),
    hasTranscript: transcript.length > 0,
    transcriptHeading,
    transcript,
    isOpen: card.isOpen,
    replyLabel: `Message to ${card.requester}`,
    hasAgents: card.agents.length > 0,
    agents: card.agents,
    hasMoreAgents: card.agents.length > 0 && card.agentsLeftOut > 0,
    moreAgentsText: `The first ${card.agents.length} agents by name; ${plural(card.agentsLeftOut, 'other is', 'others are')} not listed.`,
    canSendFix: card.isOpen && card.causes.length > 0,
    causes: card.causes,
    suggestedCauseId,
  });
  // Set here rather than in the template so the ids count towards the card's size while it is fitted.
  const refresh = rendered.refresh as Record<string, unknown> | undefined;
  if (refresh && card.refreshUserIds.length > 0) refresh.userIds = card.refreshUserIds.slice(0, limits.refreshUsers);
  else delete rendered.refresh;
  return rendered;
}

/**
 * The ticket as agents see it in the help desk channel. Every action is a Universal Action
 * (`Action.Execute`, also inside the ShowCards) whose `data` carries `verb` and `ticketId`, and
 * the card refreshes itself through `ticket.refresh` for the users in `refreshUserIds` (at most
 * `AGENT_REFRESH_USERS`); with none, the card has no `refresh` and shows what was posted.
 * Buttons keep to the `default` and `destructive` styles, the ones Teams supports everywhere.
 *
 * Open tickets get five actions, the most the Adaptive Cards default host config allows:
 * "Claim" (`ticket.claim`, always offered so an agent can take over; the bot decides), "Reply"
 * (a ShowCard with input `text` and two buttons, "Send reply" `ticket.reply` and "Ask for info"
 * `ticket.ask-info`: both verbs take the same `text`, and one input avoids two inputs with the
 * id `text`), "Transfer" (`ticket.transfer`, inputs `toAgent` and `note`: a ChoiceSet of
 * `agents`, at most `AGENT_TRANSFER_CHOICES`, or a text box for an object ID when there are
 * none), "Send fix" (`ticket.send-fix`, ChoiceSet `causeId`; left out when `causes` is empty)
 * and "Resolve" (`ticket.resolve`, optional input `note`). Closed tickets: only "Reopen"
 * (`ticket.reopen`). The transcript sits behind a "Transcript" ShowCard in the body, outside
 * that count.
 *
 * Transfer and Resolve both use the input id `note` (the contract's data name). They live in
 * sibling ShowCards, and a ShowCard's action gathers only the inputs of its own card and its
 * parents, so the two never mix.
 *
 * Everything the employee, agents or Graph wrote is plain text (see plain-text.ts), and the card
 * stays within `maxBytes`: long notes are shortened, the transcript keeps its latest lines that
 * fit, and sections are left out last (card-budget.ts).
 */
export function renderAgentTicketCard(model: AgentTicketCardModel, maxBytes: number = CARD_BUDGET_BYTES): AdaptiveCard {
  const prepared = prepare(model);
  return fitToBudget(FULL, (limits) => render(prepared, limits), SHRINKERS, maxBytes);
}
