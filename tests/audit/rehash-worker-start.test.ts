import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RehashedRange } from '../../src/audit/rehash-page.js';
import { RehashWorker } from '../../src/audit/rehash-worker.js';
import { rehashWorkerScript } from '../../src/audit/rehash-worker-script.js';
import { rehash } from '../../src/store/rehash-stored-json.js';
import type { StoredEventJson } from '../../src/store/port.js';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import { newEvent, newStream } from '../store/fixtures.js';

vi.mock('../../src/audit/rehash-worker-script.js', async (original) => {
  const real = await original<typeof import('../../src/audit/rehash-worker-script.js')>();
  return { rehashWorkerScript: vi.fn(real.rehashWorkerScript) };
});

async function answered(worker: RehashWorker, id: number) {
  for (let waited = 0; waited < 20_000; waited += 5) {
    const answer = worker.take(id);
    if (answer) return answer;
    if (worker.failed) throw new Error('the worker failed');
    await sleep(5);
  }
  throw new Error('timed out waiting on the rehash worker');
}

let dir: string;
let file: string;
let events: StoredEventJson[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-worker-start-'));
  file = join(dir, 'ledger.db');
  const store = new SqliteEventStore(file);
  try {
    await store.append(newStream(), [newEvent('AssertionRecorded', { quote: 'rund 170.000 Nutzer — 🔐' }), newEvent('AssertionRecorded', { n: 1.5 })]);
    events = [];
    for await (const e of store.readAllJson()) events.push(e);
  } finally {
    await store.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A page rehashed on the worker, and the same events read there by range from the ledger file,
 * give event by event the hashes rehashing them here gives.
 */
async function rehashesAsHere(worker: RehashWorker): Promise<void> {
  while (!worker.ready) {
    if (worker.failed) throw new Error('the worker failed to start');
    await sleep(5);
  }
  const page = await answered(worker, worker.post(events));
  expect(page.actuals).toBe(events.map((e) => rehash(e).actual).join(''));
  const range = await answered(worker, worker.postRange(events[0]!.position, events[events.length - 1]!.position));
  expect(range).toMatchObject({
    kind: 'range',
    streams: events.map((e) => e.stream),
    hashes: events.map((e) => rehash(e).hash),
    prevHashes: events.map((e) => rehash(e).prevHash),
    // '' where the recomputed hash is the claimed one.
    actuals: events.map(() => ''),
  });
  expect([...(range as RehashedRange).positions]).toEqual(events.map((e) => e.position));
}

describe('starting the rehash worker', () => {
  afterEach(() => vi.mocked(rehashWorkerScript).mockReset());

  it('runs from one plain script bundled from the TypeScript, with nothing from npm in it', () => {
    const script = rehashWorkerScript();
    expect(script).toContain('serveRehashPages');
    // better-sqlite3 is required from the path the main thread names, not bundled.
    expect(script).not.toMatch(/require\("(?!node:)/);
    expect(rehashWorkerScript()).toBe(script);
  });

  it('rehashes from the bundled script', async () => {
    const worker = RehashWorker.start(file)!;
    try {
      await rehashesAsHere(worker);
    } finally {
      await worker.close();
    }
    expect(worker.running).toBe(false);
  });

  it('starts through tsx when the script cannot be bundled', async () => {
    vi.mocked(rehashWorkerScript).mockReturnValue(undefined);
    const worker = RehashWorker.start(file)!;
    try {
      await rehashesAsHere(worker);
    } finally {
      await worker.close();
    }
    expect(rehashWorkerScript).toHaveBeenCalled();
    expect(worker.running).toBe(false);
  });
});
