/**
 * Card render time, in process: every renderer in src/cards with a realistic model
 * (card-models.ts), timed per card after a warm-up. Also times what src/cards/adaptive-card.ts
 * now does once per template (parsing its `${…}` expressions), so the saving stays visible.
 *
 *   npx tsx bench/card-render.ts            prints the table
 */
import * as ACData from 'adaptivecards-templating';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cardBytes } from '../src/cards';
import { CARD_CASES } from './card-models';

/** One card's render time. */
export interface CardRenderResult {
  name: string;
  triage: boolean;
  bytes: number;
  /** Wall time of one call of the render function (µs, fastest batch), fitting to the size budget included. */
  meanUs: number;
  renders: number;
}

/** What `measureCardRendering` reports. */
export interface CardRenderReport {
  cards: CardRenderResult[];
  /** Mean over the cards a triage sends (diagnosis, fix step, question, …). */
  triageMeanUs: number;
  /** Mean over every card. */
  allMeanUs: number;
  /** Parsing one template's expressions (`new Template(json)`), mean over the bot's templates (µs): the per-render cost before templates were prepared once. */
  templateParseMeanUs: number;
}

/**
 * Wall time per call (µs): the fastest of at least five batches. Other work on a shared machine
 * only ever adds time, so the fastest batch is the closest to the card's own cost.
 */
function timeLoop(fn: () => unknown, minMs: number, minRuns: number): { meanUs: number; runs: number } {
  for (let i = 0; i < 20; i++) fn();
  let best = Infinity;
  let batches = 0;
  let runs = 0;
  const start = performance.now();
  while (batches < 5 || performance.now() - start < minMs) {
    const batchStart = runs;
    const began = performance.now();
    while (runs - batchStart < minRuns / 5 || performance.now() - began < minMs / 10) {
      fn();
      runs += 1;
    }
    best = Math.min(best, ((performance.now() - began) * 1000) / (runs - batchStart));
    batches += 1;
  }
  return { meanUs: best, runs };
}

/** Times every card's renderer for at least `minMsPerCard` (default 250 ms) each. */
export function measureCardRendering(minMsPerCard = 250): CardRenderReport {
  // Warm the shared engine code (and prepare every template) before timing any card.
  for (let round = 0; round < 100; round++) for (const c of CARD_CASES) c.render();
  const cards: CardRenderResult[] = CARD_CASES.map((c) => {
    const { meanUs, runs } = timeLoop(c.render, minMsPerCard, 50);
    return { name: c.name, triage: c.triage, bytes: cardBytes(c.render()), meanUs, renders: runs };
  });
  const mean = (list: CardRenderResult[]): number => list.reduce((sum, c) => sum + c.meanUs, 0) / Math.max(1, list.length);

  const dir = join(__dirname, '..', 'src', 'cards', 'templates');
  const templates = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as object);
  const parse = timeLoop(() => templates.forEach((t) => new ACData.Template(t)), minMsPerCard * 2, 10);
  return { cards, triageMeanUs: mean(cards.filter((c) => c.triage)), allMeanUs: mean(cards), templateParseMeanUs: parse.meanUs / templates.length };
}

/** The report as a markdown table. */
export function cardRenderTable(report: CardRenderReport): string {
  const lines = ['| card | bytes | µs per render |', '|---|---:|---:|'];
  for (const c of report.cards) lines.push(`| ${c.name}${c.triage ? ' (triage)' : ''} | ${c.bytes} | ${c.meanUs.toFixed(1)} |`);
  lines.push(`| **mean, triage cards** | | **${report.triageMeanUs.toFixed(1)}** |`);
  lines.push(`| **mean, all cards** | | **${report.allMeanUs.toFixed(1)}** |`);
  lines.push(`| parsing one template's expressions (now once per template, at first use) | | ${report.templateParseMeanUs.toFixed(1)} |`);
  return lines.join('\n');
}

if (require.main === module) {
  console.log(cardRenderTable(measureCardRendering()));
}
