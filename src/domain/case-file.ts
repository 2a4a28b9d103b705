import type { CauseId } from './causes';
import type { Diagnosis } from './diagnosis';
import type { LookupResult } from './directory';
import type { FixResultValue } from './fix-walkthrough';
import type { Answers, QuestionId } from './questions';

/** One line of the conversation, kept for the ticket so the employee never repeats anything. */
export interface TranscriptLine {
  at: string;
  from: 'employee' | 'bot' | 'agent';
  text: string;
}

/** One fix step the employee tried and how it went. */
export interface StepOutcome {
  causeId: CauseId;
  stepId: string;
  title: string;
  result: FixResultValue | 'skipped';
  at: string;
}

/**
 * Everything collected in one conversation: answers, the lookup, the diagnosis and the
 * steps tried. It outlives the dialogs so a ticket can carry it.
 */
export interface CaseFile {
  startedAt: string;
  answers: Answers;
  proxy: boolean;
  asked: QuestionId[];
  lookup?: LookupResult;
  diagnosis?: Pick<Diagnosis, 'leading' | 'confidence' | 'clear'> & { findings: string[]; alternatives: Array<{ causeId: CauseId; confidence: number }> };
  steps: StepOutcome[];
  transcript: TranscriptLine[];
  /** Ticket opened from this case, if any. */
  ticketId?: string;
}

/** Transcript lines kept per case; older ones are dropped first. */
export const MAX_TRANSCRIPT_LINES = 200;
const MAX_LINE_LENGTH = 1000;

/** A fresh case file. */
export function newCaseFile(now: Date): CaseFile {
  return { startedAt: now.toISOString(), answers: {}, proxy: false, asked: [], steps: [], transcript: [] };
}

/** Appends a transcript line, trimming long text and old lines. */
export function recordLine(file: CaseFile, from: TranscriptLine['from'], text: string, now: Date): void {
  const clean = text.length > MAX_LINE_LENGTH ? `${text.slice(0, MAX_LINE_LENGTH)}…` : text;
  file.transcript.push({ at: now.toISOString(), from, text: clean });
  if (file.transcript.length > MAX_TRANSCRIPT_LINES) file.transcript.splice(0, file.transcript.length - MAX_TRANSCRIPT_LINES);
}
