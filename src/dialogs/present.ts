import type {
  DiagnosisCardModel,
  DiagnosisEventModel,
  EscalateCardModel,
  FixStepCardModel,
  QuestionCardModel,
  TicketCardModel,
} from '../cards';
import { plainLine, plainText, shouldUseChoiceSet, TEXT_LIMITS } from '../cards';
import type { CaseFile } from '../domain/case-file';
import { confidenceLabel, type Diagnosis } from '../domain/diagnosis';
import type { LookupResult, SignInEvent } from '../domain/directory';
import { describeCode, isBenignCode } from '../domain/entra-codes';
import { analyzeEvidence, keyEvents, type EvidenceAnalysis } from '../domain/evidence-analysis';
import { employeeFacingHistory } from '../domain/handoff';
import { getPlaybook } from '../domain/playbooks';
import { employeeSteps } from '../domain/fix-walkthrough';
import type { Platform } from '../domain/platform';
import { answerLabel, QUESTIONS, type Answers, type QuestionId } from '../domain/questions';
import { STATUS_LABELS, type Ticket } from '../domain/tickets';

/**
 * Turns domain objects into card view-models, worded for the employee.
 * Times are shown in the employee's own time zone; raw IP addresses are never shown.
 */

/** Formats a time for the reader ("Sun 22 Nov, 09:14"), in their time zone when Teams gave one. */
export function formatWhen(iso: string | Date, timeZone?: string): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (!Number.isFinite(date.getTime())) return String(iso);
  const options: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false };
  try {
    // Always name the zone: a card may be drawn for one reader and read by another.
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: timeZone || 'UTC', timeZoneName: 'short' }).format(date);
  } catch {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC', timeZoneName: 'short' }).format(date);
  }
}

/** The evidence analysis for a case, when its lookup worked. */
export function caseEvidence(caseFile: CaseFile, now: Date): EvidenceAnalysis | undefined {
  return caseFile.lookup?.ok ? analyzeEvidence(caseFile.lookup.evidence, now) : undefined;
}

/** The employee-facing note about a failed lookup, if any. */
export function lookupNote(lookup: LookupResult | undefined): string | undefined {
  if (!lookup || lookup.ok) return undefined;
  return `I couldn't read your sign-in logs: ${lookup.failure.message} I'll work from your answers instead.`;
}

/** One sign-in event in plain words. */
export function presentEvent(event: SignInEvent, timeZone?: string): DiagnosisEventModel {
  const code = event.status?.errorCode ?? 0;
  const failed = !isBenignCode(code);
  const failedPolicies = (event.appliedConditionalAccessPolicies ?? []).filter((p) => p.result === 'failure').map((p) => p.displayName ?? 'unnamed policy');
  const device = [event.deviceDetail?.displayName, event.deviceDetail?.operatingSystem].filter(Boolean).join(', ');
  const place = [event.location?.city, event.location?.countryOrRegion].filter(Boolean).join(', ');
  return {
    when: formatWhen(event.createdDateTime, timeZone),
    app: `${event.appDisplayName ?? 'Unknown app'}${event.isInteractive === false ? ' (silent refresh)' : ''}`,
    outcome: failed ? `Failed (code ${code})` : code === 0 ? 'Signed in' : 'Prompted (not an error)',
    // A success needs no reason; "Signed in · signed in" only repeats itself.
    reason: failed ? describeCode(code, event.status?.failureReason) : code === 0 ? '' : describeCode(code),
    policy: failedPolicies.length ? failedPolicies.join(', ') : undefined,
    device: device || undefined,
    place: place || undefined,
  };
}

/** One line per key event, for tickets and agents. */
export function eventLines(analysis: EvidenceAnalysis | undefined, timeZone?: string): string[] {
  if (!analysis) return [];
  return keyEvents(analysis).map((e) => {
    const p = presentEvent(e, timeZone);
    return [p.when, p.app, p.outcome, p.reason, p.policy && `policy: ${p.policy}`, p.device && `device: ${p.device}`, p.place].filter(Boolean).join(' · ');
  });
}

