import type { CauseId } from './causes';
import type { Diagnosis, DiagnosisInput } from './diagnosis';
import type { Platform } from './platform';

export type { Platform } from './platform';
import type { EvidenceAnalysis } from './evidence-analysis';
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
  /** Questions whose answers were only read from the employee's words (they weigh less than a card answer). */
  textFacts?: QuestionId[];
  /** Causes the employee's wording pointed to ("my account is locked"). */
  hints?: CauseId[];
  /** AADSTS codes the employee quoted. */
  quotedCodes?: number[];
  /** The employee mentioned multi-factor authentication. */
  mfaMentioned?: boolean;
  /** Set while a slow sign-in log read goes on in the background: its token, so only that read fills in `lookup`. */
  lookupPending?: string;
  /** The employee is on a Mac (their words or the sign-in's operating system): fix steps follow it. */
  platform?: Platform;
  lookup?: LookupResult;
  diagnosis?: Pick<Diagnosis, 'leading' | 'confidence' | 'clear'> & { findings: string[]; alternatives: Array<{ causeId: CauseId; confidence: number }> };
  steps: StepOutcome[];
  transcript: TranscriptLine[];
  /** Ticket opened from this case, if any. */
  ticketId?: string;
}

/** What the message reader took from free text (src/domain/message-parser.ts `ParsedFacts`). */
export interface TypedFacts {
  answers: Answers;
  proxy: boolean;
  mac: boolean;
  mfa: boolean;
  aadstsCodes: number[];
  contradicted: QuestionId[];
  causeHints: CauseId[];
  codeFromWording: boolean;
}

/**
 * Merges facts read from free text into the case. A card answer is never overwritten; a text
 * fact that a later message contradicts is dropped, so the bot asks instead.
 */
export function applyTypedFacts(file: CaseFile, facts: TypedFacts): void {
  const fromText = new Set(file.textFacts ?? []);
  for (const [question, answer] of Object.entries(facts.answers) as Array<[QuestionId, string]>) {
    const current = file.answers[question];
    if (current === undefined) {
      file.answers[question] = answer;
      if (question !== 'error-code' || facts.codeFromWording) fromText.add(question);
    } else if (current !== answer && fromText.has(question)) {
      delete file.answers[question];
      fromText.delete(question);
    }
  }
  for (const question of facts.contradicted) {
    if (fromText.has(question)) {
      delete file.answers[question];
      fromText.delete(question);
    }
  }
  file.textFacts = [...fromText];
  file.proxy = file.proxy || facts.proxy;
  file.mfaMentioned = file.mfaMentioned || facts.mfa || undefined;
  if (facts.mac) file.platform = 'mac';
  if (facts.causeHints.length) file.hints = [...new Set([...(file.hints ?? []), ...facts.causeHints])];
  if (facts.aadstsCodes.length) file.quotedCodes = [...new Set([...(file.quotedCodes ?? []), ...facts.aadstsCodes])].slice(0, 10);
}

/** Records an answer given on a card: it replaces anything read from text. */
export function recordAnswer(file: CaseFile, question: QuestionId, answer: string): void {
  file.answers[question] = answer;
  if (file.textFacts) file.textFacts = file.textFacts.filter((q) => q !== question);
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

/** What the diagnosis weighs for this case: the answers and what was read from the employee's words, with the evidence when there is some. */
export function diagnosisInputOf(file: CaseFile, evidence?: EvidenceAnalysis): DiagnosisInput {
  return { answers: file.answers, proxy: file.proxy, evidence, textFacts: file.textFacts, hints: file.hints, quotedCodes: file.quotedCodes, mfaMentioned: file.mfaMentioned };
}

/** The desktop the sign-ins came from: `mac` when OneDrive or Office signed in from macOS, else undefined (the employee's words decide). */
export function platformFromSignIns(signIns: ReadonlyArray<{ appDisplayName?: string | null; deviceDetail?: { operatingSystem?: string | null } | null }>): Platform | undefined {
  const systems = signIns.map((s) => s.deviceDetail?.operatingSystem?.toLowerCase() ?? '').filter(Boolean);
  if (systems.length === 0) return undefined;
  const mac = systems.filter((os) => os.includes('mac')).length;
  return mac > systems.length / 2 ? 'mac' : 'windows';
}

/** Policy results the diagnosis reads; a policy that did not apply says nothing about a failure. */
const KEPT_POLICY_RESULTS: ReadonlySet<string> = new Set(['failure', 'success']);

/**
 * The lookup as the case keeps it between turns. The conversation state is read, compared and
 * written on every turn, so the case keeps only what a later turn reads. Each sign-in drops the
 * IP address, the user id and UPN repeated on every event, the policies that did not apply, and
 * what only the Graph read itself uses (client app and resource names, event types, the overall
 * Conditional Access status, the failure's additional details). Of the tenant's Conditional
 * Access policies it keeps those a kept sign-in names. Whether policy results were readable at
 * all (the list present or absent) is kept.
 */
export function keptLookup(result: LookupResult): LookupResult {
  if (!result.ok) return result;
  const named = new Set<string>();
  const signIns = result.evidence.signIns.map((event) => {
    const {
      ipAddress: _ip,
      userPrincipalName: _upn,
      userId: _id,
      clientAppUsed: _client,
      resourceDisplayName: _resource,
      signInEventTypes: _types,
      conditionalAccessStatus: _ca,
      ...kept
    } = event;
    if (event.status) {
      const { additionalDetails: _details, ...status } = event.status;
      kept.status = status;
    }
    if (kept.appliedConditionalAccessPolicies) {
      kept.appliedConditionalAccessPolicies = kept.appliedConditionalAccessPolicies.filter((p) => KEPT_POLICY_RESULTS.has(String(p.result)));
      for (const p of kept.appliedConditionalAccessPolicies) if (p.id) named.add(p.id);
    }
    return kept;
  });
  const conditionalAccessPolicies = result.evidence.conditionalAccessPolicies.filter((p) => named.has(p.id));
  return { ok: true, evidence: { ...result.evidence, signIns, conditionalAccessPolicies } };
}
