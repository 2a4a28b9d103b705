import { ACCOUNT_WIDE_CAUSES, AUTH_CAUSES, CAUSE_IDS, NETWORK_CAUSES, type CauseId } from './causes';
import { describeCode, entraCode, entraCodeNumbers } from './entra-codes';
import type { EvidenceAnalysis } from './evidence-analysis';
import { codeCause, type OneDriveCode } from './onedrive-codes';
import type { Answers, QuestionId } from './questions';

/**
 * Where a finding came from. `text` is a fact read from the employee's own words, which weighs
 * half of the same fact given as an answer to a question.
 */
export type FindingSource = 'sign-in-log' | 'directory' | 'answer' | 'error-code' | 'text';

/** Sources that count as evidence from Microsoft Entra (the sign-in logs and the directory). */
const EVIDENCE_SOURCES: readonly FindingSource[] = ['sign-in-log', 'directory'];

/** One reason for or against a cause, in plain words. */
export interface Finding {
  causeId: CauseId;
  weight: number;
  text: string;
  source: FindingSource;
}

/** One cause with its score, confidence and the findings behind it. */
export interface RankedCause {
  causeId: CauseId;
  score: number;
  /** 0–100. */
  confidence: number;
  findings: Finding[];
}

/** The diagnosis at one moment of the conversation. */
export interface Diagnosis {
  /** The cause to act on (`unknown` when nothing scores well enough). */
  leading: CauseId;
  /** True when the leader is clear enough to stop asking. */
  clear: boolean;
  confidence: number;
  ranked: RankedCause[];
  /** True when the sign-in logs or the directory support the leading cause. Only then may confidence be high. */
  evidenceBacked: boolean;
  /** A second cause that is nearly as likely as the leader, when there is one: both are shown and the question that separates them is asked. */
  runnerUp?: CauseId;
}

/** What the diagnosis weighs. */
export interface DiagnosisInput {
  answers: Answers;
  /** The employee mentioned a proxy. */
  proxy?: boolean;
  /** The directory evidence, when the lookup worked. */
  evidence?: EvidenceAnalysis;
  /** Questions whose answers were only read from the employee's words, not answered on a card. */
  textFacts?: readonly QuestionId[];
  /** Causes the employee's wording pointed to. */
  hints?: readonly CauseId[];
  /** AADSTS codes the employee quoted. */
  quotedCodes?: readonly number[];
  /** The employee mentioned multi-factor authentication. */
  mfaMentioned?: boolean;
}

/** Score a leader needs to be named at all; below it the diagnosis is `unknown`. */
export const MIN_SCORE = 2;
/** Score and lead over the runner-up that make a diagnosis clear enough to stop asking. */
export const CLEAR_SCORE = 3;
export const CLEAR_MARGIN = 2;
/** The baseline `unknown` competes with when confidences are computed. */
const UNKNOWN_BASELINE = 1.5;

/**
 * Small priors: how often each cause is the answer before any evidence (stale credentials is the
 * usual one). They only break near ties; they are never shown as a reason.
 */
const PRIORS: Partial<Record<CauseId, number>> = { 'stale-credentials': 0.5 };
/** Highest confidence shown when nothing from Entra supports the leader (words alone are never "high"). */
export const MAX_CONFIDENCE_WITHOUT_EVIDENCE = 70;

const fmtDate = (d: Date): string => d.toISOString().slice(0, 10);

/** Collects weighted findings. */
class FindingList {
  readonly items: Finding[] = [];
  add(causeId: CauseId, weight: number, text: string, source: FindingSource): void {
    this.items.push({ causeId, weight, text, source });
  }
  each(causes: readonly CauseId[], weight: number, text: string, source: FindingSource): void {
    for (const c of causes) this.add(c, weight, text, source);
  }
}

