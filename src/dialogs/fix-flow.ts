import { renderEscalateCard, renderFixStepCard, renderQuestionCard, renderResolvedCard } from '../cards';
import { isCauseId, type CauseId } from '../domain/causes';
import { applyStepResult, nextShowableStep, type FixResultValue } from '../domain/fix-walkthrough';
import { getPlaybook } from '../domain/playbooks';
import { getQuestion } from '../domain/questions';
import { matchTypedAnswer, matchTypedStepResult } from './answer-matcher';
import type { FixFlow } from './conversation-state';
import type { EmployeeTurn, FlowInput } from './employee-turn';
import { presentEscalation, presentQuestion, presentStep } from './present';

/**
 * The fix walkthrough: one playbook step at a time. "It worked" ends it with a rating, "still
 * broken" and "I can't do this" move on, and running out of steps offers a ticket. Before the
 * first step that needs local admin rights it asks whether the employee has them. These
 * functions run over `conversation.flow` ({ kind: 'fix' }); the flow ends (undefined) when the
 * walkthrough does.
 */
export async function startFix(turn: EmployeeTurn, causeId: CauseId): Promise<void> {
  const flow: FixFlow = { kind: 'fix', causeId: isCauseId(causeId) ? causeId : 'unknown', index: 0, results: [], awaitingAdminRights: false };
  turn.conversation.flow = flow;
  await show(turn, flow, 0);
}

/** The employee's next move while a walkthrough is on screen. */
export async function continueFix(turn: EmployeeTurn, flow: FixFlow, input: FlowInput): Promise<void> {
  const file = turn.caseFile;
  const playbook = getPlaybook(flow.causeId, turn.locale);
  const current = playbook.steps[flow.index];

  if (input.kind === 'answer' && input.questionId === 'admin-rights') {
    file.answers['admin-rights'] = input.answer;
    if (!flow.awaitingAdminRights) return;
    flow.awaitingAdminRights = false;
    return show(turn, flow, flow.index);
  }
  if (flow.awaitingAdminRights && input.kind === 'text') {
    const answer = matchTypedAnswer('admin-rights', input.text);
    if (answer) {
      file.answers['admin-rights'] = answer;
      flow.awaitingAdminRights = false;
      return show(turn, flow, flow.index);
    }
    await turn.notice(turn.text('fix.didnt-catch.title'), turn.text('fix.didnt-catch.text'));
    return askAdminRights(turn, flow);
  }
  if (input.kind === 'answer') {
    file.answers[input.questionId] = input.answer;
    await turn.notice(turn.text('fix.noted.title'), turn.text('fix.noted.text'));
    return;
  }

  let result: FixResultValue | undefined;
  if (input.kind === 'fix-result') {
    if (input.causeId !== flow.causeId || !current || input.stepId !== current.id) {
      const earlier = flow.results.some((r) => r.stepId === input.stepId) && input.causeId === flow.causeId;
      if (earlier) return; // a second click on a step already answered
      await turn.notice(turn.text('fix.older-card.title'), turn.text('fix.older-card.text', { step: flow.index + 1, title: playbook.title }));
      return;
    }
    result = input.result;
  } else if (input.kind === 'text') {
    result = matchTypedStepResult(input.text);
    if (!result) {
      await turn.notice(turn.text('fix.where-are-we.title'), turn.text('fix.where-are-we.text'));
      return;
    }
  }
  if (!result || !current) return;
  await record(turn, flow, result);
}

async function record(turn: EmployeeTurn, flow: FixFlow, result: FixResultValue): Promise<void> {
  const file = turn.caseFile;
  const playbook = getPlaybook(flow.causeId, turn.locale);
  const before = flow.results.length;
  const next = applyStepResult(flow, playbook, result, hasAdminRights(file.answers['admin-rights']), file.answers, file.platform);
  for (const r of flow.results.slice(before)) {
    const step = playbook.steps.find((s) => s.id === r.stepId);
    file.steps.push({ causeId: flow.causeId, stepId: r.stepId, title: step?.title ?? r.stepId, result: r.result, at: turn.now.toISOString() });
  }
  if (next.kind === 'resolved') {
    await turn.say(renderResolvedCard({ causeId: flow.causeId, causeTitle: playbook.title, verify: playbook.verify, locale: turn.locale }), turn.text('fix.resolved-summary'));
    end(turn, flow);
    return;
  }
  if (next.kind === 'escalate') return escalate(turn, flow, next.reason);
  return show(turn, flow, next.index);
}

async function show(turn: EmployeeTurn, flow: FixFlow, from: number): Promise<void> {
  const file = turn.caseFile;
  const playbook = getPlaybook(flow.causeId, turn.locale);
  if (playbook.steps.length === 0) return escalate(turn, flow, turn.text('fix.only-help-desk'));
  const adminAnswer = file.answers['admin-rights'];
  const upcoming = nextShowableStep(playbook, from, undefined, file.answers, file.platform);
  if (playbook.steps[upcoming.index]?.needsLocalAdmin && adminAnswer === undefined) {
    flow.index = upcoming.index;
    return askAdminRights(turn, flow);
  }
  const target = nextShowableStep(playbook, from, hasAdminRights(adminAnswer), file.answers, file.platform);
  for (const s of target.skipped) {
    flow.results.push({ stepId: s.id, result: 'skipped' });
    file.steps.push({ causeId: flow.causeId, stepId: s.id, title: s.title, result: 'skipped', at: turn.now.toISOString() });
  }
  if (target.index >= playbook.steps.length) return escalate(turn, flow, turn.text('fix.needs-admin'));
  flow.index = target.index;
  const model = { ...presentStep(flow.causeId, target.index, file.answers, file.platform, turn.locale), caseRef: file.startedAt };
  await turn.say(renderFixStepCard(model), turn.text('fix.step-summary', { number: model.stepNumber, count: model.stepCount, title: model.title }));
}

async function askAdminRights(turn: EmployeeTurn, flow: FixFlow): Promise<void> {
  flow.awaitingAdminRights = true;
  const file = turn.caseFile;
  if (!file.asked.includes('admin-rights')) file.asked.push('admin-rights');
  await turn.say(
    renderQuestionCard({ ...presentQuestion('admin-rights', file.asked.length, undefined, turn.locale), progress: turn.text('fix.admin-progress'), caseRef: file.startedAt }),
    getQuestion('admin-rights', turn.locale).text,
  );
}

async function escalate(turn: EmployeeTurn, flow: FixFlow, reason: string): Promise<void> {
  await turn.say(renderEscalateCard(presentEscalation(flow.causeId, reason, turn.caseFile, turn.locale)), turn.text('fix.escalate-summary', { reason }));
  end(turn, flow);
}

/** Ends the walkthrough, unless another flow has taken its place meanwhile. */
function end(turn: EmployeeTurn, flow: FixFlow): void {
  if (turn.conversation.flow === flow) turn.conversation.flow = undefined;
}

function hasAdminRights(answer: string | undefined): boolean | undefined {
  return answer === 'yes' ? true : answer === 'no' ? false : undefined;
}
