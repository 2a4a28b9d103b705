import { randomUUID } from 'node:crypto';
import { TurnContext } from 'botbuilder';
import { renderDiagnosisCard, renderQuestionCard } from '../cards';
import { applyTypedFacts, diagnosisInputOf, keptLookup, platformFromSignIns, recordAnswer, recordLine } from '../domain/case-file';
import type { LookupResult } from '../domain/directory';
import { extractFacts } from '../domain/message-parser';
import { getPlaybook } from '../domain/playbooks';
import { selectNextQuestion } from '../domain/question-selector';
import { answerLabel, getQuestion, isAnswerFor, type QuestionId } from '../domain/questions';
import { matchTypedAnswer } from './answer-matcher';
import type { TriageFlow } from './conversation-state';
import type { EmployeeDeps, EmployeeTurn, FlowInput } from './employee-turn';
import { startFix } from './fix-flow';
import { caseEvidence, lookupNote, presentDiagnosis, presentQuestion } from './present';

/** What starts a triage: the employee's first message, and any answer given with it. */
export interface TriageOptions {
  text?: string;
  answer?: { questionId: QuestionId; answer: string };
}

/** How long a directory lookup may take in all (it goes on in the background after LOOKUP_WAIT_MS). */
export const LOOKUP_BUDGET_MS = 45_000;
/** How long the employee's turn waits for the lookup before carrying on without it. */
export const LOOKUP_WAIT_MS = 5_000;

/**
 * Triage: reads the first message, looks up the employee's own sign-in evidence, then asks only
 * the questions that still change the outcome, one at a time, and hands the diagnosis to the fix
 * walkthrough. These functions run over `conversation.flow` ({ kind: 'triage' }).
 */
export async function startTriage(turn: EmployeeTurn, deps: EmployeeDeps, options: TriageOptions = {}): Promise<void> {
  const file = turn.caseFile;
  const flow: TriageFlow = { kind: 'triage' };
  turn.conversation.flow = flow;
  if (options.text) applyTypedFacts(file, extractFacts(options.text, turn.locale));
  if (options.answer) recordAnswer(file, options.answer.questionId, options.answer.answer);
  const reading = lookup(turn, deps);
  // Teams gives a turn about 15 s: wait a few seconds, then carry on and finish a slow read in the background.
  const waitMs = deps.continueLater ? (deps.lookupWaitMs ?? LOOKUP_WAIT_MS) : undefined;
  const result = waitMs === undefined ? await reading : await Promise.race([reading, delay(waitMs)]);
  if (result) {
    useLookup(file, result);
    return advance(turn, deps, flow, lookupNote(result, turn.locale));
  }
  const token = randomUUID();
  file.lookupPending = token;
  await turn.notice(turn.text('triage.reading-logs.title'), turn.text('triage.reading-logs.text'));
  const reference = TurnContext.getConversationReference(turn.context.activity);
  void reading.then((late) =>
    deps.continueLater!(reference, async (later) => {
      const laterFile = later.caseFile;
      // Only this triage's read fills in the case: "start over" or a new problem began another one.
      if (laterFile.lookupPending !== token) return;
      laterFile.lookupPending = undefined;
      useLookup(laterFile, late);
      const now = later.conversation.flow;
      if (now?.kind !== 'triage') return; // already past triage: the evidence stays on the case for the ticket
      await later.notice(later.text('triage.logs-read.title'), later.text('triage.logs-read.text'));
      await advance(later, deps, now, lookupNote(late, later.locale));
    }),
  );
  await advance(turn, deps, flow);
}

/** Puts a lookup's result on the case; the sign-in logs know the desktop even when the employee did not say. */
function useLookup(file: EmployeeTurn['caseFile'], result: LookupResult): void {
  file.lookup = keptLookup(result);
  if (result.ok) file.platform ??= platformFromSignIns(result.evidence.signIns);
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}

