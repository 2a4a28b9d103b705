import { findOneDriveCode, mentionsAnyOneDriveCode } from './onedrive-codes';
import type { Answers } from './questions';

/** What a typed message asks the bot to do. */
export type MessageIntent =
  | { kind: 'problem' }
  | { kind: 'greeting' }
  | { kind: 'command'; command: Command }
  | { kind: 'unclear'; suggestion?: Command }
  | { kind: 'other' };

/** Typed commands an employee or agent can use. */
export type Command = 'start over' | 'help' | 'my tickets' | 'tickets' | 'use this channel for tickets' | 'lookup';

/** Facts read from free text, ready to merge into the triage answers. */
export interface ParsedFacts {
  answers: Answers;
  /** The employee mentioned a proxy (not one of the contract's answers, but strong evidence). */
  proxy: boolean;
}

/** Words that deny what follows ("didn't", "was not", "never"), after apostrophes are normalised. */
const NEGATION = "(?:didn't|did not|haven't|have not|hasn't|has not|wasn't|was not|weren't|were not|isn't|is not|aren't|are not|don't|do not|doesn't|does not|won't|will not|can't|cannot|never|not)";

/** Longest message the bot reads; anything longer is cut, and the employee is told. */
export const MAX_MESSAGE_LENGTH = 4000;

const COMMANDS: ReadonlyArray<{ command: Command; patterns: RegExp }> = [
  { command: 'start over', patterns: /^(start over|start again|restart|reset|new problem|cancel)$/ },
  { command: 'help', patterns: /^(help|\?|what can you do|commands|menu)$/ },
  { command: 'my tickets', patterns: /^(my tickets?|ticket status|status)$/ },
  { command: 'use this channel for tickets', patterns: /use this channel for tickets/ },
  { command: 'tickets', patterns: /^(tickets|open tickets|queue)$/ },
  { command: 'lookup', patterns: /^lookup\b/ },
];

const COMMAND_WORDS: readonly Command[] = ['start over', 'help', 'my tickets', 'tickets'];

/** Removes Teams mention markup (`<at>Bot</at>`) and folds white space. */
export function normaliseText(text: string): string {
  return text
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Classifies a typed message. */
export function classifyMessage(raw: string): MessageIntent {
  const text = normaliseText(raw).toLowerCase();
  const bare = text.replace(/[.!?]+$/, '').trim();
  for (const { command, patterns } of COMMANDS) if (patterns.test(bare)) return { kind: 'command', command };
  if (describesSignInProblem(text)) return { kind: 'problem' };
  if (/^(hi|hello|hey|hiya|good (morning|afternoon|evening)|hallo|yo|greetings)\b/.test(bare) && bare.length < 40) return { kind: 'greeting' };
  if (bare.length >= 3 && bare.split(' ').length <= 3) {
    const suggestion = closestCommand(bare);
    if (suggestion) return { kind: 'unclear', suggestion };
  }
  return bare.length === 0 ? { kind: 'unclear' } : { kind: 'other' };
}

/** True when the text is about OneDrive or signing in, or carries one of the codes (contract §2). */
export function describesSignInProblem(text: string): boolean {
  const t = text.toLowerCase();
  return (
    /one ?drive/.test(t) ||
    mentionsAnyOneDriveCode(t) ||
    /\bsign(ing|ed)?[ -]?(in|on)\b|\blog(ging|ged)?[ -]?(in|on)\b|\bsignin\b|\blogin\b/.test(t) ||
    /\bcredentials?\b|\b0x8004/.test(t)
  );
}

/** Reads the facts an employee volunteers in free text. */
export function extractFacts(raw: string): ParsedFacts {
  const text = normaliseText(raw).toLowerCase();
  const answers: Answers = {};
  const code = findOneDriveCode(text);
  if (code) answers['error-code'] = code;

  if (/problem connecting|trouble connecting|check your (internet|connection)|can'?t connect|cannot connect|couldn'?t connect/.test(text)) {
    answers['error-message'] = 'connection';
  } else if (/something went wrong|credentials? (are |is )?(invalid|incorrect|wrong)|invalid credentials|keeps? asking|asks? me to sign in (again|repeatedly)|prompt(s|ing)? (me )?(again|repeatedly)/.test(text)) {
    answers['error-message'] = 'credentials';
  }

  const mentionsChange = /\b(change|changed|reset|new|updated)\b[^.]{0,30}\bpassword\b|\bpassword\b[^.]{0,30}\b(changed|reset|change|updated)\b/.test(text);
  const deniesChange = new RegExp(`\\b${NEGATION}\\b[^.]{0,25}\\b(change|changed|reset)\\b`).test(text);
  if (mentionsChange) answers['password-changed'] = deniesChange ? 'no' : 'yes';

  if (/\bvpn\b|globalprotect|anyconnect|forticlient|zscaler private access/.test(text)) answers.network = 'vpn';
  else if (/\b(at|from|working from) home\b|home (wi-?fi|network)|hotel|coffee shop|public wi-?fi/.test(text)) answers.network = 'home';
  else if (/\b(in|at) the office\b|office network|corporate network/.test(text)) answers.network = 'office';

  if (/\b(my own|personal|private|home) (pc|laptop|computer|device|mac)\b/.test(text)) answers['device-type'] = 'personal';
  else if (/\b(company|work|corporate|managed) (pc|laptop|computer|device)\b/.test(text)) answers['device-type'] = 'company';

  const onlyMe = /\b(only me|just me|nobody else|no one else|everyone else is (fine|ok)|others are (fine|ok))\b/.test(text);
  const othersDenied = new RegExp(`\\b(colleagues?|co-?workers|others?|team)\\b[^.]{0,20}\\b${NEGATION}\\b`).test(text);
  if (onlyMe || othersDenied) answers['others-affected'] = 'no';
  else if (/\b(colleagues?|co-?workers|everyone|everybody|whole (team|office|department)|others? (too|as well|also)|other people|my team)\b/.test(text)) answers['others-affected'] = 'yes';

  if (/\b(web|browser|office\.com|online)\b[^.]{0,30}\b(works?|fine|ok|opens?)\b/.test(text) && !/\b(web|browser)\b[^.]{0,30}\b(doesn'?t|does not|fails?|not working)\b/.test(text)) {
    answers['web-works'] = 'yes';
  }

  if (new RegExp(`\\b(outlook|teams)\\b[^.,]{0,25}(\\b${NEGATION}\\s+(work|sign|connect|open|load)|\\bfails?\\b|\\bbroken\\b)`).test(text)) answers['other-apps'] = 'no';
  else if (/\b(outlook|teams)\b[^.]{0,40}\b(works?|fine|ok)\b/.test(text)) answers['other-apps'] = 'yes';

  const proxy = /\bproxy\b/.test(text);
  return { answers, proxy };
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

/** The command a typo most likely meant ("hlep" → "help"), if any is close. */
export function closestCommand(text: string): Command | undefined {
  let best: { command: Command; d: number } | undefined;
  for (const command of COMMAND_WORDS) {
    const d = distance(text, command);
    const limit = command.length <= 4 ? 1 : 2;
    if (d <= limit && (!best || d < best.d)) best = { command, d };
  }
  return best?.command;
}
