import type { DiagnosisCardModel, DiagnosisEventModel, EscalateCardModel, FixStepCardModel, QuestionCardModel, TicketCardModel } from '../cards';
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
import { answerLabel, getQuestion, isQuestionId, type Answers, type QuestionId } from '../domain/questions';
import type { Ticket } from '../domain/tickets';
import { messages } from '../content/knowledge';
import { formatInZone } from '../cards/when-format';

/**
 * Turns domain objects into card view-models, worded for the employee.
 * Times are shown in the employee's own time zone; raw IP addresses are never shown.
 */

/** Formats a time for the reader ("Sun 22 Nov, 09:14 CET"), in their time zone when Teams gave one. */
export function formatWhen(iso: string | Date, timeZone?: string): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (!Number.isFinite(date.getTime())) return String(iso);
  return formatInZone(date, timeZone);
}

/** The evidence analysis for a case, when its lookup worked. */
export function caseEvidence(caseFile: CaseFile, now: Date): EvidenceAnalysis | undefined {
  return caseFile.lookup?.ok ? analyzeEvidence(caseFile.lookup.evidence, now) : undefined;
}

/** The employee-facing note about a failed lookup, if any. */
export function lookupNote(lookup: LookupResult | undefined, locale?: string): string | undefined {
  if (!lookup || lookup.ok) return undefined;
  return messages(locale).text('present.lookup-note', { message: lookup.failure.message });
}

