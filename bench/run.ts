/**
 * `npm run bench`: the performance benchmark (never a timed test). On loopback, in one run:
 *
 *  1. the per-turn domain work and every card's render time, in process;
 *  2. `npm run build`, then the bot from dist/ as its own process: start to /readyz and idle
 *     memory on its embedded defaults (built-in demo tenant, SQLite in a temporary DATA_DIR);
 *  3. side by side with the bare-framework floor (bench/load/floor-bot.ts: restify + CloudAdapter
 *     answering every message with the bot's own two first-turn cards), whole triage turns at
 *     each concurrency level, bot and floor slices interleaved so both see the same machine; each
 *     slice counts the steady state only, after its opening burst (reported apart as the cold start);
 *  4. the bot's memory after 1,000 and 10,000 conversations;
 *  5. Graph round trips per diagnosis against the Graph-shaped fake server (bench/load/graph-phase.ts);
 *  6. a CPU profile of the bot under load (node --cpu-prof), summarised.
 *
 * Writes bench/results.json and bench/results.md. Exit code 1 when a target is missed, 2 when
 * the benchmark itself failed. Options (all optional):
 *   --levels=1,10,50,200   --slice-ms=4000 --slices=2   --conversations=10000 --memory-cap-s=150
 *   --graph-latency-ms=50  --graph-burst=40  --no-graph  --no-profile  --profile-ms=8000  --profile-out=file.cpuprofile
 *   --no-azure  --no-build  --dist=<another build's folder>  --quick  --no-start-flags (the bot without npm start's Node flags)
 *   --replay=10000 [--replay-speed=10 --replay-think-s=30 --replay-minutes=10]   (an incident, open loop; off unless asked)
 * bench/graph-burst.ts (the reports-API burst, in process) stays a separate command.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { format, resolveConfig } from 'prettier';
import { cardRenderTable, measureCardRendering } from './card-render';
import { CARD_CASES } from './card-models';
import { runDomainChecks } from './domain-checks';
import { ConnectorStandIn, type Json } from './load/connector-stand-in';
import { FIRST_MESSAGE, floorScript, runLoad, runReplay, Target, triageScript, type BenchUser, type LoadResult, type Senders } from './load/driver';
import { runAzurePhase, type AzurePhaseResult } from './load/azure-phase';
import { runGraphPhase, type GraphPhaseResult } from './load/graph-phase';
import { botStartFlags, MeasuredProcess, type MemoryFigures } from './load/measured-process';
import { summarizeProfile } from './load/profile-summary';
import { mergeSlices, summarize } from './load/stats';
import { scaledDemoTenant } from './load/tenant';
import { writeResultsMarkdown } from './results-markdown';
import type { BenchOptions, BenchResults, LevelResult, ReplaySummary, TargetCheck } from './results-types';

const ROOT = join(__dirname, '..');
/** `--dist=<folder>` measures another build (e.g. one kept from before a change) and skips `npm run build`. */
const distArg = process.argv.find((a) => a.startsWith('--dist='))?.split('=')[1];
const DIST_MAIN = distArg ? join(resolve(distArg), 'index.js') : join(ROOT, 'dist', 'index.js');
const TSX_CJS = require.resolve('tsx/cjs');
/** The bot runs with the Node flags of `npm start` (the V8 heap sizes a host uses), unless `--no-start-flags`. */
const BOT_FLAGS = process.argv.includes('--no-start-flags') ? [] : botStartFlags(ROOT);

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