function readEvidence(ev: EvidenceAnalysis, answers: Answers, f: FindingList): void {
  if (!ev.accountEnabled) f.add('account-disabled', 8, 'Your account is marked as disabled in the directory.', 'directory');

  if (ev.licence === 'missing') f.add('license-missing', 5, 'Your account has no licence plan that includes OneDrive.', 'directory');
  else if (ev.licence === 'pending') {
    f.add('onedrive-not-provisioned', 2, 'Your OneDrive licence plan is still being set up.', 'directory');
  } else if (ev.licence === 'present') f.add('license-missing', -4, 'Your licences include OneDrive.', 'directory');
  if (ev.accountCreatedRecently) f.add('onedrive-not-provisioned', 1, 'Your account was created in the last few days.', 'directory');

  // The newest meaningful OneDrive failure says most; older ones add a little.
  const byCause = new Map<CauseId, number>();
  ev.oneDriveFailures.forEach((failure, index) => {
    if (!failure.causeId) return;
    const seen = byCause.get(failure.causeId) ?? 0;
    byCause.set(failure.causeId, seen + 1);
    if (seen > 0) return;
    const weight = index === 0 ? 5 : 3;
    const which = index === 0 ? "OneDrive's latest failed sign-in" : 'An earlier OneDrive sign-in';
    f.add(failure.causeId, weight, `${which} was refused because ${describeCode(failure.code)} (code ${failure.code}).`, 'sign-in-log');
  });
  for (const [causeId, count] of byCause) {
    if (count >= 3) f.add(causeId, 1, `The same refusal repeats (${count} times in the logs).`, 'sign-in-log');
  }
  const unmapped = ev.oneDriveFailures.filter((x) => !x.causeId);
  if (unmapped.length && byCause.size === 0) {
    f.add('unknown', 0, `OneDrive's sign-ins fail with a code I don't map to a cause (${[...new Set(unmapped.map((u) => u.code))].join(', ')}).`, 'sign-in-log');
  }
  for (const failure of ev.officeFailures.slice(0, 3)) {
    if (failure.causeId && !byCause.has(failure.causeId)) {
      f.add(failure.causeId, 1, `Another Office app was refused too: ${describeCode(failure.code)} (code ${failure.code}).`, 'sign-in-log');
      byCause.set(failure.causeId, 1);
    }
  }

  if (ev.failedPolicies.length) {
    const lead = ev.oneDriveFailures.find((x) => x.failedPolicies.length)?.causeId ?? 'conditional-access-block';
    f.add(lead, 2, `Conditional Access policy "${ev.failedPolicies.join('", "')}" returned failure.`, 'sign-in-log');
  }
  if (ev.deviceNonCompliant) f.add('device-not-compliant', 2, 'Entra saw the device that signed in as not compliant.', 'sign-in-log');
  if (ev.deviceTrustMissing) f.add('device-trust-broken', 2, "You own a company-joined PC, but OneDrive's failing sign-ins carried no device identity.", 'sign-in-log');

  // Password change: a recent change followed by failures is the stale-credentials signature.
  if (ev.passwordChangedRecently && ev.passwordChangedAt) {
    if (ev.failuresAfterPasswordChange > 0) {
      f.add(
        'stale-credentials',
        2,
        `Your password was changed on ${fmtDate(ev.passwordChangedAt)} and OneDrive has failed ${ev.failuresAfterPasswordChange === 1 ? 'once' : `${ev.failuresAfterPasswordChange} times`} since.`,
        'directory',
      );
    } else {
      f.add('stale-credentials', 1, `Your password was changed on ${fmtDate(ev.passwordChangedAt)}.`, 'directory');
    }
  }
  const reportsChange = answers['password-changed'] === 'yes';
  if (ev.passwordSyncPossible) {
    if (reportsChange && !ev.passwordChangedRecently) {
      f.add('password-sync-delay', 5, 'You changed your password, but Entra has not received the new one from your on-premises directory yet.', 'directory');
      f.add('stale-credentials', -2, 'Entra does not show your password change yet, so the saved one is not the problem.', 'directory');
    }
    if (ev.oneDriveFailures.some((x) => x.code === 50126))
      f.add('password-sync-delay', 2, 'Your account is synced from on-premises Active Directory and Entra rejects the password.', 'directory');
    if (ev.oneDriveFailures.some((x) => x.code === 50126) && !ev.passwordChangedRecently && answers['password-changed'] === undefined) {
      // A synced account refusing the password with no change recorded in Entra: whether the employee changed it decides between the two.
      f.add('stale-credentials', -2.5, 'Entra shows no recent password change for your synced account, so a change may not have arrived yet.', 'directory');
      f.add('password-sync-delay', 1, 'A password change made on-premises may not have reached Entra yet.', 'directory');
    }
  } else if (ev.hybrid) {
    // Pass-through and federated sign-ins check the password on-premises each time: nothing lags behind.
    f.add('password-sync-delay', -3, 'Your password is checked by your on-premises directory at each sign-in, so a new one takes effect at once.', 'directory');
  } else {
    f.add('password-sync-delay', -3, 'Your account is cloud-only, so there is no on-premises password to sync.', 'directory');
  }

  // Whether attempts reach Entra at all separates the network path from the account.
  if (!ev.oneDriveAttempts) {
    f.each(NETWORK_CAUSES, 2, 'No OneDrive sign-in attempt reached Microsoft Entra in the period I read, so the request is stopped before it gets there.', 'sign-in-log');
    f.each(AUTH_CAUSES, -2, 'No OneDrive sign-in attempt reached Entra, so Entra is not refusing it.', 'sign-in-log');
  } else {
    f.each(NETWORK_CAUSES, -3, "OneDrive's sign-in attempts do reach Microsoft Entra.", 'sign-in-log');
  }
  if (ev.oneDriveSucceedingNow) {
    f.each(AUTH_CAUSES, -2, "OneDrive's most recent sign-in succeeded.", 'sign-in-log');
  }
  if (ev.officeSucceeding) {
    f.add('no-internet', -3, 'Outlook or Teams signed in during the last day.', 'sign-in-log');
    f.each(ACCOUNT_WIDE_CAUSES, -2, 'Outlook or Teams signed in during the last day, so the account itself works.', 'sign-in-log');
  }
}