/** One sign-in event in plain words. */
export function presentEvent(event: SignInEvent, timeZone?: string, locale?: string): DiagnosisEventModel {
  const m = messages(locale);
  const code = event.status?.errorCode ?? 0;
  const failed = !isBenignCode(code);
  const failedPolicies = (event.appliedConditionalAccessPolicies ?? []).filter((p) => p.result === 'failure').map((p) => p.displayName ?? m.text('present.event.unnamed-policy'));
  const device = [event.deviceDetail?.displayName, event.deviceDetail?.operatingSystem].filter(Boolean).join(', ');
  const place = [event.location?.city, event.location?.countryOrRegion].filter(Boolean).join(', ');
  const app = event.appDisplayName ?? m.text('present.event.unknown-app');
  return {
    when: formatWhen(event.createdDateTime, timeZone),
    app: event.isInteractive === false ? m.text('present.event.silent-refresh', { app }) : app,
    outcome: failed ? m.text('present.event.failed', { code }) : m.text(code === 0 ? 'present.event.signed-in' : 'present.event.prompted'),
    // A success needs no reason; "Signed in · signed in" only repeats itself.
    reason: failed ? describeCode(code, event.status?.failureReason, locale) : code === 0 ? '' : describeCode(code, undefined, locale),
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
export function presentQuestion(questionId: QuestionId, number: number, note?: string, locale?: string): QuestionCardModel {
  const q = getQuestion(questionId, locale);
  return {
    questionId,
    text: q.text,
    why: q.why,
    answers: q.answers.map((a) => ({ id: a.id, label: a.label })),
    progress: messages(locale).text('present.question-progress', { number }),
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
  const m = messages(locale);
  const events = analysis ? keyEvents(analysis).map((e) => presentEvent(e, timeZone, locale)) : [];
  let eventsSummary = m.text('present.events-summary.no-logs');
  if (analysis) {
    const counts = { count: analysis.eventsRead, hours: hours(analysis.window.from, analysis.window.to), oneDrive: analysis.oneDriveEvents.length };
    eventsSummary = m.text(analysis.eventsRead === 1 ? 'present.events-summary.one' : 'present.events-summary.other', counts);
    if (caseFile.lookup?.ok && caseFile.lookup.evidence.gaps.length) eventsSummary += m.text('present.events-summary.gaps', { gaps: caseFile.lookup.evidence.gaps.join('; ') });
  }
  return {
    causeId: diagnosis.leading,
    title: playbook.title,
    confidenceLabel: m.text(`present.confidence.${confidenceLabel(diagnosis.confidence)}`),
    confidencePercent: diagnosis.confidence,
    explanation: playbook.explanation,
    findings,
    events,
    eventsSummary,
    lookupNote: lookupNote(caseFile.lookup, locale),
    warnings: [...playbook.warnings],
    alternatives: diagnosis.ranked
      .filter((r) => r.causeId !== diagnosis.leading && r.confidence >= 10)
      .slice(0, 2)
      .map((r) => ({ title: getPlaybook(r.causeId, locale).title, confidencePercent: r.confidence })),
    stepCount: employeeSteps(playbook, caseFile.platform).length,
    // "Not clear yet" shows no confidence; otherwise say what it rests on.
    showConfidence: diagnosis.leading !== 'unknown',
    basis: m.text(diagnosis.evidenceBacked ? 'present.basis.logs' : 'present.basis.answers'),
    closeTo: diagnosis.runnerUp ? getPlaybook(diagnosis.runnerUp, locale).title : undefined,
    escalateWhen: playbook.escalateWhen,
    locale,
  };
}

/** Fix step card view-model. */
export function presentStep(causeId: DiagnosisCardModel['causeId'], index: number, answers: Answers = {}, platform: Platform = 'windows', locale?: string): FixStepCardModel {
  const playbook = getPlaybook(causeId as Parameters<typeof getPlaybook>[0], locale);
  const m = messages(locale);
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
    audienceLabel: m.text(
      step.audience === 'self-service' ? (step.needsLocalAdmin ? 'present.audience.self-service-admin' : 'present.audience.self-service') : 'present.audience.needs-admin',
    ),
    warning: step.warning,
    check: step.check,
    causeTitle: playbook.title,
    locale,
  };
}

/** What a ticket will carry, in lines for the escalation card. */
export function caseSummary(caseFile: CaseFile, locale?: string): string[] {
  const m = messages(locale);
  const lines: string[] = [];
  if (caseFile.diagnosis)
    lines.push(m.text('present.case-summary.cause', { title: getPlaybook(caseFile.diagnosis.leading, locale).title, confidence: caseFile.diagnosis.confidence }));
  const answers = Object.entries(caseFile.answers) as Array<[QuestionId, string]>;
  const questionText = (q: QuestionId): string => (isQuestionId(q) ? getQuestion(q, locale).text : q);
  if (answers.length)
    lines.push(
      m.text('present.case-summary.answers', {
        answers: answers.map(([q, a]) => m.text('present.case-summary.answer', { question: questionText(q), answer: answerLabel(q, a, locale) })).join('; '),
      }),
    );
  if (caseFile.lookup?.ok) lines.push(m.text('present.case-summary.evidence'));
  const tried = caseFile.steps.filter((s) => s.result !== 'skipped');
  if (tried.length)
    lines.push(
      m.text('present.case-summary.steps', { steps: tried.map((s) => m.text('present.case-summary.step', { title: s.title, result: resultLabel(s.result, locale) })).join('; ') }),
    );
  lines.push(m.text('present.case-summary.conversation'));
  return lines;
}

/** Escalation card view-model. */
export function presentEscalation(causeId: EscalateCardModel['causeId'], reason: string, caseFile: CaseFile, locale?: string): EscalateCardModel {
  return { causeId, causeTitle: getPlaybook(causeId as Parameters<typeof getPlaybook>[0], locale).title, reason, summary: caseSummary(caseFile, locale) };
}

/** Words for a step outcome. */
export function resultLabel(result: string, locale?: string): string {
  const m = messages(locale);
  switch (result) {
    case 'fixed':
    case 'not-fixed':
    case 'cannot-do':
    case 'skipped':
      return m.text(`present.result.${result}`);
    default:
      return result;
  }
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
export function presentTicket(ticket: Ticket, timeZone?: string, locale?: string): TicketCardModel {
  const m = messages(locale);
  const open = ticket.status !== 'resolved' && ticket.status !== 'withdrawn';
  const details = plainText(ticket.details, TEXT_LIMITS.note);
  return {
    ticketId: ticket.id,
    status: ticket.status,
    statusLabel: m.text(`present.status.${ticket.status}`),
    causeTitle: plainLine(ticket.causeTitle, TEXT_LIMITS.title),
    createdAt: formatWhen(ticket.createdAt, timeZone),
    updatedAt: formatWhen(ticket.updatedAt, timeZone),
    assignee: ticket.assignee ? plainLine(ticket.assignee.name, TEXT_LIMITS.name) : undefined,
    summary: details ? m.text('present.ticket-summary.note', { details }) : m.text('present.ticket-summary.default'),
    stepsTried: ticket.stepsTried.map((s) => ({ title: plainLine(s.title, TEXT_LIMITS.title), outcome: resultLabel(s.result, locale) })),
    history: employeeFacingHistory(ticket).map((h) => ({ when: formatWhen(h.at, timeZone), text: historyText(h) })),
    canWithdraw: open,
    rating: ticket.rating,
    canAddDetails: open,
    locale,
  };
}