/** The employee's next move while triage is asking. */
export async function continueTriage(turn: EmployeeTurn, deps: EmployeeDeps, flow: TriageFlow, input: FlowInput): Promise<void> {
  const file = turn.caseFile;
  if (input.kind === 'answer') {
    const already = file.answers[input.questionId];
    if (already === input.answer && flow.pending !== input.questionId && !file.textFacts?.includes(input.questionId)) return; // a second click on an answered card
    recordAnswer(file, input.questionId, input.answer);
    if (flow.pending === input.questionId) flow.pending = undefined;
    return advance(turn, deps, flow);
  }
  if (input.kind === 'text' && flow.pending) {
    const pending = flow.pending;
    const answer = matchTypedAnswer(pending, input.text);
    const facts = extractFacts(input.text, turn.locale);
    // A typed reply may answer the open question in other words ("outlook doesn't work either"): take it when it does.
    const fromFacts = answer ?? facts.answers[pending];
    applyTypedFacts(file, { ...facts, answers: Object.fromEntries(Object.entries(facts.answers).filter(([q]) => q !== pending)) });
    if (fromFacts && isAnswerFor(pending, fromFacts)) {
      const typed = fromFacts;
      recordAnswer(file, pending, typed);
      recordLine(file, 'bot', `(read as: ${answerLabel(pending, typed, turn.locale)})`, turn.now);
      flow.pending = undefined;
      return advance(turn, deps, flow);
    }
    const learned = Object.keys(facts.answers).some((q) => q !== pending) || facts.proxy || facts.mac || facts.mfa || facts.causeHints.length > 0 || facts.aadstsCodes.length > 0;
    if (file.answers[pending] !== undefined || learned) {
      if (file.answers[pending] !== undefined) flow.pending = undefined;
      return advance(turn, deps, flow);
    }
    await turn.notice(turn.text('triage.didnt-catch.title'), turn.text('triage.didnt-catch.text'));
    return ask(turn, flow, pending);
  }
  if (input.kind === 'none' && flow.pending) return ask(turn, flow, flow.pending); // after a refused answer: show the question again
  if (input.kind === 'fix-result') {
    await turn.notice(turn.text('triage.older-card.title'), turn.text('triage.older-card.text'));
    return flow.pending ? ask(turn, flow, flow.pending) : advance(turn, deps, flow);
  }
}

async function lookup(turn: EmployeeTurn, deps: EmployeeDeps): Promise<LookupResult> {
  if (!turn.userId) {
    return {
      ok: false,
      failure: {
        kind: 'misconfigured',
        message: turn.text('triage.lookup.no-identity'),
        adminDetail: 'Activity had no from.aadObjectId.',
      },
    };
  }
  const budgetMs = deps.lookupBudgetMs ?? LOOKUP_BUDGET_MS;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<LookupResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ ok: false, failure: { kind: 'timeout', message: turn.text('triage.lookup.timeout'), adminDetail: `Lookup exceeded ${budgetMs} ms.` } });
    }, budgetMs);
  });
  try {
    const result = await Promise.race([deps.directory.lookup(turn.userId, { now: turn.now, signal: controller.signal }), timeout]);
    if (!result.ok) deps.log.warn({ kind: result.failure.kind, detail: result.failure.adminDetail }, 'directory lookup failed');
    return result;
  } catch (error) {
    deps.log.warn({ err: (error as Error).message }, 'directory lookup threw');
    return { ok: false, failure: { kind: 'unavailable', message: turn.text('triage.lookup.unavailable'), adminDetail: (error as Error).message } };
  } finally {
    clearTimeout(timer);
  }
}

/** Asks the next useful question, or concludes and starts the walkthrough of the likely cause. */
async function advance(turn: EmployeeTurn, deps: EmployeeDeps, flow: TriageFlow, note?: string): Promise<void> {
  const file = turn.caseFile;
  const evidence = caseEvidence(file, turn.now);
  const next = selectNextQuestion(diagnosisInputOf(file, evidence), file.asked);
  if (next.question) {
    if (!file.asked.includes(next.question)) file.asked.push(next.question);
    return ask(turn, flow, next.question, note);
  }
  const diagnosis = next.diagnosis;
  const model = presentDiagnosis(diagnosis, file, evidence, turn.timeZone, turn.locale);
  file.diagnosis = {
    leading: diagnosis.leading,
    confidence: diagnosis.confidence,
    clear: diagnosis.clear,
    findings: model.findings.map((f) => `${f.supports ? '✔' : '✖'} ${f.text}`),
    alternatives: diagnosis.ranked
      .filter((r) => r.causeId !== diagnosis.leading)
      .slice(0, 3)
      .map((r) => ({ causeId: r.causeId, confidence: r.confidence })),
  };
  deps.log.info({ causeId: diagnosis.leading, confidence: diagnosis.confidence, questions: file.asked.length }, 'diagnosis');
  await deps
    .onDiagnosis?.({
      at: turn.now.toISOString(),
      causeId: diagnosis.leading,
      failedPolicies: evidence?.failedPolicies ?? [],
      latestCode: evidence?.oneDriveFailures[0]?.code,
      requesterId: turn.userId,
      requesterName: turn.userName,
    })
    .catch((error: Error) => deps.log.warn({ err: error.message }, 'diagnosis hook failed'));
  await turn.say(renderDiagnosisCard(model), turn.text('triage.diagnosis-summary', { title: getPlaybook(diagnosis.leading, turn.locale).title, confidence: diagnosis.confidence }));
  await startFix(turn, diagnosis.leading);
}

async function ask(turn: EmployeeTurn, flow: TriageFlow, questionId: QuestionId, note?: string): Promise<void> {
  const file = turn.caseFile;
  flow.pending = questionId;
  const number = Math.max(1, file.asked.indexOf(questionId) + 1);
  await turn.say(renderQuestionCard({ ...presentQuestion(questionId, number, note, turn.locale), caseRef: file.startedAt }), getQuestion(questionId, turn.locale).text);
}
