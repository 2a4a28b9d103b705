/**
 * Starts a throw-away Azurite (the Azure Storage emulator from node_modules, no Docker) on
 * 127.0.0.1 with in-memory persistence, on free ports, and hands back a connection string for
 * the well-known `devstoreaccount1` account. Telemetry is off: nothing leaves the loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './ports';

/** The emulator's published development account (documented by Microsoft; not a secret). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteHandle {
  connectionString: string;
  blobEndpoint: string;
  tableEndpoint: string;
  stop(): Promise<void>;
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** True once anything answers HTTP on the port (Azurite answers `/` with an error document). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function azuriteScript(): string {
  const pkgPath = require.resolve('azurite/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(pkgPath), pkg.bin.azurite);
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startOnce(timeoutMs: number): Promise<AzuriteHandle> {
  const [blobPort, queuePort, tablePort] = await distinctFreePorts(3);
  // In-memory mode refuses --location; the working directory catches anything it still writes.
  const workspace = mkdtempSync(join(tmpdir(), 'azurite-'));
  const args = [
    azuriteScript(),
    '--inMemoryPersistence',
    '--silent',
    '--skipApiVersionCheck',
    '--loose',
    '--disableTelemetry',
    '--blobHost',
    '127.0.0.1',
    '--blobPort',
    String(blobPort),
    '--queueHost',
    '127.0.0.1',
    '--queuePort',
    String(queuePort),
    '--tableHost',
    '127.0.0.1',
    '--tablePort',
    String(tablePort),
  ];
  const child = spawn(process.execPath, args, { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  // If the test process dies without calling stop(), do not leave the emulator behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5000);
      }
    }
    rmSync(workspace, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Azurite exited early (${child.exitCode ?? child.signalCode}): ${output}`);
      if ((await answers(blobPort)) && (await answers(tablePort))) break;
      if (Date.now() > deadline) throw new Error(`Azurite did not answer within ${timeoutMs} ms: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }

  const blobEndpoint = `http://127.0.0.1:${blobPort}/${ACCOUNT}`;
  const tableEndpoint = `http://127.0.0.1:${tablePort}/${ACCOUNT}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};TableEndpoint=${tableEndpoint};`;
  return { connectionString, blobEndpoint, tableEndpoint, stop };
}

/**
 * Spawns Azurite (blob + table; queue too, on its own free port) and waits until both the blob
 * and the table endpoints answer. Retries a couple of times in case a picked port was taken
 * between probing and binding.
 */
export async function startAzurite(timeoutMs = 45_000): Promise<AzuriteHandle> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(timeoutMs);
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

/**
 * One Azurite for the enclosing mocha suite: started before its tests, stopped after them. Call it
 * inside a `describe`; read `connectionString` only in that suite's tests and hooks, once it runs.
 */
export function useAzurite(): { readonly connectionString: string } {
  let handle: AzuriteHandle | undefined;
  before(async function () {
    this.timeout(60_000);
    handle = await startAzurite();
  });
  after(async function () {
    this.timeout(20_000);
    await handle?.stop();
  });
  return {
    get connectionString(): string {
      if (!handle) throw new Error('Azurite is not running: read the connection string in a test or hook of the suite that called useAzurite()');
      return handle.connectionString;
    },
  };
}
