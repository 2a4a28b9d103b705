import { getQuestion, type QuestionId } from '../domain/questions';
import type { FixResultValue } from '../domain/fix-walkthrough';
import { findOneDriveCode } from '../domain/onedrive-codes';

const SYNONYMS: Record<string, string[]> = {
  yes: ['yes', 'y', 'yeah', 'yep', 'yup', 'sure', 'correct', 'it does', 'they do', 'i do', 'i did', 'i have'],
  no: ['no', 'n', 'nope', 'nah', "doesn't", 'does not', "don't", 'do not', 'not at all', "didn't", 'did not', 'i have not', "haven't"],
  'not-sure': ['not sure', "don't know", 'dont know', 'no idea', 'unsure', 'maybe', 'idk'],
  'not-tried': ["haven't tried", 'not tried', 'didnt try', "didn't try", 'never tried'],
  vpn: ['vpn'],
  office: ['office', 'at work', 'work network'],
  home: ['home', 'wifi', 'wi-fi', 'hotel', 'public'],
  company: ['company', 'work pc', 'work laptop', 'corporate', 'managed'],
  personal: ['personal', 'my own', 'own pc', 'own laptop', 'private'],
  credentials: ['credentials', 'something went wrong', 'keeps asking', 'password'],
  connection: ['connecting', 'connection', 'internet'],
  other: ['other', 'something else', 'none', 'no code'],
};

/** Reads a typed reply as an answer to `questionId` ("yep", "I'm on VPN", "0x8004de90"); undefined when unclear. */
export function matchTypedAnswer(questionId: QuestionId, raw: string): string | undefined {
  const text = raw
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, '');
  const answers = getQuestion(questionId).answers;
  if (questionId === 'error-code') {
    const code = findOneDriveCode(text);
    if (code) return code;
  }
  const exact = answers.find((a) => a.id === text || a.label.toLowerCase() === text);
  if (exact) return exact.id;
  // Longer phrases first, so "not sure" wins over "no".
  const candidates = answers.flatMap((a) => (SYNONYMS[a.id] ?? []).map((phrase) => ({ id: a.id, phrase }))).sort((x, y) => y.phrase.length - x.phrase.length);
  for (const { id, phrase } of candidates) {
    const pattern = new RegExp(`(^|\\b)${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\b|$)`);
    if (pattern.test(text)) return id;
  }
  return undefined;
}

/** Reads a typed reply to a fix step ("that worked", "still broken", "I can't"). */
export function matchTypedStepResult(raw: string): FixResultValue | undefined {
  const text = raw.trim().toLowerCase();
  if (/\b(can'?t|cannot|unable|not allowed|no (admin|permission|rights))\b/.test(text)) return 'cannot-do';
  if (/\b(still|not (fixed|working)|didn'?t work|doesn'?t work|no luck|same error|broken)\b/.test(text)) return 'not-fixed';
  if (/\b(worked|works|fixed|solved|resolved|success|all good)\b/.test(text)) return 'fixed';
  return undefined;
}
