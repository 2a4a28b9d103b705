import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { renderEscalateCard, renderFixStepCard, renderQuestionCard, renderResolvedCard } from '../cards';
import { isCauseId, type CauseId } from '../domain/causes';
import { applyStepResult, nextShowableStep, type FixResultValue, type WalkthroughState } from '../domain/fix-walkthrough';
import { getPlaybook } from '../domain/playbooks';
import { QUESTIONS } from '../domain/questions';
import { matchTypedAnswer, matchTypedStepResult } from './answer-matcher';
import { presentEscalation, presentQuestion, presentStep } from './present';
import { sendCard, sendNotice } from './send';
import { getTurnData } from './turn-data';

export const FIX_WALKTHROUGH_DIALOG = 'fix-walkthrough';

/** Starts the walkthrough of one cause's playbook. */
export interface FixWalkthroughOptions {
  causeId: CauseId;
}

interface FixDialogState extends WalkthroughState {
  awaitingAdminRights: boolean;
}

/** How the walkthrough ended, returned to whatever started it. */
export type FixWalkthroughOutcome = { outcome: 'fixed' | 'escalated'; causeId: CauseId };

/**
 * Walks the employee through a playbook one step at a time. "It worked" ends it with a rating,
 * "still broken" and "I can't do this" move on, and running out of steps offers a ticket.
 * Before the first step that needs local admin rights it asks whether the employee has them.
 */
export class FixWalkthroughDialog extends Dialog<FixWalkthroughOptions> {
  constructor() {
    super(FIX_WALKTHROUGH_DIALOG);
  }

  override async beginDialog(dc: DialogContext, options?: FixWalkthroughOptions): Promise<DialogTurnResult> {
    const causeId = options && isCauseId(options.causeId) ? options.causeId : 'unknown';
    const state = dc.activeDialog!.state as FixDialogState;
    Object.assign(state, { causeId, index: 0, results: [], awaitingAdminRights: false } satisfies FixDialogState);
    return this.show(dc, 0);
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const turn = getTurnData(dc.context);
    const state = dc.activeDialog!.state as FixDialogState;
    const input = turn.input;
    const playbook = getPlaybook(state.causeId);
    const current = playbook.steps[state.index];

    if (input.kind === 'answer' && input.questionId === 'admin-rights') {
      turn.caseFile.answers['admin-rights'] = input.answer;
      if (!state.awaitingAdminRights) return Dialog.EndOfTurn;
      state.awaitingAdminRights = false;
      return this.show(dc, state.index);
    }
    if (state.awaitingAdminRights && input.kind === 'text') {
      const answer = matchTypedAnswer('admin-rights', input.text);
      if (answer) {
        turn.caseFile.answers['admin-rights'] = answer;
        state.awaitingAdminRights = false;
        return this.show(dc, state.index);
      }
      await sendNotice(dc.context, "I didn't catch that", 'Please pick one of the answers on the card.');
      return this.askAdminRights(dc);
    }
    if (input.kind === 'answer') {
      turn.caseFile.answers[input.questionId] = input.answer;
      await sendNotice(dc.context, 'Noted', 'We already have a likely cause, so I kept your answer for the help desk. Carry on with the step above, or type "start over" to begin again.');
      return Dialog.EndOfTurn;
    }

    let result: FixResultValue | undefined;
    if (input.kind === 'fix-result') {
      if (input.causeId !== state.causeId || !current || input.stepId !== current.id) {
        const earlier = state.results.some((r) => r.stepId === input.stepId) && input.causeId === state.causeId;
        if (earlier) return Dialog.EndOfTurn; // a second click on a step already answered
        await sendNotice(dc.context, 'That button is from an older card', `We're on step ${state.index + 1} of "${playbook.title}". Use the buttons on the newest card.`);
        return Dialog.EndOfTurn;
      }
      result = input.result;
    } else if (input.kind === 'text') {
      result = matchTypedStepResult(input.text);
      if (!result) {
        await sendNotice(dc.context, 'Where are we?', 'Tell me how the step went with the buttons on the card: "It worked", "Still broken" or "I can\'t do this". Type "start over" to begin again.');
        return Dialog.EndOfTurn;
      }
    }
    if (!result || !current) return Dialog.EndOfTurn;
    return this.record(dc, result);
  }