/** Question card view-model. */
export function presentQuestion(questionId: QuestionId, number: number, note?: string): QuestionCardModel {
  const q = QUESTIONS[questionId];
  return {
    questionId,
    text: q.text,
    why: q.why,
    answers: q.answers.map((a) => ({ id: a.id, label: a.label })),
    progress: `Question ${number}`,
    lookupNote: note,
    useChoiceSet: shouldUseChoiceSet(q.answers),
  };
}

function hours(from: Date, to: Date): number {
  return Math.max(1, Math.round((to.getTime() - from.getTime()) / 3_600_000));
}

/** Diagnosis card view-model. */
export function presentDiagnosis(diagnosis: Diagnosis, caseFile: CaseFile, analysis: EvidenceAnalysis | undefined, timeZone?: string, locale?: string): DiagnosisCardModel {
  const playbook = getPlaybook(diagnosis.leading, locale);
  const lead = diagnosis.ranked.find((r) => r.causeId === diagnosis.leading);
  const findings = (lead?.findings ?? [])
    .filter((f) => f.weight !== 0 || diagnosis.leading === 'unknown')
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
    .slice(0, 6)
    .map((f) => ({ text: f.text, supports: f.weight >= 0 }));
  const events = analysis ? keyEvents(analysis).map((e) => presentEvent(e, timeZone)) : [];
  let eventsSummary = 'I could not read your sign-in logs, so this is based on your answers.';
  if (analysis) {
    const h = hours(analysis.window.from, analysis.window.to);
    eventsSummary = `I read ${analysis.eventsRead} sign-in event${analysis.eventsRead === 1 ? '' : 's'} from the last ${h} hours (${analysis.oneDriveEvents.length} from OneDrive).`;
    if (caseFile.lookup?.ok && caseFile.lookup.evidence.gaps.length) eventsSummary += ` Not available: ${caseFile.lookup.evidence.gaps.join('; ')}.`;
  }
  return {
    causeId: diagnosis.leading,
    title: playbook.title,
    confidenceLabel: capitalise(confidenceLabel(diagnosis.confidence)),
    confidencePercent: diagnosis.confidence,
    explanation: playbook.explanation,
    findings,
    events,
    eventsSummary,
    lookupNote: lookupNote(caseFile.lookup),
    warnings: [...playbook.warnings],
    alternatives: diagnosis.ranked
      .filter((r) => r.causeId !== diagnosis.leading && r.confidence >= 10)
      .slice(0, 2)
      .map((r) => ({ title: getPlaybook(r.causeId, locale).title, confidencePercent: r.confidence })),
    stepCount: employeeSteps(playbook, caseFile.platform).length,
    // "Not clear yet" shows no confidence; otherwise say what it rests on.
    showConfidence: diagnosis.leading !== 'unknown',
    basis: diagnosis.evidenceBacked ? 'your sign-in logs' : 'what you told me (no sign-in evidence)',
    closeTo: diagnosis.runnerUp ? getPlaybook(diagnosis.runnerUp, locale).title : undefined,
    escalateWhen: playbook.escalateWhen,
  };
}

/** Fix step card view-model. */
export function presentStep(causeId: DiagnosisCardModel['causeId'], index: number, answers: Answers = {}, platform: Platform = 'windows'): FixStepCardModel {
  const playbook = getPlaybook(causeId as Parameters<typeof getPlaybook>[0]);
  const step = playbook.steps[index]!;
  // Count only the steps this employee will see: their desktop's, not IT's, and not checks triage already made.
  const shown = employeeSteps(playbook, platform).filter((s) => !(s.skipWhenAnswered && answers[s.skipWhenAnswered] !== undefined));
  return {
    causeId: playbook.causeId,
    stepId: step.id,
    stepNumber: Math.max(1, shown.indexOf(step) + 1),
    stepCount: shown.length,
    title: step.title,
    instructions: [...step.instructions],
    audience: step.audience,
    audienceLabel: step.audience === 'self-service' ? (step.needsLocalAdmin ? 'You can do this (needs admin rights)' : 'You can do this') : 'IT needs to do this',
    warning: step.warning,
    check: step.check,
    causeTitle: playbook.title,
  };
}

