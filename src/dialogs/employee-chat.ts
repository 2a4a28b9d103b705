import type { TurnContext } from 'botbuilder';
import { sendCard } from '../bot/send';
import { renderHelpCard, renderWelcomeCard } from '../cards';
import { messages } from '../content/knowledge';
import type { Messages } from '../content/messages';
import { recordLine } from '../domain/case-file';
import { continueTriage } from './triage-flow';
import { classifyMessage, type Command } from '../domain/message-parser';
import { relayToAgent, showMyTickets } from './employee-tickets';
import type { EmployeeDeps, EmployeeTurn } from './employee-turn';
import { beginTriage, continueFlow, endFlow, inFlow } from './flows';

/** The help card's lines, in the employee's language. */
function helpCommands(m: Messages): Array<{ command: string; description: string }> {
  return (['describe', 'start-over', 'my-tickets', 'help'] as const).map((c) => ({ command: m.text(`chat.help.${c}-command`), description: m.text(`chat.help.${c}-description`) }));
}

/** A typed message in the employee's chat, as the routes read it. */
export interface TypedText {
  text: string;
  /** True when the message was longer than the parser reads and was cut. */
  truncated: boolean;
}

function firstName(name: string | undefined): string | undefined {
  return name?.trim().split(/\s+/)[0] || undefined;
}

function welcomeCard(context: TurnContext): { card: ReturnType<typeof renderWelcomeCard>; summary: string } {
  const locale = context.activity.locale || undefined;
  const m = messages(locale);
  const examples = [m.text('chat.example-1'), m.text('chat.example-2'), m.text('chat.example-3')];
  return { card: renderWelcomeCard({ userName: firstName(context.activity.from?.name), examples, locale }), summary: m.text('chat.welcome-summary') };
}

/** Welcome card for a new 1:1 chat (sent when Teams adds the bot, before any case exists). */
export async function welcome(context: TurnContext): Promise<void> {
  const { card, summary } = welcomeCard(context);
  await sendCard(context, card, summary);
}

/** What every typed message does first: it goes on the transcript, and a cut message is owned up to. */
async function heard(turn: EmployeeTurn, input: TypedText): Promise<void> {
  recordLine(turn.caseFile, 'employee', input.text, turn.now);
  if (input.truncated) {
    await turn.notice(turn.text('chat.long-message.title'), turn.text('chat.long-message.text', { count: input.text.length.toLocaleString('en-US') }));
  }
}

/** A typed command (a route of its own: start over, help, my tickets, and the channel-only ones). */
export async function onCommand(turn: EmployeeTurn, deps: EmployeeDeps, input: TypedText, command: Command): Promise<void> {
  await heard(turn, input);
  await runCommand(turn, deps, command);
}

/** Runs one employee command; the help card's "help.show" and "Start over" buttons come here too. */
export async function runCommand(turn: EmployeeTurn, deps: EmployeeDeps, command: Command): Promise<void> {
  switch (command) {
    case 'start over':
      endFlow(turn);
      await turn.notice(turn.text('chat.start-over.title'), turn.text('chat.start-over.text'));
      await beginTriage(turn, deps, {});
      return;
    case 'help':
      await turn.say(renderHelpCard({ commands: helpCommands(messages(turn.locale)) }), turn.text('chat.help.summary'));
      // Mid-triage, show the open question again so the answers so far are not lost behind the help card.
      if (inFlow(turn)) await continueFlow(turn, deps, { kind: 'none' });
      return;
    case 'my tickets':
    case 'tickets':
      await showMyTickets(turn, deps);
      return;
    case 'use this channel for tickets':
    case 'lookup':
      await turn.notice(turn.text('chat.channel-only.title'), turn.text('chat.channel-only.text'));
      return;
  }
}

/**
 * Any other typed message: relayed to the agent while a person has the ticket, otherwise a new
 * problem starts triage, a greeting or a typo gets a short answer, and the rest goes to the flow.
 */
export async function onText(turn: EmployeeTurn, deps: EmployeeDeps, input: TypedText): Promise<void> {
  await heard(turn, input);
  const intent = classifyMessage(input.text, turn.locale);
  if (intent.kind === 'command') return runCommand(turn, deps, intent.command);
  if (await relayToAgent(turn, deps, input.text)) return;
  switch (intent.kind) {
    case 'problem':
      // Mid-triage, a message about OneDrive is more detail for the same case (and may answer the open question), not a new one.
      if (turn.conversation.flow?.kind === 'triage') return continueTriage(turn, deps, turn.conversation.flow, { kind: 'text', text: input.text });
      await beginTriage(turn, deps, { text: input.text });
      return;
    case 'greeting':
      if (inFlow(turn)) {
        await turn.notice(turn.text('chat.hi-again.title'), turn.text('chat.hi-again.text'));
      } else {
        const { card, summary } = welcomeCard(turn.context);
        await turn.say(card, summary);
      }
      return;
    case 'unclear':
      if (intent.suggestion) {
        const suggestion = intent.suggestion;
        const how = suggestion === 'help' ? turn.text('chat.did-you-mean.help-text') : turn.text('chat.did-you-mean.command-text', { suggestion });
        await turn.notice(turn.text('chat.did-you-mean.title', { suggestion }), how);
        // Show the open question again, so the employee can carry on where they were.
        if (inFlow(turn)) await continueFlow(turn, deps, { kind: 'none' });
        return;
      }
      if (inFlow(turn)) break;
      await turn.notice(turn.text('chat.off-topic.title'), turn.text('chat.off-topic.unclear-text'));
      return;
    case 'other':
      break;
  }
  if (inFlow(turn)) {
    await continueFlow(turn, deps, { kind: 'text', text: input.text });
    return;
  }
  await turn.notice(turn.text('chat.off-topic.title'), turn.text('chat.off-topic.other-text'));
}

/** An empty message. */
export async function onEmpty(turn: EmployeeTurn): Promise<void> {
  await turn.notice(turn.text('chat.empty.title'), turn.text('chat.empty.text'));
}

/** A card action whose data failed validation: say why, and show the open question again for a bad answer. */
export async function onInvalidAction(turn: EmployeeTurn, deps: EmployeeDeps, verb: string | undefined, problem: string, reshowQuestion: boolean): Promise<void> {
  deps.log.warn({ verb, problem }, 'invalid card action');
  await turn.notice(turn.text('chat.invalid-action.title'), turn.text('chat.invalid-action.text', { problem }), 'attention');
  if (inFlow(turn) && reshowQuestion) await continueFlow(turn, deps, { kind: 'none' });
}