function option(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0`);
  return n;
}

const quick = flag('quick');
/** Where to keep the raw .cpuprofile (open it in Chrome DevTools or speedscope), if anywhere. */
const profileOut = process.argv.find((a) => a.startsWith('--profile-out='))?.split('=')[1];
const OPTIONS: BenchOptions = {
  levels: (process.argv.find((a) => a.startsWith('--levels='))?.split('=')[1] ?? '1,10,50,200').split(',').map(Number),
  sliceMs: option('slice-ms', quick ? 1500 : 4000),
  slices: option('slices', quick ? 1 : 2),
  conversations: option('conversations', quick ? 1500 : 10_000),
  memoryConcurrency: option('memory-concurrency', 50),
  memoryCapS: option('memory-cap-s', quick ? 30 : 150),
  graph: !flag('no-graph'),
  azure: !flag('no-azure'),
  azureConversations: option('azure-conversations', quick ? 3 : 8),
  graphLatencyMs: option('graph-latency-ms', 50),
  graphSequential: option('graph-sequential', 3),
  graphBurst: option('graph-burst', quick ? 20 : 40),
  profile: !flag('no-profile'),
  profileMs: option('profile-ms', quick ? 3000 : 8000),
  build: !flag('no-build') && !distArg,
  startups: option('startups', 3),
  replayEmployees: option('replay', 0),
  replaySpeed: Math.max(1, option('replay-speed', 10)),
  replayThinkS: option('replay-think-s', 30),
  replayMinutes: option('replay-minutes', 10),
};

function log(line: string): void {
  console.log(line);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const fmt = (n: number, digits = 1): string => n.toFixed(digits);

async function main(): Promise<void> {
  const began = performance.now();
  const notes: string[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'helpdesk-bench-'));
  const cleanup: Array<() => Promise<void>> = [];
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: totalmem() / 2 ** 30,
    node: process.version,
    loadAverageAtStart: loadavg(),
    loadAverageAtEnd: [] as number[],
  };
  log(`Benchmark on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverageAtStart.map((l) => fmt(l, 2)).join(' ')}.`);
  if (machine.loadAverageAtStart[0]! > machine.cpus) {
    notes.push(
      `The machine was busy when the run started (load average ${fmt(machine.loadAverageAtStart[0]!, 2)} on ${machine.cpus} cores): absolute figures are pessimistic; bot/floor ratios are fairer because their slices alternate.`,
    );
  }

  try {
    // 1. In process: domain work and card rendering.
    log('\n— Domain work (in process)');
    const domain = await runDomainChecks();
    for (const d of domain) log(`  ${d.name}: ${d.perOpMs.toFixed(3)} ms/op (target ≤ ${d.targetMs} ms)`);
    log('\n— Card render time (in process, realistic models, fastest of ≥5 batches)');
    const cardRender = measureCardRendering(quick ? 100 : 250);
    log(cardRenderTable(cardRender));

    // 2. The production build.
    let buildMs: number | undefined;
    if (OPTIONS.build) {
      log('\n— npm run build');
      const t = performance.now();
      const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new Error(`npm run build failed (${build.status})`);
      buildMs = performance.now() - t;
    }
    if (!existsSync(DIST_MAIN)) throw new Error(`${DIST_MAIN} is missing: run without --no-build`);

    // 3. Start to ready and idle memory, embedded defaults.
    notes.push(
      BOT_FLAGS.length > 0
        ? `The bot ran with the Node flags of npm start (and App Service's start command): ${BOT_FLAGS.join(' ')}.`
        : 'The bot ran without the Node flags of npm start (--no-start-flags or none set): V8 sized its heap from this machine.',
    );
    log('\n— Start to /readyz, embedded defaults (built-in demo tenant, SQLite in a temporary DATA_DIR)');
    const readyMs: number[] = [];
    let idle: MemoryFigures | undefined;
    for (let i = 0; i < Math.max(1, OPTIONS.startups); i++) {
      const bot = new MeasuredProcess('bot', DIST_MAIN, BOT_FLAGS);
      await bot.start({ DATA_DIR: join(scratch, `startup-${i}`) }, ROOT);
      readyMs.push(bot.readyMs);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      idle = await bot.memory();
      await bot.stop();
    }
    log(
      `  ready after ${readyMs.map((ms) => `${fmt(ms, 0)} ms`).join(', ')}; idle RSS ${fmt(idle!.rssMb)} MB, heap ${fmt(idle!.heapUsedMb)} MB (live ${fmt(idle!.liveHeapMb ?? 0)} MB)`,
    );

    // 4. The load setup: a scaled demo tenant (distinct employees), the connector, the bot, the floor.
    const maxLevel = Math.max(...OPTIONS.levels, OPTIONS.memoryConcurrency);
    // Just enough copies that concurrent conversations are distinct employees: the demo directory
    // scans every sign-in of its tenant per lookup, so a bigger tenant would only add demo-mode cost.
    const copies = Math.ceil(maxLevel / 15) + 1;
    const tenant = scaledDemoTenant(copies);
    const tenantFile = join(scratch, 'tenant.json');
    writeFileSync(tenantFile, JSON.stringify(tenant));
    notes.push(
      `Load runs use DEMO_TENANT_FILE with the built-in demo tenant copied ${copies}× (${tenant.users.length} employees, ${tenant.signIns.length} sign-ins), so concurrent conversations are distinct employees with real evidence; every conversation has its own Teams user id and conversation id, while directory users repeat every ${tenant.users.length} conversations (a 10,000-user file would measure the demo directory's linear scan, not the bot).`,
    );
    const users = tenant.users.map((u): BenchUser => ({ aadObjectId: u.id, name: u.displayName ?? 'Employee' }));
    const userFor = (n: number): BenchUser => users[n % users.length]!;
    const sequence = { next: 1 };
    const connector = new ConnectorStandIn();
    await connector.start();
    cleanup.push(() => connector.stop());
    const senders: Senders = { connector, userFor, sequence };

    // A help desk channel, as in production: every ticket posts its card there (through the stand-in).
    // The per-user limit stays on (its cost is part of every turn) but at its ceiling: each simulated
    // employee sends turns back to back, far faster than a person, and must never be refused.
    const helpdesk = {
      HELPDESK_CHANNEL_ID: '19:bench-helpdesk@thread.tacv2',
      HELPDESK_TEAM_ID: '19:bench-team@thread.tacv2',
      HELPDESK_SERVICE_URL: connector.url,
      USER_RATE_LIMIT_PER_MINUTE: '6000',
      USER_RATE_BURST: '1000',
    };
    const bot = new MeasuredProcess('bot', DIST_MAIN, BOT_FLAGS);
    cleanup.push(() => bot.stop());
    await bot.start({ DATA_DIR: join(scratch, 'load'), DEMO_TENANT_FILE: tenantFile, ...helpdesk }, ROOT);
    const botTarget = new Target('bot', bot.url);
    let botConversations = 0;
    let floorConversations = 0;
    const onBot = async (run: Promise<LoadResult>): Promise<LoadResult> => {
      const r = await run;
      botConversations += r.conversationsStarted;
      return r;
    };
    const onFloor = async (run: Promise<LoadResult>): Promise<LoadResult> => {
      const r = await run;
      floorConversations += r.conversationsStarted;
      return r;
    };

    // The floor answers with the bot's own first-turn cards (the largest turn of a triage).
    connector.expect('a:bench-capture');
    const capture = await new Target('capture', bot.url).post(
      JSON.stringify({
        type: 'message',
        channelId: 'msteams',
        serviceUrl: connector.url,
        id: 'capture-1',
        text: FIRST_MESSAGE,
        conversation: { id: 'a:bench-capture', conversationType: 'personal', tenantId: 'tenant-1' },
        from: { id: '29:bench-capture', name: users[0]!.name, aadObjectId: users[0]!.aadObjectId },
        recipient: { id: '28:bench-bot', name: 'Helpdesk' },
        channelData: { tenant: { id: 'tenant-1' } },
      }),
    );
    botConversations += 1;
    let floorCards = connector
      .take('a:bench-capture')
      .flatMap((a) => (a.attachments as Json[] | undefined) ?? [])
      .map((a) => a.content as Json);
    if (capture !== 200 || floorCards.length !== 2) {
      notes.push(
        `The bot's first turn did not give two cards (status ${capture}, ${floorCards.length} cards): the floor uses the diagnosis and fix-step cards of bench/card-models.ts.`,
      );
      floorCards = CARD_CASES.filter((c) => c.name === 'diagnosis' || c.name === 'fix-step').map((c) => c.render());
    }
    const floorCardsFile = join(scratch, 'floor-cards.json');
    writeFileSync(floorCardsFile, JSON.stringify(floorCards));
    const floor = new MeasuredProcess('floor', join(__dirname, 'load', 'floor-bot.ts'), ['--require', TSX_CJS]);
    cleanup.push(() => floor.stop());
    await floor.start({ FLOOR_CARDS: floorCardsFile }, ROOT);
    const floorTarget = new Target('floor', floor.url);
    const floorIdle = await floor.memory();
    log(
      `\n— Load setup: bot ready in ${fmt(bot.readyMs, 0)} ms with ${tenant.users.length} employees; floor ready in ${fmt(floor.readyMs, 0)} ms; floor cards ${floorCards.map((c) => JSON.stringify(c).length).join(' + ')} bytes`,
    );

    const memory: BenchResults['memory'] = { bot: [], floor: [{ label: 'idle', conversations: 0, figures: floorIdle }] };
    memory.bot.push({ label: 'idle (load bot, tenant file loaded)', conversations: botConversations, figures: await bot.memory() });

    // 5. The first 1,000 conversations (also the warm-up), then memory.
    const runUntil = async (total: number, capS: number): Promise<void> => {
      const started = performance.now();
      while (botConversations < total && performance.now() - started < capS * 1000) {
        const chunk = Math.min(total - botConversations, 500);
        await onBot(runLoad({ target: botTarget, ...senders, concurrency: OPTIONS.memoryConcurrency, script: triageScript, conversations: chunk }));
      }
    };
    const first = Math.min(1000, OPTIONS.conversations);
    log(`\n— ${first} conversations at ${OPTIONS.memoryConcurrency} concurrent (warm-up and memory)`);
    const t1000 = performance.now();
    await runUntil(first, OPTIONS.memoryCapS);
    memory.bot.push({ label: `after ${botConversations} conversations`, conversations: botConversations, figures: await bot.memory() });
    log(
      `  ${botConversations} conversations in ${fmt((performance.now() - t1000) / 1000)} s; RSS ${fmt(memory.bot.at(-1)!.figures.rssMb)} MB, live heap ${fmt(memory.bot.at(-1)!.figures.liveHeapMb ?? 0)} MB`,
    );
    await onFloor(runLoad({ target: floorTarget, ...senders, concurrency: 50, script: floorScript, conversations: 500 }));

    // 6. Concurrency levels, bot and floor slices alternating.
    log('\n— Whole triage turns, bot against the floor (turns/s; p50 / p95 / p99 ms)');
    const levels: LevelResult[] = [];
    for (const concurrency of OPTIONS.levels) {
      // Each slice opens its own connections and conversations, then measures the steady state only
      // after its opening burst was answered and `warm` passed (the burst is reported apart).
      const warm = Math.min(1000, OPTIONS.sliceMs / 2);
      const floorSlices: LoadResult[] = [];
      const botSlices: LoadResult[] = [];
      for (let s = 0; s < Math.max(1, OPTIONS.slices); s++) {
        const slice = { ...senders, concurrency, durationMs: OPTIONS.sliceMs, warmupMs: warm };
        floorSlices.push(await onFloor(runLoad({ target: floorTarget, ...slice, script: floorScript, cpuMs: () => floor.cpuMs() })));
        botSlices.push(await onBot(runLoad({ target: botTarget, ...slice, script: triageScript, cpuMs: () => bot.cpuMs() })));
      }
      const f = mergeSlices(floorSlices);
      const b = mergeSlices(botSlices);
      const ratio = (x: number, y: number): number => (y > 0 ? x / y : 0);
      const level: LevelResult = {
        concurrency,
        floor: f,
        bot: b,
        ratios: {
          throughput: ratio(b.throughput, f.throughput),
          p50: ratio(b.all.p50, f.all.p50),
          p95: ratio(b.all.p95, f.all.p95),
          p99: ratio(b.all.p99, f.all.p99),
          cpuPerTurn: b.cpuMsPerTurn !== undefined && f.cpuMsPerTurn ? b.cpuMsPerTurn / f.cpuMsPerTurn : undefined,
        },
      };
      levels.push(level);
      log(
        `  ${String(concurrency).padStart(3)} concurrent: floor ${fmt(f.throughput, 0)} turns/s (${fmt(f.all.p50)} / ${fmt(f.all.p95)} / ${fmt(f.all.p99)}); ` +
          `bot ${fmt(b.throughput, 0)} turns/s (${fmt(b.all.p50)} / ${fmt(b.all.p95)} / ${fmt(b.all.p99)}); ` +
          `ratio ${fmt(level.ratios.throughput, 2)}× throughput, ${fmt(level.ratios.p99, 1)}× p99` +
          (level.ratios.cpuPerTurn !== undefined
            ? `, CPU per turn ${fmt(b.cpuMsPerTurn ?? 0, 2)} vs ${fmt(f.cpuMsPerTurn ?? 0, 2)} ms (${fmt(level.ratios.cpuPerTurn, 1)}×)`
            : '') +
          (b.errors || b.unexpected ? `; ${b.errors} errors, ${b.unexpected} unexpected replies (${b.firstProblem ?? ''})` : ''),
      );
    }

    // 7. On to 10,000 conversations (capped in time), then memory.
    if (OPTIONS.conversations > botConversations) {
      log(`\n— On to ${OPTIONS.conversations} conversations at ${OPTIONS.memoryConcurrency} concurrent (at most ${OPTIONS.memoryCapS} s)`);
      const t = performance.now();
      await runUntil(OPTIONS.conversations, OPTIONS.memoryCapS);
      const took = (performance.now() - t) / 1000;
      if (botConversations < OPTIONS.conversations) {
        notes.push(
          `The memory run stopped at its time cap (${OPTIONS.memoryCapS} s) after ${botConversations} of ${OPTIONS.conversations} conversations: the last memory figure is for ${botConversations}.`,
        );
      }
      log(`  ${botConversations} conversations in all (${fmt(took)} s for this part)`);
    }
    memory.bot.push({ label: `after ${botConversations} conversations`, conversations: botConversations, figures: await bot.memory() });
    memory.floor.push({ label: 'after its runs', conversations: floorConversations, figures: await floor.memory() });
    log(
      `  bot RSS ${fmt(memory.bot.at(-1)!.figures.rssMb)} MB, heap ${fmt(memory.bot.at(-1)!.figures.heapUsedMb)} MB (live ${fmt(memory.bot.at(-1)!.figures.liveHeapMb ?? 0)} MB); log lines written: ${bot.logLines}`,
    );
    // 7b. Optional: an incident replayed open loop (docs/capacity.md's model, at a reduced scale).
    let replay: ReplaySummary | undefined;
    if (OPTIONS.replayEmployees > 0) {
      const triages = Math.max(1, Math.round(0.05 * OPTIONS.replayEmployees * (OPTIONS.replayMinutes / 10)));
      const spanMs = (OPTIONS.replayMinutes * 60_000) / OPTIONS.replaySpeed;
      const thinkMs = (OPTIONS.replayThinkS * 1000) / OPTIONS.replaySpeed;
      log(
        `\n— Replay: ${OPTIONS.replayEmployees} employees, 5 % within 10 minutes → ${triages} triages over ${OPTIONS.replayMinutes} min, ${OPTIONS.replayThinkS} s between an employee's turns; time compressed ${OPTIONS.replaySpeed}× (${fmt(spanMs / 1000)} s)`,
      );
      const r = await runReplay({ target: botTarget, ...senders, script: triageScript, triages, spanMs, thinkMs, cpuMs: () => bot.cpuMs() });
      botConversations += r.triages;
      const all = summarize([...r.latencies.first, ...r.latencies.answer, ...r.latencies.fix, ...r.latencies.ticket]);
      const cpuPerTurn = levels.find((l) => l.concurrency === 10)?.bot.cpuMsPerTurn ?? levels[0]?.bot.cpuMsPerTurn;
      const turnsPerSecond = (r.turns * 1000) / r.elapsedMs;
      replay = {
        employees: OPTIONS.replayEmployees,
        speed: OPTIONS.replaySpeed,
        triages: r.triages,
        completed: r.completed,
        turns: r.turns,
        turnsPerSecond,
        realTurnsPerSecond: turnsPerSecond / OPTIONS.replaySpeed,
        latency: all,
        maxInFlight: r.maxInFlight,
        cpuBusy: r.cpuMs !== undefined ? r.cpuMs / r.elapsedMs : undefined,
        predictedCpuBusy: cpuPerTurn !== undefined ? (turnsPerSecond * cpuPerTurn) / 1000 : undefined,
        errors: r.errors + r.unexpected,
      };
      log(
        `  ${r.completed}/${r.triages} triages, ${r.turns} turns (${fmt(turnsPerSecond)} turns/s compressed, ${fmt(replay.realTurnsPerSecond, 2)} at real pace); p50 ${fmt(all.p50)} / p95 ${fmt(all.p95)} / p99 ${fmt(all.p99)} ms; at most ${r.maxInFlight} turns in flight; ` +
          `CPU busy ${replay.cpuBusy !== undefined ? `${fmt(replay.cpuBusy * 100, 0)} %` : '–'} (model: ${replay.predictedCpuBusy !== undefined ? `${fmt(replay.predictedCpuBusy * 100, 0)} %` : '–'})` +
          (replay.errors ? `; ${replay.errors} problems (${r.firstProblem ?? ''})` : ''),
      );
    }

    botTarget.close();
    floorTarget.close();
    await bot.stop();
    await floor.stop();

    // 8. Graph round trips per diagnosis.
    let graph: GraphPhaseResult | undefined;
    if (OPTIONS.graph) {
      log(`\n— Graph mode: ${OPTIONS.graphSequential} conversations one at a time, then ${OPTIONS.graphBurst} at once; fake Graph answers after ${OPTIONS.graphLatencyMs} ms`);
      graph = await runGraphPhase({
        distMain: DIST_MAIN,
        nodeArgs: BOT_FLAGS,
        cwd: ROOT,
        dataDir: join(scratch, 'graph'),
        env: helpdesk,
        tenant,
        ...senders,
        latencyMs: OPTIONS.graphLatencyMs,
        sequentialConversations: OPTIONS.graphSequential,
        burstConversations: OPTIONS.graphBurst,
        burstConcurrency: Math.min(OPTIONS.graphBurst, 50),
      });
      if (graph.error) log(`  Graph phase failed: ${graph.error}`);
      for (const [name, t] of [
        ['one at a time', graph.sequential],
        ['burst', graph.burst],
      ] as const) {
        if (!t) continue;
        log(
          `  ${name}: ${t.diagnoses} diagnoses, ${t.httpRequests} Graph HTTP requests (${fmt(t.httpPerDiagnosis, 2)} per diagnosis), ${t.reportsRequests} reports requests (${fmt(t.reportsPerDiagnosis, 2)} per diagnosis); first turn p50 ${fmt(t.firstTurn.p50, 0)} ms, p95 ${fmt(t.firstTurn.p95, 0)} ms` +
            (t.errors || t.unexpected ? `; ${t.errors} errors, ${t.unexpected} unexpected (${t.firstProblem ?? ''})` : ''),
        );
      }
      log(`  token requests ${graph.tokenRequests}; reports requests refused by Graph (429): ${graph.reportsBreaches}; most in any 10 s: ${graph.maxReportsInAnyWindow}`);
    }

    // 9. Azure Storage transactions per turn (Azurite behind a counting proxy).
    let azure: AzurePhaseResult | undefined;
    if (OPTIONS.azure) {
      log(`\n— Azure Storage: the bot with STORAGE_BACKEND=azure against Azurite; idle, then ${OPTIONS.azureConversations} conversations one at a time`);
      azure = await runAzurePhase({
        distMain: DIST_MAIN,
        nodeArgs: BOT_FLAGS,
        cwd: ROOT,
        tenantFile,
        env: helpdesk,
        ...senders,
        conversations: OPTIONS.azureConversations,
        idleMs: quick ? 3000 : 10_000,
      });
      if (azure.error) log(`  Azure phase: ${azure.error}`);
      log(
        `  idle: ${fmt(azure.idlePerSecond, 2)} requests/s (${Object.entries(azure.idleByOperation)
          .map(([op, n]) => `${op} ${n}`)
          .join(', ')})`,
      );
      log(
        `  per turn: ${Object.entries(azure.perTurn)
          .map(([k, v]) => `${k} ${fmt(v.total)} (${fmt(v.blob)} blob + ${fmt(v.table)} table)`)
          .join('; ')}; per triage ${fmt(azure.perConversation)}`,
      );
      if (azure.cpuMsPerTurn !== undefined)
        log(
          `  the bot's CPU per turn with Azure Storage (warm, 10 at a time): ${fmt(azure.cpuMsPerTurn, 2)} ms; ${fmt(azure.turnsPerSecond ?? 0, 0)} turns/s with Azurite on the same machine`,
        );
    }

    // 10. A CPU profile of the bot under load.
    let profile: BenchResults['profile'];
    if (OPTIONS.profile) {
      const dir = join(scratch, 'profile');
      const profiled = new MeasuredProcess('bot (profiled)', DIST_MAIN, [...BOT_FLAGS, '--cpu-prof', `--cpu-prof-dir=${dir}`]);
      await profiled.start({ DATA_DIR: join(scratch, 'profiled'), DEMO_TENANT_FILE: tenantFile, ...helpdesk }, ROOT);
      const target = new Target('bot (profiled)', profiled.url);
      const run = await runLoad({ target, ...senders, concurrency: 50, script: triageScript, durationMs: OPTIONS.profileMs });
      target.close();
      await profiled.stop();
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (file) {
        // Start-up is left out: the profile is of the turns (the start-up's cost is the ready time above).
        profile = { ...summarizeProfile(join(dir, file), profiled.readyMs), concurrency: 50, turns: run.turns, turnsPerSecond: (run.turns * 1000) / run.elapsedMs };
        if (profileOut) copyFileSync(join(dir, file), profileOut);
        log(`\n— CPU profile of the bot at 50 concurrent (${run.turns} turns, ${fmt(profile.turnsPerSecond, 0)} turns/s under the profiler); share of busy time:`);
        log(
          `  by package: ${profile.byPackage
            .slice(0, 10)
            .map((p) => `${p.name} ${fmt(p.percent)} %`)
            .join(', ')}`,
        );
        log(`  inclusive: ${profile.inclusive.map((p) => `${p.name} ${fmt(p.percent)} %`).join(', ')}`);
        log('  top functions (self time):');
        for (const f of profile.topFunctions.slice(0, 15)) log(`    ${fmt(f.percent).padStart(5)} %  ${f.name}`);
      } else notes.push('The profiled bot wrote no .cpuprofile.');
    }

    // 11. Targets and results.
    const at = (c: number): LevelResult | undefined => levels.find((l) => l.concurrency === c);
    const targets: TargetCheck[] = [];
    for (const c of [50, 200]) {
      const l = at(c);
      if (!l) continue;
      targets.push({ name: `throughput at ${c} concurrent, × floor`, value: `${fmt(l.ratios.throughput, 2)}×`, target: '≥ 0.5×', met: l.ratios.throughput >= 0.5 });
      targets.push({ name: `p99 at ${c} concurrent, × floor's p99`, value: `${fmt(l.ratios.p99, 2)}×`, target: '≤ 3×', met: l.ratios.p99 <= 3 });
    }
    for (const c of [50]) {
      const cpu = at(c)?.ratios.cpuPerTurn;
      if (cpu !== undefined) targets.push({ name: `CPU time per turn at ${c} concurrent, × floor's`, value: `${fmt(cpu, 2)}×`, target: '≤ 2× (the issue title)', met: cpu <= 2 });
    }
    const l50 = at(50);
    if (l50) targets.push({ name: 'p99 at 50 concurrent', value: `${fmt(l50.bot.all.p99, 0)} ms`, target: '< 250 ms', met: l50.bot.all.p99 < 250 });
    if (graph && !graph.error) {
      const worst = Math.max(graph.sequential?.httpPerDiagnosis ?? 0, graph.burst?.httpPerDiagnosis ?? 0);
      targets.push({ name: 'Graph round trips per diagnosis (worst of one-at-a-time and burst)', value: fmt(worst, 2), target: '≤ 2', met: worst <= 2 });
    }
    targets.push({ name: 'RSS idle (embedded defaults)', value: `${fmt(idle!.rssMb, 0)} MB`, target: '< 150 MB', met: idle!.rssMb < 150 });
    const last = memory.bot.at(-1)!;
    targets.push({
      name: `RSS after ${last.conversations} conversations`,
      value: `${fmt(last.figures.rssMb, 0)} MB`,
      target: '< 250 MB',
      met: last.figures.rssMb < 250 && last.conversations >= OPTIONS.conversations,
    });
    targets.push({ name: 'start to ready (median)', value: `${fmt(median(readyMs), 0)} ms`, target: '< 1000 ms', met: median(readyMs) < 1000 });
    for (const d of domain) targets.push({ name: d.name, value: `${d.perOpMs.toFixed(3)} ms`, target: `≤ ${d.targetMs} ms`, met: d.perOpMs <= d.targetMs });
    for (const l of levels) {
      if (l.bot.errors || l.bot.unexpected)
        notes.push(
          `At ${l.concurrency} concurrent the bot had ${l.bot.errors} failed turns and ${l.bot.unexpected} conversations it could not follow: ${l.bot.firstProblem ?? ''}`,
        );
      if (l.bot.typingPerTurn > 0) notes.push(`At ${l.concurrency} concurrent the bot sent ${fmt(l.bot.typingPerTurn, 2)} typing indicators per turn.`);
    }
    notes.push(
      `Scale: each concurrency level runs ${OPTIONS.slices} slice(s) of ${OPTIONS.sliceMs / 1000} s per side, each measured after its opening burst was answered and a warm-up of up to 1 s passed (the burst is the cold start); the memory runs cap at ${OPTIONS.memoryCapS} s each, so the whole benchmark stays within a few minutes on 2 cores. The load generator and the connector stand-in share the machine with the server under test.`,
    );

    machine.loadAverageAtEnd = loadavg();
    const results: BenchResults = {
      generatedAt: new Date().toISOString(),
      machine,
      options: OPTIONS,
      notes,
      durationS: (performance.now() - began) / 1000,
      buildMs,
      domain,
      cardRender,
      startup: { readyMs, medianReadyMs: median(readyMs), idle: idle!, loadBotReadyMs: bot.readyMs, floorReadyMs: floor.readyMs },
      floorCards: { bytes: floorCards.map((c) => JSON.stringify(c).length) },
      levels,
      memory,
      graph,
      azure,
      replay,
      profile,
      targets,
    };
    // Written as Prettier would, so `npm run lint` stays clean after a run.
    const resultsFile = join(__dirname, 'results.json');
    writeFileSync(resultsFile, await format(JSON.stringify(results), { ...(await resolveConfig(resultsFile)), parser: 'json' }));
    const markdown = writeResultsMarkdown(results);
    writeFileSync(join(__dirname, 'results.md'), markdown);
    log('\n— Targets');
    for (const t of targets) log(`${t.met ? 'PASS' : 'MISS'}  ${t.name}: ${t.value} (target ${t.target})`);
    for (const n of notes) log(`note: ${n}`);
    log(`\nWrote bench/results.json and bench/results.md in ${fmt(results.durationS, 0)} s.`);
    process.exitCode = targets.every((t) => t.met) ? 0 : 1;
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
