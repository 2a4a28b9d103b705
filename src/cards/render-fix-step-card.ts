import { messages } from '../content/knowledge';
import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import { CARD_BUDGET_BYTES, shrinkCard } from './card-budget';
import { withoutEmptyCase } from './card-parts';
import template from './templates/fix-step.json';
import type { FixStepCardModel } from './view-models';

/**
 * Lines that are commands to type (rather than clicks to make) are shown in a monospace font.
 * Deliberately narrow: a whole line that starts with a well-known Windows command or tool.
 */
const COMMAND_LINE = new RegExp(
  [
    String.raw`^(?:dsregcmd|cmdkey|netsh|ipconfig|nslookup|ping|tracert|certutil|gpupdate|gpresult|winget|reg|powershell|pwsh|taskkill|klist|whoami)(?:\.exe)?(?:\s|$)`,
    String.raw`^(?:Get|Set|Remove|Test|Invoke|Start|Stop|Restart|Clear)-[A-Z][A-Za-z]+(?:\s|$)`,
    String.raw`^"?(?:%[A-Za-z]+%|[A-Za-z]:)\\\S`,
  ].join('|'),
  'i',
);

/** True when an instruction line looks like a command to type. */
export function looksLikeCommand(line: string): boolean {
  return COMMAND_LINE.test(line.trim());
}

/**
 * One fix step: "Step n of m", who can do it, the instructions, and three outcome buttons
 * (`fix.result` with `causeId`, `stepId` and `result`: fixed, not-fixed, cannot-do), each an
 * `Action.Execute` that also carries `case` (the case the step belongs to).
 */
export function renderFixStepCard(model: FixStepCardModel): AdaptiveCard {
  const warning = model.warning?.trim() ?? '';
  const check = model.check?.trim() ?? '';
  const selfService = model.audience === 'self-service';
  const m = messages(model.locale);
  const card = renderTemplate(template, {
    causeId: model.causeId,
    stepId: model.stepId,
    progressText: m.text('cards.fix-step.progress', { number: model.stepNumber, count: model.stepCount }),
    audienceLabel: model.audienceLabel,
    badgeStyle: selfService ? 'good' : 'warning',
    badgeColor: selfService ? 'Good' : 'Warning',
    title: model.title,
    causeText: m.text('cards.fix-step.cause', { title: model.causeTitle }),
    hasWarning: warning.length > 0,
    warning,
    // A no-break space after "1." keeps Markdown from turning each line into its own
    // one-item list (which some hosts renumber as "1.").
    instructions: model.instructions.map((text, index) => ({
      line: `${index + 1}.\u00a0${text}`,
      fontType: looksLikeCommand(text) ? 'Monospace' : 'Default',
    })),
    hasCheck: check.length > 0,
    check,
    fixedLabel: m.text('actions.result.fixed'),
    notFixedLabel: m.text('actions.result.not-fixed'),
    cannotDoLabel: m.text('actions.result.cannot-do'),
    caseRef: model.caseRef ?? '',
  });
  // Only the bot's own words: no shrinking needed in practice, but every card keeps the budget.
  return shrinkCard(withoutEmptyCase(card), CARD_BUDGET_BYTES);
}
