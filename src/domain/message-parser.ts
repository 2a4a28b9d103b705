/**
 * Reads what employees type: is it a command, a greeting or a OneDrive sign-in problem, and
 * which triage facts does it state? The words come from content/<locale>/phrases.yaml; this
 * file holds only the reading rules: whole-word matching, negation within a clause, hedged
 * sentences, and facts the message contradicts (none of which are recorded).
 */
import { knowledge } from '../content/knowledge';
import type { PhrasesFile } from '../content/content-schema';
import type { Knowledge } from '../content/load-content';
import { findOneDriveCode, mentionsAnyOneDriveCode } from './onedrive-codes';
import type { CauseId } from './causes';
import type { Answers, QuestionId } from './question-ids';

/** What a typed message asks the bot to do. */
export type MessageIntent = { kind: 'problem' } | { kind: 'greeting' } | { kind: 'command'; command: Command } | { kind: 'unclear'; suggestion?: Command } | { kind: 'other' };

/** Typed commands an employee or agent can use. */
export type Command = 'start over' | 'help' | 'my tickets' | 'tickets' | 'use this channel for tickets' | 'lookup';

/** Facts read from free text, ready to merge into the triage answers. */
export interface ParsedFacts {
  /** Facts stated plainly. Free text weighs less than an answer to a question or the sign-in logs. */
  answers: Answers;
  /** The employee mentioned a proxy or web filter (not one of the contract's answers, but strong evidence). */
  proxy: boolean;
  /** The employee is on a Mac. */
  mac: boolean;
  /** The employee mentioned multi-factor authentication (Authenticator, approving, a code on the phone). */
  mfa: boolean;
  /** AADSTS codes typed into the message ("AADSTS50173"). */
  aadstsCodes: number[];
  /** Questions the message touched only with hedges ("I think", "not sure"): left for the bot to ask. */
  hedged: QuestionId[];
  /** Questions the message answered both ways: left for the bot to ask. */
  contradicted: QuestionId[];
  /** Causes the message's wording points to ("my account is locked"); weak evidence. */
  causeHints: CauseId[];
  /** The error code was inferred from Microsoft's wording, not typed as a code. */
  codeFromWording: boolean;
}

/** Longest message the bot reads; anything longer is cut, and the employee is told. */
export const MAX_MESSAGE_LENGTH = 4000;

/** How many words before a phrase a negation still reaches ("im not using the vpn"). */
const NEGATION_REACH = 3;

/** Removes Teams mention markup (`<at>Bot</at>`) and HTML, and folds white space. */
export function normaliseText(text: string): string {
  return text
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The form phrases are matched against: lower case, no apostrophes, one space between words. */
function matchable(text: string): string {
  return normaliseText(text).toLowerCase().replace(/'/g, '').replace(/\s+/g, ' ').trim();
}

/** A phrase as a whole-word pattern; spaces match any run of spaces or hyphens. */
function phrasePattern(phrase: string): string {
  const escaped = phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s-]+');
  return `(?<![a-z0-9])${escaped}(?![a-z0-9])`;
}

function anyOf(phrases: readonly string[]): RegExp {
  // Longest first, so "onedrive for business" wins over "onedrive".
  const sorted = [...phrases].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map(phrasePattern).join('|'), 'g');
}

interface CompiledMention {
  pattern: RegExp;
  question?: QuestionId;
  answer?: string;
  negated?: string;
  /** A negation right after the phrase that is followed by one of the mention's words ("colleagues dont have it"), compiled once. */
  deniedAfterBy?: RegExp;
  flag?: 'proxy' | 'mac' | 'mfa';
}

