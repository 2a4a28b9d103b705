import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { renderDiagnosisCard, renderQuestionCard } from '../cards';
import { recordLine } from '../domain/case-file';
import type { DirectoryPort, LookupResult } from '../domain/directory';
import { extractFacts } from '../domain/message-parser';
import { getPlaybook } from '../domain/playbooks';
import { selectNextQuestion } from '../domain/question-selector';
import { answerLabel, isAnswerFor, QUESTIONS, type QuestionId } from '../domain/questions';
import { matchTypedAnswer } from './answer-matcher';
import { FIX_WALKTHROUGH_DIALOG } from './fix-walkthrough-dialog';
import { caseEvidence, lookupNote, presentDiagnosis, presentQuestion } from './present';
import { sendCard, sendNotice } from './send';
import { getTurnData } from './turn-data';

export const TRIAGE_DIALOG = 'triage';

/** What starts a triage: the employee's first message, and any answer given with it. */
export interface TriageOptions {
  text?: string;
  answer?: { questionId: QuestionId; answer: string };
}

interface TriageDialogState {
  pending?: QuestionId;
}

/** Logger the dialogs use; pino fits. */
export interface DialogLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** What the triage reports when it concludes (for incident detection). */
export interface DiagnosisReport {
  at: string;
  causeId: import('../domain/causes').CauseId;
  /** The failing policy names, if any. */
  failedPolicies: string[];
  /** The newest meaningful OneDrive failure code, if any. */
  latestCode?: number;
  requesterId?: string;
  requesterName?: string;
}

/** How long a directory lookup may take before triage carries on without it. */
export const LOOKUP_BUDGET_MS = 8000;

/**
 * Triage: reads the first message, looks up the employee's own sign-in evidence, then asks
 * only the questions that still change the outcome, one at a time, and hands the diagnosis
 * to the fix walkthrough.
 */
export class TriageDialog extends Dialog<TriageOptions> {
  constructor(
    private readonly directory: DirectoryPort,
    private readonly log: DialogLogger,
    private readonly lookupBudgetMs = LOOKUP_BUDGET_MS,
    private readonly onDiagnosis?: (report: DiagnosisReport) => Promise<void>,
  ) {
    super(TRIAGE_DIALOG);
  }

  override async beginDialog(dc: DialogContext, options?: TriageOptions): Promise<DialogTurnResult> {
    const turn = getTurnData(dc.context);
    const file = turn.caseFile;
    if (options?.text) {
      const facts = extractFacts(options.text);
      Object.assign(file.answers, facts.answers);
      file.proxy = file.proxy || facts.proxy;
    }
    if (options?.answer) file.answers[options.answer.questionId] = options.answer.answer;
    file.lookup = await this.lookup(turn.userId, turn.now);
    const state = dc.activeDialog!.state as TriageDialogState;
    state.pending = undefined;
    return this.advance(dc, lookupNote(file.lookup));
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const turn = getTurnData(dc.context);
    const file = turn.caseFile;
    const state = dc.activeDialog!.state as TriageDialogState;
    const input = turn.input;

    if (input.kind === 'answer') {
      const already = file.answers[input.questionId];
      if (already === input.answer && state.pending !== input.questionId) return Dialog.EndOfTurn; // a second click on an answered card
      file.answers[input.questionId] = input.answer;
      if (state.pending === input.questionId) state.pending = undefined;
      return this.advance(dc);
    }
    if (input.kind === 'text' && state.pending) {
      const answer = matchTypedAnswer(state.pending, input.text);
      const facts = extractFacts(input.text);
      for (const [q, a] of Object.entries(facts.answers)) if (file.answers[q as QuestionId] === undefined) file.answers[q as QuestionId] = a;
      file.proxy = file.proxy || facts.proxy;
      if (answer && isAnswerFor(state.pending, answer)) {
        file.answers[state.pending] = answer;
        recordLine(file, 'bot', `(read as: ${answerLabel(state.pending, answer)})`, turn.now);
        state.pending = undefined;
        return this.advance(dc);
      }
      if (file.answers[state.pending] !== undefined) {
        state.pending = undefined;
        return this.advance(dc);
      }
      await sendNotice(dc.context, "I didn't catch that", 'Please pick one of the answers on the card below, or type "start over" or "help".');
      return this.ask(dc, state.pending);
    }
    if (input.kind === 'none' && state.pending) return this.ask(dc, state.pending); // after a refused answer: show the question again
    if (input.kind === 'fix-result') {
      await sendNotice(dc.context, 'That button is from an older card', "We're still working out the cause. Please answer the question below first.");
      return state.pending ? this.ask(dc, state.pending) : this.advance(dc);
    }
    return Dialog.EndOfTurn;
  }

