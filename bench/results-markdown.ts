/** bench/results.md: the benchmark's results as markdown tables (the README's performance section shows them). */
import type { BenchResults } from './results-types';
import { TURN_KINDS } from './load/driver';

const f = (n: number | undefined, digits = 1): string => (n === undefined ? '–' : n.toFixed(digits));

export function writeResultsMarkdown(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push('# Benchmark results');
  out.push('');
  out.push(
    `\`npm run bench\` on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC; load average ${m.loadAverageAtStart.map((l) => f(l, 2)).join(' ')} at the start. Loopback only; the run took ${f(r.durationS, 0)} s.`,
  );
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push('| | measured | target | |');
  out.push('|---|---:|---:|---|');
  for (const t of r.targets) out.push(`| ${t.name} | ${t.value} | ${t.target} | ${t.met ? 'met' : '**missed**'} |`);
  out.push('');
  out.push('## Whole triage turns: the bot against the bare-framework floor');
  out.push('');
  out.push(
    `Concurrent conversations are distinct employees, each running a whole triage (first message, the answers asked for, a fix-step result, a ticket), closed loop. The floor is restify + CloudAdapter answering every turn with the bot's own two first-turn cards (${r.floorCards.bytes.join(' + ')} bytes of JSON). Latency is the HTTP round trip of one turn, in ms.`,
  );
  out.push('');
  out.push(
    '| concurrent | floor turns/s | bot turns/s | throughput × floor | floor p50 / p95 / p99 | bot p50 / p95 / p99 | p50 × | p95 × | p99 × | CPU ms per turn, floor / bot | CPU × |',
  );
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const l of r.levels) {
    out.push(
      `| ${l.concurrency} | ${f(l.floor.throughput, 0)} | ${f(l.bot.throughput, 0)} | ${f(l.ratios.throughput, 2)} | ${f(l.floor.all.p50)} / ${f(l.floor.all.p95)} / ${f(l.floor.all.p99)} | ${f(l.bot.all.p50)} / ${f(l.bot.all.p95)} / ${f(l.bot.all.p99)} | ${f(l.ratios.p50, 1)} | ${f(l.ratios.p95, 1)} | ${f(l.ratios.p99, 1)} | ${f(l.floor.cpuMsPerTurn, 2)} / ${f(l.bot.cpuMsPerTurn, 2)} | ${f(l.ratios.cpuPerTurn, 1)} |`,
    );
  }
  out.push('');
  out.push(
    "CPU ms per turn is the server process's own CPU time (all its threads, from /proc) divided by the turns it answered: the cost of a turn, which other work on a shared machine moves far less than throughput or latency.",
  );
  out.push('');
  out.push('By kind of turn (bot p50 / p99 in ms, and how many turns were measured):');
  out.push('');
  out.push(`| concurrent | ${TURN_KINDS.join(' | ')} |`);
  out.push(`|---:|${TURN_KINDS.map(() => '---:').join('|')}|`);
  for (const l of r.levels)
    out.push(`| ${l.concurrency} | ${TURN_KINDS.map((k) => `${f(l.bot.byKind[k].p50)} / ${f(l.bot.byKind[k].p99)} (${l.bot.byKind[k].turns})`).join(' | ')} |`);
  out.push('');
  out.push('## Memory');
  out.push('');
  out.push('| process | when | RSS MB | heap used MB | live heap after GC MB |');
  out.push('|---|---|---:|---:|---:|');
  out.push(`| bot, embedded defaults | idle after start | ${f(r.startup.idle.rssMb)} | ${f(r.startup.idle.heapUsedMb)} | ${f(r.startup.idle.liveHeapMb)} |`);
  for (const p of r.memory.bot) out.push(`| bot, load run | ${p.label} | ${f(p.figures.rssMb)} | ${f(p.figures.heapUsedMb)} | ${f(p.figures.liveHeapMb)} |`);
  for (const p of r.memory.floor)
    out.push(
      `| floor | ${p.label}${p.conversations ? ` (${p.conversations} conversations)` : ''} | ${f(p.figures.rssMb)} | ${f(p.figures.heapUsedMb)} | ${f(p.figures.liveHeapMb)} |`,
    );
  out.push('');
  out.push(
    `Start to ready (/readyz answers 200), embedded defaults: ${r.startup.readyMs.map((ms) => `${f(ms, 0)} ms`).join(', ')} (median ${f(r.startup.medianReadyMs, 0)} ms). The floor: ${f(r.startup.floorReadyMs, 0)} ms.`,
  );
  out.push('');
  out.push('## Card render time');
  out.push('');
  out.push('In process, each renderer of src/cards with a realistic model (bench/card-models.ts); the fastest of at least five batches.');
  out.push('');
  out.push('| card | bytes | µs per render |');
  out.push('|---|---:|---:|');
  for (const c of r.cardRender.cards) out.push(`| ${c.name}${c.triage ? ' (triage)' : ''} | ${c.bytes} | ${f(c.meanUs)} |`);
  out.push(`| mean, triage cards | | ${f(r.cardRender.triageMeanUs)} |`);
  out.push(`| parsing one template's \`\${…}\` expressions (now done once per template) | | ${f(r.cardRender.templateParseMeanUs)} |`);
  out.push('');
  if (r.replay) {
    const p = r.replay;
    out.push('## An incident replayed (open loop)');
    out.push('');
    out.push(
      `${p.employees} employees, 5 % of them within 10 minutes, time compressed ${p.speed}×: ${p.completed} of ${p.triages} triages, ${p.turns} turns at ${f(p.turnsPerSecond)} turns/s (${f(p.realTurnsPerSecond, 2)} at the real pace). Turn p50 / p95 / p99: ${f(p.latency.p50)} / ${f(p.latency.p95)} / ${f(p.latency.p99)} ms; at most ${p.maxInFlight} turns in flight. The bot kept ${p.cpuBusy !== undefined ? `${f(p.cpuBusy * 100, 0)} %` : '–'} of a core busy; docs/capacity.md's model predicts ${p.predictedCpuBusy !== undefined ? `${f(p.predictedCpuBusy * 100, 0)} %` : '–'}.${p.errors ? ` ${p.errors} problems.` : ''}`,
    );
    out.push('');
  }
  if (r.graph) {
    const g = r.graph;
    out.push('## Graph round trips per diagnosis');
    out.push('');
    out.push(
      `The bot in Graph mode (managed identity through a loopback token endpoint) against the Graph-shaped fake server, which answers after ${g.latencyMs} ms and refuses more than 5 reports requests per 10 s.${g.error ? ` The phase failed: ${g.error}` : ''}`,
    );
    out.push('');
    out.push('| | diagnoses | Graph HTTP requests | per diagnosis | reports requests | per diagnosis | first turn p50 / p95 ms |');
    out.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const [name, t] of [
      ['one at a time', g.sequential],
      ['burst', g.burst],
    ] as const) {
      if (t)
        out.push(
          `| ${name} | ${t.diagnoses} | ${t.httpRequests} | ${f(t.httpPerDiagnosis, 2)} | ${t.reportsRequests} | ${f(t.reportsPerDiagnosis, 2)} | ${f(t.firstTurn.p50, 0)} / ${f(t.firstTurn.p95, 0)} |`,
        );
    }
    out.push('');
    out.push(`Token requests: ${g.tokenRequests}. Reports requests Graph refused (429): ${g.reportsBreaches}; most in any 10 s: ${g.maxReportsInAnyWindow}.`);
    out.push('');
  }
  if (r.azure) {
    const a = r.azure;
    out.push('## Azure Storage transactions');
    out.push('');
    out.push(
      `The bot with \`STORAGE_BACKEND=azure\` against Azurite behind a counting proxy, one conversation at a time (${a.conversations} triages).${a.error ? ` Problem: ${a.error}` : ''} Requests per turn include the background work running meanwhile.`,
    );
    out.push('');
    out.push('| | turns | blob | table | all |');
    out.push('|---|---:|---:|---:|---:|');
    for (const k of TURN_KINDS) out.push(`| ${k} | ${a.perTurn[k].turns} | ${f(a.perTurn[k].blob)} | ${f(a.perTurn[k].table)} | ${f(a.perTurn[k].total)} |`);
    out.push(`| whole triage | | | | ${f(a.perConversation)} |`);
    out.push('');
    if (a.cpuMsPerTurn !== undefined) {
      out.push(
        `The bot's CPU time per turn in this mode (warm, 10 conversations at a time, the storage clients' work included): ${f(a.cpuMsPerTurn, 2)} ms, at ${f(a.turnsPerSecond, 0)} turns/s with Azurite on the same machine.`,
      );
    }
    out.push('');
    out.push(
      `Idle (no conversation): ${f(a.idlePerSecond, 2)} requests/s per instance (${Object.entries(a.idleByOperation)
        .map(([op, n]) => `${op} ${n}`)
        .join(', ')}). By operation during the triages: ${Object.entries(a.byOperation)
        .map(([op, n]) => `${op} ${n}`)
        .join(', ')}.`,
    );
    out.push('');
  }
  if (r.profile) {
    const p = r.profile;
    out.push('## Where the bot spends its CPU under load');
    out.push('');
    out.push(
      `node --cpu-prof on the built bot at ${p.concurrency} concurrent conversations (${p.turns} turns, ${f(p.turnsPerSecond, 0)} turns/s under the profiler). Shares of busy time:`,
    );
    out.push('');
    out.push('| by package (self time) | % | | inclusive | % |');
    out.push('|---|---:|---|---|---:|');
    for (let i = 0; i < Math.max(Math.min(p.byPackage.length, 12), p.inclusive.length); i++) {
      const a = p.byPackage[i];
      const b = p.inclusive[i];
      out.push(`| ${a?.name ?? ''} | ${a ? f(a.percent) : ''} | | ${b?.name ?? ''} | ${b ? f(b.percent) : ''} |`);
    }
    out.push('');
    out.push('| top functions (self time) | % |');
    out.push('|---|---:|');
    for (const fn of p.topFunctions.slice(0, 20)) out.push(`| \`${fn.name.replace(/\|/g, '\\|')}\` | ${f(fn.percent)} |`);
    out.push('');
  }
  if (r.domain.length) {
    out.push('## Domain work per turn');
    out.push('');
    for (const d of r.domain) out.push(`- ${d.name}: ${d.perOpMs.toFixed(3)} ms (target ≤ ${d.targetMs} ms)`);
    out.push('');
  }
  if (r.notes.length) {
    out.push('## Notes');
    out.push('');
    for (const n of r.notes) out.push(`- ${n}`);
    out.push('');
  }
  return out.join('\n');
}
