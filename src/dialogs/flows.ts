import { newCaseFile } from '../domain/case-file';
import type { CauseId } from '../domain/causes';
import type { EmployeeDeps, EmployeeTurn, FlowInput } from './employee-turn';
import { continueFix, startFix } from './fix-flow';
import { continueTriage, startTriage, type TriageOptions } from './triage-flow';

/** True while a triage or a walkthrough is in progress. */
export function inFlow(turn: EmployeeTurn): boolean {
  return turn.conversation.flow !== undefined;
}

/** Hands the turn's input to the flow in progress, if any. */
export async function continueFlow(turn: EmployeeTurn, deps: EmployeeDeps, input: FlowInput): Promise<void> {
  const flow = turn.conversation.flow;
  if (flow?.kind === 'triage') await continueTriage(turn, deps, flow, input);
  else if (flow?.kind === 'fix') await continueFix(turn, flow, input);
}

/** Ends whatever flow is in progress. */
export function endFlow(turn: EmployeeTurn): void {
  turn.conversation.flow = undefined;
}

/**
 * A new triage on a fresh case file. The latest transcript lines stay (they hold the message that
 * started it), and so does the link to the employee's ticket: their messages still reach its
 * agent, and "Open a ticket" shows it.
 */
export async function beginTriage(turn: EmployeeTurn, deps: EmployeeDeps, options: TriageOptions = {}): Promise<void> {
  endFlow(turn);
  const previous = turn.caseFile;
  const fresh = newCaseFile(turn.now);
  fresh.transcript = previous.transcript.slice(-20);
  fresh.ticketId = previous.ticketId;
  turn.conversation.caseFile = fresh;
  await startTriage(turn, deps, options);
}

/** The walkthrough of one cause, replacing any flow in progress. */
export async function beginFix(turn: EmployeeTurn, causeId: CauseId): Promise<void> {
  endFlow(turn);
  await startFix(turn, causeId);
}