interface Compiled {
  oneDrive: RegExp;
  signIn: RegExp;
  commands: Map<string, Command>;
  greetings: RegExp;
  negations: RegExp;
  /** A "switched off" word at the start of what follows a phrase ("is off", "disconnected"). */
  switchedOffAfter: RegExp;
  hedges: RegExp;
  mentions: CompiledMention[];
  status: Array<{ question: QuestionId; subjects: RegExp; good: RegExp; bad: RegExp; notTried: RegExp; answers: { good: string; bad: string; notTried: string } }>;
  connection: RegExp;
  credentials: RegExp;
  microsoft: Array<{ code: string; errorMessage: string; pattern: RegExp }>;
  causeHints: Array<{ cause: CauseId; pattern: RegExp }>;
}

const compiledByKnowledge = new WeakMap<Knowledge, Compiled>();

/** Builds the patterns once per locale's knowledge. */
function compiled(locale?: string): Compiled {
  const k = knowledge(locale);
  const cached = compiledByKnowledge.get(k);
  if (cached) return cached;
  const p: PhrasesFile = k.phrases;
  const commands = new Map<string, Command>();
  for (const [command, words] of Object.entries(p.commands)) for (const w of words ?? []) commands.set(w, command as Command);
  const result: Compiled = {
    oneDrive: anyOf(p.oneDrive),
    signIn: anyOf(p.signIn),
    commands,
    greetings: new RegExp(`^(?:${p.greetings.map(phrasePattern).join('|')})`),
    negations: anyOf(p.negations),
    switchedOffAfter: new RegExp(`^(?:is |are |was |got |has been |have been )?(?:${anyOf(p.switchedOff).source})`),
    hedges: anyOf(p.hedges),
    mentions: p.mentions.map((m) =>
      'flag' in m
        ? { pattern: anyOf(m.phrases), flag: m.flag }
        : {
            pattern: anyOf(m.phrases),
            question: m.question,
            answer: m.answer,
            negated: m.negated,
            deniedAfterBy: m.deniedAfterBy ? new RegExp(`^(?:[a-z]+ )?(?:${anyOf(p.negations).source}) (?:${anyOf(m.deniedAfterBy).source})`) : undefined,
          },
    ),
    status: p.status.map((s) => ({
      question: s.question,
      subjects: anyOf(s.subjects),
      good: anyOf(s.good),
      bad: anyOf(s.bad),
      notTried: anyOf(s.notTried),
      answers: s.answers ?? { good: 'yes', bad: 'no', notTried: s.question === 'web-works' ? 'not-tried' : 'not-sure' },
    })),
    connection: anyOf(p.errorMessages.connection),
    credentials: anyOf(p.errorMessages.credentials),
    microsoft: p.microsoftMessages.map((m) => ({ code: m.code, errorMessage: m.errorMessage, pattern: anyOf(m.phrases) })),
    causeHints: p.causeHints.map((h) => ({ cause: h.cause, pattern: anyOf(h.phrases) })),
  };
  compiledByKnowledge.set(k, result);
  return result;
}