/** What a ticket will carry, in lines for the escalation card. */
export function caseSummary(caseFile: CaseFile): string[] {
  const lines: string[] = [];
  if (caseFile.diagnosis) lines.push(`Likely cause: ${getPlaybook(caseFile.diagnosis.leading).title} (${caseFile.diagnosis.confidence}% confidence)`);
  const answers = Object.entries(caseFile.answers) as Array<[QuestionId, string]>;
  if (answers.length) lines.push(`Your answers: ${answers.map(([q, a]) => `${QUESTIONS[q]?.text ?? q} ${answerLabel(q, a)}`).join('; ')}`);
  if (caseFile.lookup?.ok) lines.push('Your recent sign-in evidence from Microsoft Entra');
  const tried = caseFile.steps.filter((s) => s.result !== 'skipped');
  if (tried.length) lines.push(`Steps tried: ${tried.map((s) => `${s.title} (${resultLabel(s.result)})`).join('; ')}`);
  lines.push('Our conversation so far');
  return lines;
}

/** Escalation card view-model. */
export function presentEscalation(causeId: EscalateCardModel['causeId'], reason: string, caseFile: CaseFile): EscalateCardModel {
  return { causeId, causeTitle: getPlaybook(causeId as Parameters<typeof getPlaybook>[0]).title, reason, summary: caseSummary(caseFile) };
}

/** Words for a step outcome. */
export function resultLabel(result: string): string {
  return ({ fixed: 'it worked', 'not-fixed': 'still broken', 'cannot-do': "couldn't do it", skipped: 'skipped: needs admin rights' } as Record<string, string>)[result] ?? result;
}

/**
 * One history entry in words ("Kari Nordmann replied: …"), as plain text: the name and the
 * note are untrusted and bounded (the card shortens further when it must).
 */
export function historyText(event: { actor: { name: string }; action: string; note?: string }): string {
  const note = plainText(event.note, TEXT_LIMITS.note);
  return `${plainLine(event.actor.name, TEXT_LIMITS.name)} ${event.action}${note ? `: ${note}` : ''}`;
}

/** The employee's view of a ticket: only employee-facing history (no internal notes between agents). */
export function presentTicket(ticket: Ticket, timeZone?: string): TicketCardModel {
  const open = ticket.status !== 'resolved' && ticket.status !== 'withdrawn';
  const details = plainText(ticket.details, TEXT_LIMITS.note);
  return {
    ticketId: ticket.id,
    status: ticket.status,
    statusLabel: STATUS_LABELS[ticket.status],
    causeTitle: plainLine(ticket.causeTitle, TEXT_LIMITS.title),
    createdAt: formatWhen(ticket.createdAt, timeZone),
    updatedAt: formatWhen(ticket.updatedAt, timeZone),
    assignee: ticket.assignee ? plainLine(ticket.assignee.name, TEXT_LIMITS.name) : undefined,
    summary: details ? `Your note: ${details}` : `The help desk has your answers, sign-in evidence, the steps you tried and our conversation.`,
    stepsTried: ticket.stepsTried.map((s) => ({ title: plainLine(s.title, TEXT_LIMITS.title), outcome: resultLabel(s.result) })),
    history: employeeFacingHistory(ticket).map((h) => ({ when: formatWhen(h.at, timeZone), text: historyText(h) })),
    canWithdraw: open,
    rating: ticket.rating,
    canAddDetails: open,
  };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
