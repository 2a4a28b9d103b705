import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/question.json';
import { CARD_BUDGET_BYTES, shrinkCard } from './card-budget';
import { withoutEmptyCase } from './card-parts';
import { plainText, TEXT_LIMITS } from './plain-text';
import type { QuestionCardModel } from './view-models';

/** Teams truncates button titles beyond about this many characters. */
export const MAX_BUTTON_TITLE = 24;
/** More answers than this read better as a list than as a row of buttons. */
export const MAX_ANSWER_BUTTONS = 5;

/**
 * Whether a question's answers should be shown as an expanded ChoiceSet (many answers,
 * or any label too long for a button) rather than one button per answer.
 */
export function shouldUseChoiceSet(answers: ReadonlyArray<{ label: string }>): boolean {
  return answers.length > MAX_ANSWER_BUTTONS || answers.some((answer) => answer.label.length > MAX_BUTTON_TITLE);
}

/**
 * One triage question. With `useChoiceSet` false each answer is its own button
 * (`triage.answer` with `questionId` and `answer`); with it true the answers are an expanded
 * ChoiceSet whose id `answer` fills in the answer when "Next" is selected. Every action is an
 * `Action.Execute` that also carries `case` (the case it was asked in), so a card from an earlier
 * case is recognised as done instead of answering the current one.
 */
export function renderQuestionCard(model: QuestionCardModel): AdaptiveCard {
  const progress = model.progress?.trim() ?? '';
  // The note quotes Graph's error message: plain text.
  const lookupNote = plainText(model.lookupNote, TEXT_LIMITS.line);
  const card = renderTemplate(template, {
    questionId: model.questionId,
    text: model.text,
    why: model.why,
    answers: model.answers.map(({ id, label }) => ({ id, label })),
    hasProgress: progress.length > 0,
    progress,
    hasLookupNote: lookupNote.length > 0,
    lookupNote,
    useChoiceSet: model.useChoiceSet,
    caseRef: model.caseRef ?? '',
  });
  return shrinkCard(withoutEmptyCase(card), CARD_BUDGET_BYTES);
}
