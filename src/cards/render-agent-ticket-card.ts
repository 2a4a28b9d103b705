import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/agent-ticket.json';
import { clampPercent, latestHistory, part, stars, stepLines, trimmed, type Fact } from './card-parts';
import type { AgentTicketCardModel } from './view-models';

/** How many history entries the agents' card shows (newest first). */
export const AGENT_HISTORY_SHOWN = 5;
/** How many transcript lines "Transcript" shows (the latest, oldest first). */
export const AGENT_TRANSCRIPT_SHOWN = 15;
/** Longer transcript lines are cut, so the card stays well under Teams' 28 KB message limit. */
export const AGENT_TRANSCRIPT_LINE_LENGTH = 500;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function nonEmpty(lines: readonly string[]): Array<{ text: string }> {
  return lines.map((text) => text.trim()).filter((text) => text.length > 0).map((text) => ({ text }));
}

/**
 * The ticket as agents see it in the help desk channel. Every action is a Universal Action
 * (`Action.Execute`, also inside the ShowCards) whose `data` carries `verb` and `ticketId`, and
 * the card refreshes itself through `ticket.refresh`.
 *
 * Open tickets get five actions, the most the Adaptive Cards default host config allows:
 * "Claim" (`ticket.claim`, always offered so an agent can take over; the bot decides), "Reply"
 * (a ShowCard with input `text` and two buttons, "Send reply" `ticket.reply` and "Ask for info"
 * `ticket.ask-info`: both verbs take the same `text`, and one input avoids two inputs with the
 * id `text`), "Transfer" (`ticket.transfer`, inputs `toAgent` and `note`: a ChoiceSet of
 * `agents`, or a text box for an object ID when there are none), "Send fix"
 * (`ticket.send-fix`, ChoiceSet `causeId`; left out when `causes` is empty) and "Resolve"
 * (`ticket.resolve`, optional input `note`). Closed tickets: only "Reopen" (`ticket.reopen`).
 * The transcript sits behind a "Transcript" ShowCard in the body, outside that count.
 *
 * Transfer and Resolve both use the input id `note` (the contract's data name). They live in
 * sibling ShowCards, and a ShowCard's action gathers only the inputs of its own card and its
 * parents, so the two never mix.
 */
export function renderAgentTicketCard(model: AgentTicketCardModel): AdaptiveCard {
  const requesterUpn = trimmed(model.requesterUpn);
  const assignee = trimmed(model.assigneeName);
  const facts: Fact[] = [
    { title: 'Employee', value: requesterUpn ? `${model.requesterName} (${requesterUpn})` : model.requesterName },
    { title: 'Cause', value: `${model.causeTitle} (${clampPercent(model.confidencePercent)}%)` },
    { title: 'Opened', value: model.openedAt },
    { title: 'Updated', value: model.updatedAt },
    { title: 'Assigned to', value: assignee || 'Nobody yet' },
  ];
  if (typeof model.rating === 'number' && Number.isFinite(model.rating)) {
    facts.push({ title: 'Rating', value: stars(model.rating) });
  }
  const transcript = model.transcript.slice(-AGENT_TRANSCRIPT_SHOWN);
  const transcriptHeading =
    model.transcript.length > transcript.length
      ? `The last ${transcript.length} of ${model.transcript.length} messages, oldest first.`
      : `${transcript.length} ${transcript.length === 1 ? 'message' : 'messages'}, oldest first.`;
  const causes = model.causes.map(({ id, title }) => ({ id, title }));
  const suggestedCauseId = causes.find((cause) => cause.title === model.causeTitle)?.id ?? '';
  const requester = model.requesterName.trim() || 'the employee';
  return renderTemplate(template, {
    ticketId: model.ticketId,
    heading: `Ticket ${model.ticketId} · ${model.statusLabel}`,
    facts,
    ...part('details', trimmed(model.details)),
    detailsHeading: `From ${requester}`,
    ...part('lookupNote', trimmed(model.lookupNote)),
    ...part('evidence', nonEmpty(model.evidence)),
    ...part('keyEvents', nonEmpty(model.keyEvents)),
    ...part('answers', model.answers.map(({ question, answer }) => ({ question, answer }))),
    ...part('stepsTried', stepLines(model.stepsTried)),
    ...part('history', latestHistory(model.history, AGENT_HISTORY_SHOWN)),
    hasTranscript: transcript.length > 0,
    transcriptHeading,
    transcript: transcript.map(({ when, who, text }) => ({ header: `${who} · ${when}`, text: cut(text, AGENT_TRANSCRIPT_LINE_LENGTH) })),
    isOpen: model.isOpen,
    claimStyle: model.isClaimed ? 'default' : 'positive',
    replyLabel: `Message to ${requester}`,
    hasAgents: model.agents.length > 0,
    agents: model.agents.map(({ id, name }) => ({ id, name })),
    canSendFix: model.isOpen && causes.length > 0,
    causes,
    suggestedCauseId,
  });
}