/** Findings about one answer: halved and marked `text` when the answer was only read from the employee's words. */
function forAnswer(f: FindingList, input: DiagnosisInput, question: QuestionId): FindingList {
  if (!input.textFacts?.includes(question)) return f;
  const scaled = new FindingList();
  scaled.add = (causeId, weight, text) => f.add(causeId, weight / 2, text, 'text');
  scaled.each = (causes, weight, text) => {
    for (const c of causes) scaled.add(c, weight, text, 'text');
  };
  return scaled;
}

function readAnswers(input: DiagnosisInput, all: FindingList): void {
  const a = input.answers;
  let f = forAnswer(all, input, 'error-code');
  const code = a['error-code'] as OneDriveCode | 'other' | undefined;
  if (code && code !== 'other') {
    const named = codeCause(code);
    if (named) f.add(named, 6, `The OneDrive window shows ${code}, which means this directly.`, 'error-code');
    if (code === '0x8004de40' || code === '0x8004de88') {
      f.each(NETWORK_CAUSES, 1, `Microsoft lists ${code} as OneDrive having trouble connecting to the cloud.`, 'error-code');
    }
    if (code === '0x8004deef') {
      f.add('license-missing', 4, '0x8004deef usually means the account cannot use OneDrive, most often because no licence is assigned.', 'error-code');
      f.add('stale-credentials', 2.5, '0x8004deef can also mean the saved sign-in details do not match the account.', 'error-code');
    }
    if (code === '0x8004de85' || code === '0x8004de8a') {
      f.add('license-missing', 1, `${code} can also appear when the account has no OneDrive licence.`, 'error-code');
    }
    if (code === 'caa50021') {
      f.add(
        'device-trust-broken',
        3,
        'CAA50021 comes from the Windows sign-in broker, which relies on the device being joined to Entra; a blocked or broken broker gives the same error.',
        'error-code',
      );
      f.add('conditional-access-block', 1, 'CAA50021 can also follow a Conditional Access refusal.', 'error-code');
      f.add('device-not-compliant', 1, 'CAA50021 can also follow a device compliance refusal.', 'error-code');
    }
    if (code === '0x8004de4a' || code === '0x8004deef') {
      if (input.evidence?.licence === 'present') f.add('license-missing', -2, 'Your licences do include OneDrive, so a tenant setting may block sync instead.', 'directory');
    }
  }
  f = forAnswer(all, input, 'error-message');
  if (a['error-message'] === 'credentials') {
    f.add('stale-credentials', 1.5, 'The message is about credentials or keeps asking you to sign in.', 'answer');
    f.add('no-internet', -2, 'The message is about your sign-in, so the connection reaches Microsoft.', 'answer');
    f.each(['mfa-required', 'session-expired', 'password-expired'], 0.5, 'The message asks you to sign in again.', 'answer');
    f.each(NETWORK_CAUSES, -1, 'The message is about credentials, not the connection.', 'answer');
  } else if (a['error-message'] === 'connection') {
    f.each(NETWORK_CAUSES, 1.5, 'The message says OneDrive had a problem connecting.', 'answer');
  }

  f = forAnswer(all, input, 'password-changed');
  const changed = a['password-changed'];
  if (changed === 'yes') {
    if (!input.evidence?.passwordSyncPossible || input.evidence.passwordChangedRecently) f.add('stale-credentials', 3, 'You changed or reset your password recently.', 'answer');
    if (!input.evidence) f.add('password-sync-delay', 1, 'If your account is synced from on-premises, a new password takes a while to reach Entra.', 'answer');
  } else if (changed === 'no' && !input.evidence?.passwordChangedRecently) {
    f.add('stale-credentials', -1.5, 'You have not changed your password recently.', 'answer');
  } else if (changed === 'not-sure') {
    f.add('stale-credentials', 0.5, 'You may have changed your password recently.', 'answer');
  }

  f = forAnswer(all, input, 'network');
  const network = a.network;
  if (network === 'vpn') f.add('network-blocked', 3, 'You are on a VPN, which often stops or alters sign-in traffic.', 'answer');
  else if (network === 'office' || network === 'home') {
    if (!input.proxy) f.add('network-blocked', -1, 'You are not on a VPN.', 'answer');
    f.add('tls-or-network-stack', 1, 'You are not on a VPN, so the PC itself is the next suspect on the network path.', 'answer');
  }
  for (const cause of input.hints ?? []) all.add(cause, 2.5, 'The words you used point to this.', 'text');
  // A message from Microsoft's sign-in service (account locked, a policy, a device check) means the connection got there.
  if ((input.hints ?? []).some((c) => !NETWORK_CAUSES.includes(c)))
    all.add('no-internet', -3, 'The message you describe comes from Microsoft sign-in, so the connection reaches Microsoft.', 'text');
  for (const code of input.quotedCodes ?? []) {
    const meaning = entraCode(code);
    if (meaning) all.add(meaning.causeId, 2, `You quoted code AADSTS${code}: ${meaning.plain}.`, 'text');
  }
  if (input.mfaMentioned) all.add('mfa-required', 1, 'You mentioned a multi-factor prompt.', 'text');
  if (input.proxy) all.add('network-blocked', 1.5, 'You mentioned a proxy or web filter; OneDrive cannot sign in through an authenticating proxy or TLS inspection.', 'text');

  f = forAnswer(all, input, 'web-works');
  const web = a['web-works'];
  if (changed === 'yes' && web === 'no' && (!input.evidence || input.evidence.passwordSyncPossible)) {
    // Saved credentials are local to the PC: the web would take the new password. Refused everywhere right after a change means it has not arrived yet.
    f.add('password-sync-delay', 2, 'The web refuses your new password too, so it may not have reached Microsoft 365 yet.', 'answer');
    f.add('stale-credentials', -1.5, 'Saved sign-in details only affect this PC, but the web refuses you too.', 'answer');
  }
  if (web === 'yes') {
    f.add('no-internet', -5, 'OneDrive works in the browser, so the internet connection is fine.', 'answer');
    f.each(['network-blocked', 'tls-or-network-stack'], 1, 'The web version works while the desktop app does not, which points to the PC or its network path.', 'answer');
    f.each(ACCOUNT_WIDE_CAUSES, -2, 'OneDrive works in the browser, so the account itself works.', 'answer');
  } else if (web === 'no') {
    // A browser that refuses the sign-in (the message is about credentials) is not a missing connection.
    f.add('no-internet', a['error-message'] === 'credentials' ? 1 : 3, 'OneDrive does not open in the browser either.', 'answer');
    f.each(['network-blocked', 'tls-or-network-stack'], -2, 'The web version fails too, so it is not just the desktop app.', 'answer');
    f.each(ACCOUNT_WIDE_CAUSES, 1, 'The web version fails too, which fits a problem with the account itself.', 'answer');
  }

  f = forAnswer(all, input, 'other-apps');
  const other = a['other-apps'];
  if (other === 'yes') {
    f.add('no-internet', -3, 'Outlook and Teams sign in normally.', 'answer');
    f.each(ACCOUNT_WIDE_CAUSES, -2, 'Outlook and Teams sign in normally, so the account works.', 'answer');
  } else if (other === 'no') {
    f.add('no-internet', a['error-message'] === 'credentials' ? 1 : 2, 'Outlook and Teams fail too.', 'answer');
    f.each(ACCOUNT_WIDE_CAUSES, 1, 'Outlook and Teams fail too.', 'answer');
  }

  f = forAnswer(all, input, 'device-type');
  const device = a['device-type'];
  if (device === 'personal') {
    f.add('device-not-compliant', 2, 'You are on your own PC, which company policies usually do not treat as managed.', 'answer');
    f.add('device-trust-broken', -2, 'A personal PC is not expected to be joined to the company.', 'answer');
  } else if (device === 'company') {
    f.add('device-trust-broken', 0.5, 'You are on a company PC, which relies on its join to Entra.', 'answer');
  }

  f = forAnswer(all, input, 'others-affected');
  const others = a['others-affected'];
  if (others === 'yes') {
    f.add('conditional-access-block', 1.5, 'Colleagues see it too, which points to a company-wide policy.', 'answer');
    f.add('network-blocked', 1, 'Colleagues see it too, which can mean a shared network path (a proxy or TLS inspection).', 'answer');
    f.add('tls-or-network-stack', -1.5, "Several colleagues at once points away from one PC's own network settings.", 'answer');
    f.add('session-expired', 0.5, 'Colleagues see it too, which can mean a session policy.', 'answer');
  } else if (others === 'no') {
    f.add('stale-credentials', 0.5, 'Only you are affected, which points to your PC or account.', 'answer');
  }
}

