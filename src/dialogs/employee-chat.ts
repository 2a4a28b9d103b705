import type { TurnContext } from 'botbuilder';
import { sendCard } from '../bot/send';
import { renderHelpCard, renderWelcomeCard } from '../cards';
import { recordLine } from '../domain/case-file';
import { continueTriage } from './triage-flow';
import { classifyMessage, type Command } from '../domain/message-parser';
import { relayToAgent, showMyTickets } from './employee-tickets';
import type { EmployeeDeps, EmployeeTurn } from './employee-turn';
import { beginTriage, continueFlow, endFlow, inFlow } from './flows';

const HELP_COMMANDS: Array<{ command: string; description: string }> = [
  { command: 'Describe the problem', description: 'e.g. "OneDrive says 0x8004de40 since I changed my password". I read your sign-in logs and ask only what I still need.' },
  { command: 'start over', description: 'Forget this conversation and begin again.' },
  { command: 'my tickets', description: 'See the help desk tickets you opened and their status.' },
  { command: 'help', description: 'Show this list.' },
];

const EXAMPLES = ['OneDrive says 0x8004de40 since I reset my password', "OneDrive won't sign in and I'm on the VPN", 'OneDrive shows error 0x8004de4a'];

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
  return { card: renderWelcomeCard({ userName: firstName(context.activity.from?.name), examples: EXAMPLES }), summary: 'Hi! I help when OneDrive will not sign in.' };
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
    await turn.notice('That was a long message', `I read the first ${input.text.length.toLocaleString('en-US')} characters. If something important came later, send it as a shorter message.`);
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
      await turn.notice("Let's start again", 'I forgot the earlier answers.');
      await beginTriage(turn, deps, {});
      return;
    case 'help':
      await turn.say(renderHelpCard({ commands: HELP_COMMANDS }), 'Here is what I can do.');
      // Mid-triage, show the open question again so the answers so far are not lost behind the help card.
      if (inFlow(turn)) await continueFlow(turn, deps, { kind: 'none' });
      return;
    case 'my tickets':
    case 'tickets':
      await showMyTickets(turn, deps);
      return;
    case 'use this channel for tickets':
    case 'lookup':
      await turn.notice('That works in the help desk channel', 'Agents use that command in the help desk team channel, not in a personal chat.');
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
        await turn.notice('Hi again', "We're in the middle of sorting out your OneDrive sign-in. Carry on with the card above, or type \"start over\".");
      } else {
        const { card, summary } = welcomeCard(turn.context);
        await turn.say(card, summary);
      }
      return;
    case 'unclear':
      if (intent.suggestion) {
        const how = intent.suggestion === 'help' ? 'Type "help" to see everything I can do.' : `Type "${intent.suggestion}" to run it, or "help" to see everything I can do.`;
        await turn.notice(`Did you mean "${intent.suggestion}"?`, how);
        // Show the open question again, so the employee can carry on where they were.
        if (inFlow(turn)) await continueFlow(turn, deps, { kind: 'none' });
        return;
      }
      if (inFlow(turn)) break;
      await turn.notice('I help with OneDrive sign-in problems', 'Describe what OneDrive shows (for example its error code), or type "help".');
      return;
    case 'other':
      break;
  }
  if (inFlow(turn)) {
    await continueFlow(turn, deps, { kind: 'text', text: input.text });
    return;
  }
  await turn.notice('I help with OneDrive sign-in problems', 'Tell me what OneDrive shows when it fails to sign in (the error code helps most), or type "help" to see what I can do.');
}

/** An empty message. */
export async function onEmpty(turn: EmployeeTurn): Promise<void> {
  await turn.notice('Nothing to read', 'That message was empty. Tell me what OneDrive shows, or type "help".');
}

/** A card action whose data failed validation: say why, and show the open question again for a bad answer. */
export async function onInvalidAction(turn: EmployeeTurn, deps: EmployeeDeps, verb: string | undefined, problem: string, reshowQuestion: boolean): Promise<void> {
  deps.log.warn({ verb, problem }, 'invalid card action');
  await turn.notice("I can't use that", `${problem} If the card is old, type "start over" to begin again.`, 'attention');
  if (inFlow(turn) && reshowQuestion) await continueFlow(turn, deps, { kind: 'none' });
}