  private async lookup(userId: string | undefined, now: Date): Promise<LookupResult> {
    if (!userId) {
      return {
        ok: false,
        failure: {
          kind: 'misconfigured',
          message: "Teams didn't tell me who you are (your message carried no Microsoft Entra ID), so I can't look up your account.",
          adminDetail: 'Activity had no from.aadObjectId.',
        },
      };
    }
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<LookupResult>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve({ ok: false, failure: { kind: 'timeout', message: 'the directory took too long to answer.', adminDetail: `Lookup exceeded ${this.lookupBudgetMs} ms.` } });
      }, this.lookupBudgetMs);
    });
    try {
      const result = await Promise.race([this.directory.lookup(userId, { now, signal: controller.signal }), timeout]);
      if (!result.ok) this.log.warn({ kind: result.failure.kind, detail: result.failure.adminDetail }, 'directory lookup failed');
      return result;
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'directory lookup threw');
      return { ok: false, failure: { kind: 'unavailable', message: 'the directory could not be reached.', adminDetail: (error as Error).message } };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Asks the next useful question, or concludes. */
  private async advance(dc: DialogContext, note?: string): Promise<DialogTurnResult> {
    const turn = getTurnData(dc.context);
    const file = turn.caseFile;
    const evidence = caseEvidence(file, turn.now);
    const next = selectNextQuestion({ answers: file.answers, proxy: file.proxy, evidence }, file.asked);
    if (next.question) {
      if (!file.asked.includes(next.question)) file.asked.push(next.question);
      return this.ask(dc, next.question, note);
    }
    const diagnosis = next.diagnosis;
    const model = presentDiagnosis(diagnosis, file, evidence, turn.timeZone);
    file.diagnosis = {
      leading: diagnosis.leading,
      confidence: diagnosis.confidence,
      clear: diagnosis.clear,
      findings: model.findings.map((f) => `${f.supports ? '✔' : '✖'} ${f.text}`),
      alternatives: diagnosis.ranked.filter((r) => r.causeId !== diagnosis.leading).slice(0, 3).map((r) => ({ causeId: r.causeId, confidence: r.confidence })),
    };
    this.log.info({ causeId: diagnosis.leading, confidence: diagnosis.confidence, questions: file.asked.length }, 'diagnosis');
    await this.onDiagnosis?.({
      at: turn.now.toISOString(),
      causeId: diagnosis.leading,
      failedPolicies: evidence?.failedPolicies ?? [],
      latestCode: evidence?.oneDriveFailures[0]?.code,
      requesterId: turn.userId,
      requesterName: turn.userName,
    }).catch((error: Error) => this.log.warn({ err: error.message }, 'diagnosis hook failed'));
    await sendCard(dc.context, renderDiagnosisCard(model), `Likely cause: ${getPlaybook(diagnosis.leading).title} (${diagnosis.confidence}% confidence)`);
    return dc.replaceDialog(FIX_WALKTHROUGH_DIALOG, { causeId: diagnosis.leading });
  }

  private async ask(dc: DialogContext, questionId: QuestionId, note?: string): Promise<DialogTurnResult> {
    const file = getTurnData(dc.context).caseFile;
    const state = dc.activeDialog!.state as TriageDialogState;
    state.pending = questionId;
    const number = Math.max(1, file.asked.indexOf(questionId) + 1);
    await sendCard(dc.context, renderQuestionCard(presentQuestion(questionId, number, note)), QUESTIONS[questionId].text);
    return Dialog.EndOfTurn;
  }
}