/** Collects every finding for the given facts. */
export function collectFindings(input: DiagnosisInput): Finding[] {
  const f = new FindingList();
  if (input.evidence) readEvidence(input.evidence, input.answers, f);
  readAnswers(input, f);
  return f.items;
}

/** Ranks the causes for the facts known so far. Pure: same input, same output. */
export function diagnose(input: DiagnosisInput): Diagnosis {
  const findings = collectFindings(input);
  const scored = CAUSE_IDS.filter((c) => c !== 'unknown').map((causeId) => {
    const mine = findings.filter((x) => x.causeId === causeId);
    return { causeId, score: mine.reduce((s, x) => s + x.weight, PRIORS[causeId] ?? 0), findings: mine };
  });
  scored.sort((a, b) => b.score - a.score);

  const unknownFindings = findings.filter((x) => x.causeId === 'unknown');
  const positive = scored.filter((s) => s.score > 0);
  const mass = positive.reduce((m, s) => m + Math.exp(s.score), Math.exp(UNKNOWN_BASELINE));
  const ranked: RankedCause[] = scored.map((s) => ({ ...s, confidence: s.score > 0 ? Math.min(97, Math.round((100 * Math.exp(s.score)) / mass)) : 0 }));

  const top = ranked[0]!;
  const second = ranked[1]!;
  if (top.score < MIN_SCORE) {
    const raw = Math.round((100 * Math.exp(UNKNOWN_BASELINE)) / mass);
    const confidence = input.evidence ? raw : Math.min(raw, MAX_CONFIDENCE_WITHOUT_EVIDENCE);
    ranked.unshift({ causeId: 'unknown', score: UNKNOWN_BASELINE, confidence, findings: unknownFindings });
    return { leading: 'unknown', clear: false, confidence, ranked, evidenceBacked: false };
  }
  const supports = top.findings.filter((x) => x.weight > 0);
  const evidenceBacked = supports.some((x) => EVIDENCE_SOURCES.includes(x.source));
  // Words alone never settle it: something other than free text must point to the leader.
  const beyondWords = supports.some((x) => x.source !== 'text');
  const clear = beyondWords && top.score >= CLEAR_SCORE && top.score - second.score >= CLEAR_MARGIN;
  const runnerUp = second.score >= MIN_SCORE && top.score - second.score < CLEAR_MARGIN ? second.causeId : undefined;
  const confidence = evidenceBacked ? top.confidence : Math.min(top.confidence, MAX_CONFIDENCE_WITHOUT_EVIDENCE);
  if (!evidenceBacked) ranked[0] = { ...top, confidence };
  return { leading: top.causeId, clear, confidence, ranked, evidenceBacked, runnerUp };
}

/** Plain words for a confidence. */
export function confidenceLabel(confidence: number): 'high' | 'medium' | 'low' {
  return confidence >= 75 ? 'high' : confidence >= 50 ? 'medium' : 'low';
}

/** Every AADSTS code the diagnosis maps, for tests and documentation. */
export function mappedCodes(): number[] {
  return entraCodeNumbers();
}