function test(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

function matchesOf(pattern: RegExp, text: string): RegExpExecArray[] {
  pattern.lastIndex = 0;
  return [...text.matchAll(pattern)];
}

/** Sentences end at . ! ? (not inside "office.com") or a line break. */
function sentencesOf(text: string): string[] {
  return text
    .split(/[.!?]+(?=\s|$)|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Clauses end at ; , and contrast words, so "the vpn is off, but outlook works" is two. */
function clausesOf(sentence: string): string[] {
  return sentence
    .split(/[;,:]| (?:but|though|although|however|whereas|except) /)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * True when a negation word stands within NEGATION_REACH words before the phrase (but not
 * before `from`, the end of the previous phrase, so "never use the vpn at home" denies only the
 * VPN, unless that phrase is itself a denial), or a "switched off" word follows it; with `deniedAfterBy`, also a negation right after
 * the phrase that is followed by one of those words ("colleagues dont have it").
 */
function isNegated(clause: string, index: number, length: number, c: Compiled, from = 0, deniedAfterBy?: RegExp): boolean {
  const before = clause.slice(from, index).split(' ').filter(Boolean).slice(-NEGATION_REACH).join(' ');
  if (test(c.negations, before)) return true;
  const after = clause
    .slice(index + length)
    .trim()
    .split(' ')
    .slice(0, NEGATION_REACH + 1)
    .join(' ');
  if (deniedAfterBy?.test(after)) return true;
  return c.switchedOffAfter.test(after);
}

interface Found {
  index: number;
  end: number;
  mention: CompiledMention;
}

/** Every mention in a clause, in order, without matches inside a longer one ("everyone else is fine" over "everyone"). */
function mentionsIn(clause: string, c: Compiled): Found[] {
  const all: Found[] = [];
  for (const mention of c.mentions) for (const m of matchesOf(mention.pattern, clause)) all.push({ index: m.index, end: m.index + m[0].length, mention });
  all.sort((a, b) => a.index - b.index || b.end - a.end);
  return all.filter((f) => !all.some((g) => g !== f && g.index <= f.index && g.end >= f.end && g.end - g.index > f.end - f.index));
}

/** Collects every answer a message gives per question, to spot contradictions. */
class FactBook {
  private readonly found = new Map<QuestionId, Set<string>>();
  private readonly hedgedQuestions = new Set<QuestionId>();

  add(question: QuestionId, answer: string, hedged: boolean): void {
    if (hedged) {
      this.hedgedQuestions.add(question);
      return;
    }
    const set = this.found.get(question) ?? new Set<string>();
    set.add(answer);
    this.found.set(question, set);
  }

  result(): { answers: Answers; hedged: QuestionId[]; contradicted: QuestionId[] } {
    const answers: Answers = {};
    const contradicted: QuestionId[] = [];
    for (const [question, set] of this.found) {
      // A VPN is how the PC connects wherever it is ("VPN from the hotel").
      if (question === 'network' && set.has('vpn')) answers.network = 'vpn';
      else if (set.size === 1) answers[question] = [...set][0];
      else contradicted.push(question);
    }
    const hedged = [...this.hedgedQuestions].filter((q) => answers[q] === undefined && !contradicted.includes(q));
    return { answers, hedged, contradicted };
  }
}

/** Reads the facts an employee volunteers in free text. */
export function extractFacts(raw: string, locale?: string): ParsedFacts {
  const c = compiled(locale);
  const text = matchable(raw);
  const book = new FactBook();
  const flags = { proxy: false, mac: false, mfa: false };
  const deniedFlags = new Set<string>();

  const hinted = new Set<CauseId>();
  for (const sentence of sentencesOf(text)) {
    const hedged = test(c.hedges, sentence);
    for (const clause of clausesOf(sentence)) {
      // A hint counts only when it is not denied ("my account is not locked").
      for (const h of c.causeHints) if (matchesOf(h.pattern, clause).some((m) => !isNegated(clause, m.index, m[0].length, c))) hinted.add(h.cause);
      const facts = new Map<QuestionId, string[]>();
      const note = (question: QuestionId, answer: string): void => {
        facts.set(question, [...(facts.get(question) ?? []), answer]);
      };
      let previousEnd = 0;
      for (const found of mentionsIn(clause, c)) {
        const { mention } = found;
        const negated = isNegated(clause, found.index, found.end - found.index, c, previousEnd, mention.deniedAfterBy);
        // A phrase that itself denies ("nobody else") still reaches past itself ("nobody else on my team").
        if (!test(c.negations, clause.slice(found.index, found.end))) previousEnd = found.end;
        if (mention.flag) {
          if (negated) deniedFlags.add(mention.flag);
          else flags[mention.flag] = true;
          continue;
        }
        const answer = negated ? mention.negated : mention.answer;
        if (mention.question && answer) note(mention.question, answer);
      }
      // A status read ("colleagues are fine", "outlook doesnt work") says more than a bare mention.
      for (const status of c.status) {
        if (!test(status.subjects, clause)) continue;
        let answer: string | undefined;
        if (test(status.notTried, clause)) answer = status.answers.notTried;
        else if (test(status.bad, clause) || matchesOf(status.good, clause).some((m) => isNegated(clause, m.index, m[0].length, c))) answer = status.answers.bad;
        else if (test(status.good, clause)) answer = status.answers.good;
        if (answer) facts.set(status.question, [answer]);
      }
      for (const [question, answers] of facts) for (const answer of answers) book.add(question, answer, hedged);
    }
  }

  const { answers, hedged, contradicted } = book.result();
  // A typed code wins; Microsoft's own wording names the code when none was typed.
  const code = findOneDriveCode(text);
  const microsoft = c.microsoft.find((m) => test(m.pattern, text));
  if (code) answers['error-code'] = code;
  else if (microsoft) answers['error-code'] = microsoft.code;
  if (microsoft) answers['error-message'] = microsoft.errorMessage;
  else if (test(c.connection, text)) answers['error-message'] = 'connection';
  else if (test(c.credentials, text)) answers['error-message'] = 'credentials';

  for (const flag of deniedFlags) flags[flag as keyof typeof flags] = false;
  const aadstsCodes = [...text.matchAll(/(?<![a-z0-9])aadsts\s?-?(\d{5,6})(?![0-9])/g)].map((m) => Number(m[1]));
  return { answers, ...flags, aadstsCodes: [...new Set(aadstsCodes)], hedged, contradicted, causeHints: [...hinted], codeFromWording: !code && Boolean(microsoft) };
}

/** True when the text is about OneDrive or signing in, or carries one of the codes (contract §2). */
export function describesSignInProblem(raw: string, locale?: string): boolean {
  const c = compiled(locale);
  const text = matchable(raw);
  return (
    test(c.oneDrive, text) ||
    text.split(' ').some(looksLikeOneDrive) ||
    mentionsAnyOneDriveCode(text) ||
    /(?<![a-z0-9])aadsts\s?\d{5,6}/.test(text) ||
    test(c.signIn, text) ||
    c.microsoft.some((m) => test(m.pattern, text)) ||
    test(c.credentials, text)
  );
}

/** A misspelt "onedrive" ("onedirve", "oneddrive"): close enough to be read as OneDrive. */
function looksLikeOneDrive(word: string): boolean {
  const w = word.replace(/[^a-z]/g, '');
  return w.length >= 6 && w.length <= 10 && w.startsWith('o') && distance(w, 'onedrive') <= 2;
}

/** Classifies a typed message. */
export function classifyMessage(raw: string, locale?: string): MessageIntent {
  const c = compiled(locale);
  const text = matchable(raw);
  const bare = text.replace(/[.!?]+$/, '').trim();
  const command = c.commands.get(bare);
  if (command) return { kind: 'command', command };
  if (/^use this channel for tickets$/.test(bare)) return { kind: 'command', command: 'use this channel for tickets' };
  if (/^lookup\b/.test(bare)) return { kind: 'command', command: 'lookup' };
  if (describesSignInProblem(text, locale)) return { kind: 'problem' };
  if (test(c.greetings, bare) && bare.length < 40) return { kind: 'greeting' };
  if (bare.length >= 3 && bare.split(' ').length <= 3) {
    const suggestion = closestCommand(bare);
    if (suggestion) return { kind: 'unclear', suggestion };
  }
  return bare.length === 0 ? { kind: 'unclear' } : { kind: 'other' };
}

/** Edit distance counting a swap of neighbours as one edit ("hlep" is one edit from "help"). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The employee commands a typo is compared with (their ids, which are also what the help card tells them to type). */
const SUGGESTED_COMMANDS: readonly Command[] = ['start over', 'help', 'my tickets', 'tickets'];

/** The command a typo most likely meant ("hlep" → "help"), if any is close. */
export function closestCommand(text: string): Command | undefined {
  let best: { command: Command; d: number } | undefined;
  for (const command of SUGGESTED_COMMANDS) {
    const d = distance(text, command);
    const limit = command.length <= 4 ? 1 : 2;
    if (d <= limit && (!best || d < best.d)) best = { command, d };
  }
  return best?.command;
}
