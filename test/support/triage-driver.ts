import { cardText, actionData, type Json } from './cards';
import { cardsOf, type Chat } from './bot-harness';

/** Answers used when a scenario does not say: the neutral choice of each question. */
const NEUTRAL: Record<string, string> = {
  'error-code': 'other',
  'error-message': 'other',
  'web-works': 'not-tried',
};

/** What a driven triage ended with. */
export interface TriageRun {
  causeId?: string;
  questions: string[];
  diagnosisCard?: Json;
  firstStep?: Json;
  replies: Json[];
}

/** The diagnosis card among replies: the card titled "What we found". */
export function diagnosisCardIn(replies: Json[]): Json | undefined {
  return cardsOf(replies).find((c) => cardText(c).includes('What we found'));
}

/** Drives a triage through the contract's verbs until a diagnosis appears, answering from `answers`. */
export async function driveTriage(chat: Chat, firstMessage: string, answers: Record<string, string | undefined>, maxTurns = 10): Promise<TriageRun> {
  let replies = await chat.say(firstMessage);
  const all = [...replies];
  const questions: string[] = [];
  for (let turn = 0; turn < maxTurns; turn++) {
    const diagnosis = diagnosisCardIn(replies);
    if (diagnosis) {
      const causeId = actionData(diagnosis).find((d) => d.verb === 'ticket.create')?.causeId as string | undefined;
      const firstStep = cardsOf(replies).find((c) => actionData(c).some((d) => d.verb === 'fix.result'));
      return { causeId, questions, diagnosisCard: diagnosis, firstStep, replies: all };
    }
    const question = cardsOf(replies)
      .flatMap(actionData)
      .find((d) => d.verb === 'triage.answer');
    if (!question) throw new Error(`no question and no diagnosis in: ${cardsOf(replies).map(cardText).join(' | ').slice(0, 500)}`);
    const questionId = question.questionId as string;
    questions.push(questionId);
    const answer = answers[questionId] ?? NEUTRAL[questionId] ?? 'not-sure';
    replies = await chat.submit({ verb: 'triage.answer', questionId, answer });
    all.push(...replies);
  }
  throw new Error(`no diagnosis after ${maxTurns} answers (asked ${questions.join(', ')})`);
}
