/** bench/results.md: the benchmark's results as markdown tables (the README's performance section shows them). */
import type { BenchResults } from './results-types';
import { TURN_KINDS } from './load/driver';

const f = (n: number | undefined, digits = 1): string => (n === undefined ? '–' : n.toFixed(digits));

type Cell = string | number;

/** One table row; an empty cell is written `| |`. */
function row(cells: readonly Cell[]): string {
  return `|${cells.map((cell) => (cell === '' ? ' ' : ` ${cell} `)).join('|')}|`;
}

/** A markdown table and the blank line after it; `align` holds an `l` or `r` per column. */
function table(header: readonly string[], align: string, rows: ReadonlyArray<readonly Cell[]>): string[] {
  return [row(header), `|${[...align].map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`, ...rows.map(row), ''];
}

/** bench/results.md's text for one run's results. */
export function writeResultsMarkdown(r: BenchResults): string {
  const out: string[] = [];
  /** Headings, paragraphs and lists: each followed by a blank line. */
  const blocks = (...texts: string[]): void => {
    for (const text of texts) out.push(text, '');
  };
  const m = r.machine;
  blocks(
    '# Benchmark results',
    `\`npm run bench\` on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC; load average ${m.loadAverageAtStart.map((l) => f(l, 2)).join(' ')} at the start. Loopback only; the run took ${f(r.durationS, 0)} s.`,
    '## Targets',
  );
  out.push(
    ...table(
      ['', 'measured', 'target', ''],
      'lrrl',
      r.targets.map((t) => [t.name, t.value, t.target, t.met ? 'met' : '**missed**']),
    ),
  );
  blocks(
    '## Whole triage turns: the bot against the bare-framework floor',
    `Concurrent conversations are distinct employees, each running a whole triage (first message, the answers asked for, a fix-step result, a ticket), closed loop. The floor is restify + CloudAdapter answering every turn with the bot's own two first-turn cards (${r.floorCards.bytes.join(' + ')} bytes of JSON). Latency is the HTTP round trip of one turn, in ms.`,
  );
  out.push(
    ...table(
      [
        'concurrent',
        'floor turns/s',
        'bot turns/s',
        'throughput × floor',
        'floor p50 / p95 / p99',
        'bot p50 / p95 / p99',
        'p50 ×',
        'p95 ×',
        'p99 ×',
        'CPU ms per turn, floor / bot',
        'CPU ×',
      ],
      'r'.repeat(11),
      r.levels.map((l) => [
        l.concurrency,
        f(l.floor.throughput, 0),
        f(l.bot.throughput, 0),
        f(l.ratios.throughput, 2),
        `${f(l.floor.all.p50)} / ${f(l.floor.all.p95)} / ${f(l.floor.all.p99)}`,
        `${f(l.bot.all.p50)} / ${f(l.bot.all.p95)} / ${f(l.bot.all.p99)}`,
        f(l.ratios.p50, 1),
        f(l.ratios.p95, 1),
        f(l.ratios.p99, 1),
        `${f(l.floor.cpuMsPerTurn, 2)} / ${f(l.bot.cpuMsPerTurn, 2)}`,
        f(l.ratios.cpuPerTurn, 1),
      ]),
    ),
  );
  blocks(
    "CPU ms per turn is the server process's own CPU time (all its threads, from /proc) divided by the turns it answered: the cost of a turn, which other work on a shared machine moves far less than throughput or latency.",
    'By kind of turn (bot p50 / p99 in ms, and how many turns were measured):',
  );
  out.push(
    ...table(
      ['concurrent', ...TURN_KINDS],
      'r'.repeat(TURN_KINDS.length + 1),
      r.levels.map((l) => [l.concurrency, ...TURN_KINDS.map((k) => `${f(l.bot.byKind[k].p50)} / ${f(l.bot.byKind[k].p99)} (${l.bot.byKind[k].turns})`)]),
    ),
  );
  if (r.levels.some((l) => l.bot.coldStart)) {
    blocks(
      "Each slice measures the steady state: it opens its conversations and connections, and counts nothing until that opening burst was answered and a warm-up passed, while the conversations carry on across the mark. The opening burst itself (every conversation's first message at once, on new connections, to a server idle while the other side's slice ran) is the cold start below, outside the figures above. Node accepts one new connection per event-loop turn (libuv 1.45 and later), so during the burst connections wait for the turns already running: the longer a turn's CPU work, the longer the last connection waits.",
      'Cold start (first messages of the opening burst: p50 / max in ms):',
    );
    const cold = (s: (typeof r.levels)[number]['bot']): string => (s.coldStart ? `${f(s.coldStart.p50)} / ${f(s.coldStart.max)} (${s.coldStart.turns})` : '–');
    out.push(
      ...table(
        ['concurrent', 'floor', 'bot'],
        'rrr',
        r.levels.map((l) => [l.concurrency, cold(l.floor), cold(l.bot)]),
      ),
    );
  }
  blocks('## Memory');
  const memory = (process: string, when: string, figures: typeof r.startup.idle): Cell[] => [process, when, f(figures.rssMb), f(figures.heapUsedMb), f(figures.liveHeapMb)];
  out.push(
    ...table(['process', 'when', 'RSS MB', 'heap used MB', 'live heap after GC MB'], 'llrrr', [
      memory('bot, embedded defaults', 'idle after start', r.startup.idle),
      ...r.memory.bot.map((p) => memory('bot, load run', p.label, p.figures)),
      ...r.memory.floor.map((p) => memory('floor', `${p.label}${p.conversations ? ` (${p.conversations} conversations)` : ''}`, p.figures)),
    ]),
  );
  blocks(
    `Start to ready (/readyz answers 200), embedded defaults: ${r.startup.readyMs.map((ms) => `${f(ms, 0)} ms`).join(', ')} (median ${f(r.startup.medianReadyMs, 0)} ms). The floor: ${f(r.startup.floorReadyMs, 0)} ms.`,
    '## Card render time',
    'In process, each renderer of src/cards with a realistic model (bench/card-models.ts); the fastest of at least five batches.',
  );
  out.push(
    ...table(['card', 'bytes', 'µs per render'], 'lrr', [
      ...r.cardRender.cards.map((c) => [`${c.name}${c.triage ? ' (triage)' : ''}`, c.bytes, f(c.meanUs)]),
      ['mean, triage cards', '', f(r.cardRender.triageMeanUs)],
      ["parsing one template's `${…}` expressions (now done once per template)", '', f(r.cardRender.templateParseMeanUs)],
    ]),
  );
  if (r.replay) {
    const p = r.replay;
    blocks(
      '## An incident replayed (open loop)',
      `${p.employees} employees, 5 % of them within 10 minutes, time compressed ${p.speed}×: ${p.completed} of ${p.triages} triages, ${p.turns} turns at ${f(p.turnsPerSecond)} turns/s (${f(p.realTurnsPerSecond, 2)} at the real pace). Turn p50 / p95 / p99: ${f(p.latency.p50)} / ${f(p.latency.p95)} / ${f(p.latency.p99)} ms; at most ${p.maxInFlight} turns in flight. The bot kept ${p.cpuBusy !== undefined ? `${f(p.cpuBusy * 100, 0)} %` : '–'} of a core busy; docs/capacity.md's model predicts ${p.predictedCpuBusy !== undefined ? `${f(p.predictedCpuBusy * 100, 0)} %` : '–'}.${p.errors ? ` ${p.errors} problems.` : ''}`,
    );
  }
  if (r.graph) {
    const g = r.graph;
    blocks(
      '## Graph round trips per diagnosis',
      `The bot in Graph mode (managed identity through a loopback token endpoint) against the Graph-shaped fake server, which answers after ${g.latencyMs} ms and refuses more than 5 reports requests per 10 s.${g.error ? ` The phase failed: ${g.error}` : ''}`,
    );
    const runs = [
      ['one at a time', g.sequential],
      ['burst', g.burst],
    ] as const;
    out.push(
      ...table(
        ['', 'diagnoses', 'Graph HTTP requests', 'per diagnosis', 'reports requests', 'per diagnosis', 'first turn p50 / p95 ms'],
        'lrrrrrr',
        runs.flatMap(([name, t]) =>
          t
            ? [[name, t.diagnoses, t.httpRequests, f(t.httpPerDiagnosis, 2), t.reportsRequests, f(t.reportsPerDiagnosis, 2), `${f(t.firstTurn.p50, 0)} / ${f(t.firstTurn.p95, 0)}`]]
            : [],
        ),
      ),
    );
    blocks(`Token requests: ${g.tokenRequests}. Reports requests Graph refused (429): ${g.reportsBreaches}; most in any 10 s: ${g.maxReportsInAnyWindow}.`);
  }
  if (r.azure) {
    const a = r.azure;
    const byOperation = (counts: Record<string, number>): string =>
      Object.entries(counts)
        .map(([op, n]) => `${op} ${n}`)
        .join(', ');
    blocks(
      '## Azure Storage transactions',
      `The bot with \`STORAGE_BACKEND=azure\` against Azurite behind a counting proxy, one conversation at a time (${a.conversations} triages).${a.error ? ` Problem: ${a.error}` : ''} Requests per turn include the background work running meanwhile.`,
    );
    out.push(
      ...table(['', 'turns', 'blob', 'table', 'all'], 'lrrrr', [
        ...TURN_KINDS.map((k) => [k, a.perTurn[k].turns, f(a.perTurn[k].blob), f(a.perTurn[k].table), f(a.perTurn[k].total)]),
        ['whole triage', '', '', '', f(a.perConversation)],
      ]),
    );
    if (a.cpuMsPerTurn !== undefined) {
      blocks(
        `The bot's CPU time per turn in this mode (warm, 10 conversations at a time, the storage clients' work included): ${f(a.cpuMsPerTurn, 2)} ms, at ${f(a.turnsPerSecond, 0)} turns/s with Azurite on the same machine.`,
      );
    }
    blocks(
      `Idle (no conversation): ${f(a.idlePerSecond, 2)} requests/s per instance (${byOperation(a.idleByOperation)}). By operation during the triages: ${byOperation(a.byOperation)}.`,
    );
  }
  if (r.profile) {
    const p = r.profile;
    blocks(
      '## Where the bot spends its CPU under load',
      `node --cpu-prof on the built bot at ${p.concurrency} concurrent conversations (${p.turns} turns, ${f(p.turnsPerSecond, 0)} turns/s under the profiler). Shares of busy time:`,
    );
    const shares = Array.from({ length: Math.max(Math.min(p.byPackage.length, 12), p.inclusive.length) }, (_, i) => {
      const a = p.byPackage[i];
      const b = p.inclusive[i];
      return [a?.name ?? '', a ? f(a.percent) : '', '', b?.name ?? '', b ? f(b.percent) : ''];
    });
    out.push(...table(['by package (self time)', '%', '', 'inclusive', '%'], 'lrllr', shares));
    out.push(
      ...table(
        ['top functions (self time)', '%'],
        'lr',
        p.topFunctions.slice(0, 20).map((fn) => [`\`${fn.name.replace(/\|/g, '\\|')}\``, f(fn.percent)]),
      ),
    );
  }
  if (r.domain.length) {
    out.push('## Domain work per turn', '', ...r.domain.map((d) => `- ${d.name}: ${d.perOpMs.toFixed(3)} ms (target ≤ ${d.targetMs} ms)`), '');
  }
  if (r.notes.length) {
    out.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  }
  return out.join('\n');
}