  private async record(dc: DialogContext, result: FixResultValue): Promise<DialogTurnResult> {
    const turn = getTurnData(dc.context);
    const state = dc.activeDialog!.state as FixDialogState;
    const playbook = getPlaybook(state.causeId);
    const before = state.results.length;
    const next = applyStepResult(state, playbook, result, hasAdminRights(turn.caseFile.answers['admin-rights']), turn.caseFile.answers);
    for (const r of state.results.slice(before)) {
      const step = playbook.steps.find((s) => s.id === r.stepId);
      turn.caseFile.steps.push({ causeId: state.causeId, stepId: r.stepId, title: step?.title ?? r.stepId, result: r.result, at: turn.now.toISOString() });
    }
    if (next.kind === 'resolved') {
      await sendCard(dc.context, renderResolvedCard({ causeId: state.causeId, causeTitle: playbook.title, verify: playbook.verify }), 'Glad that worked. How did I do?');
      return dc.endDialog({ outcome: 'fixed', causeId: state.causeId } satisfies FixWalkthroughOutcome);
    }
    if (next.kind === 'escalate') return this.escalate(dc, next.reason);
    return this.show(dc, next.index);
  }

  private async show(dc: DialogContext, from: number): Promise<DialogTurnResult> {
    const turn = getTurnData(dc.context);
    const state = dc.activeDialog!.state as FixDialogState;
    const playbook = getPlaybook(state.causeId);
    if (playbook.steps.length === 0) return this.escalate(dc, 'Only the help desk can fix this one.');
    const adminAnswer = turn.caseFile.answers['admin-rights'];
    const upcoming = nextShowableStep(playbook, from, undefined, turn.caseFile.answers);
    if (playbook.steps[upcoming.index]?.needsLocalAdmin && adminAnswer === undefined) {
      state.index = upcoming.index;
      return this.askAdminRights(dc);
    }
    const target = nextShowableStep(playbook, from, hasAdminRights(adminAnswer), turn.caseFile.answers);
    for (const s of target.skipped) {
      state.results.push({ stepId: s.id, result: 'skipped' });
      turn.caseFile.steps.push({ causeId: state.causeId, stepId: s.id, title: s.title, result: 'skipped', at: turn.now.toISOString() });
    }
    if (target.index >= playbook.steps.length) return this.escalate(dc, 'The remaining steps need local administrator rights, so the help desk will do them with you.');
    state.index = target.index;
    const model = presentStep(state.causeId, target.index, turn.caseFile.answers);
    await sendCard(dc.context, renderFixStepCard(model), `Step ${model.stepNumber} of ${model.stepCount}: ${model.title}`);
    return Dialog.EndOfTurn;
  }

  private async askAdminRights(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as FixDialogState;
    state.awaitingAdminRights = true;
    const file = getTurnData(dc.context).caseFile;
    if (!file.asked.includes('admin-rights')) file.asked.push('admin-rights');
    await sendCard(dc.context, renderQuestionCard({ ...presentQuestion('admin-rights', file.asked.length), progress: 'Before the next step' }), QUESTIONS['admin-rights'].text);
    return Dialog.EndOfTurn;
  }

  private async escalate(dc: DialogContext, reason: string): Promise<DialogTurnResult> {
    const turn = getTurnData(dc.context);
    const state = dc.activeDialog!.state as FixDialogState;
    await sendCard(dc.context, renderEscalateCard(presentEscalation(state.causeId, reason, turn.caseFile)), `Let's get a person on this: ${reason}`);
    return dc.endDialog({ outcome: 'escalated', causeId: state.causeId } satisfies FixWalkthroughOutcome);
  }
}

function hasAdminRights(answer: string | undefined): boolean | undefined {
  return answer === 'yes' ? true : answer === 'no' ? false : undefined;
}
