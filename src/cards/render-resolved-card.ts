import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/resolved.json';
import type { ResolvedCardModel } from './view-models';

/** "Glad that's fixed", how to check it holds, and five rating buttons (`triage.rate`, `rating` 1–5). */
export function renderResolvedCard(model: ResolvedCardModel): AdaptiveCard {
  const verify = model.verify.trim();
  return renderTemplate(template, {
    causeId: model.causeId,
    causeText: `Fixed: ${model.causeTitle}`,
    hasVerify: verify.length > 0,
    verify,
  });
}
