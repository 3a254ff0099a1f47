import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

/** A page rehashed on the worker gives, event by event, the hash rehashing it here gives. */
async function rehashesAsHere(worker: RehashWorker): Promise<void> {
  const store = new SqliteEventStore(':memory:');
  try {
    await store.append(newStream(), [newEvent('AssertionRecorded', { quote: 'rund 170.000 Nutzer — 🔐' }), newEvent('AssertionRecorded', { n: 1.5 })]);
    const events: StoredEventJson[] = [];
    for await (const e of store.readAllJson()) events.push(e);
    while (!worker.ready) {
      if (worker.failed) throw new Error('the worker failed to start');
      await sleep(5);
    }
    const answer = await answered(worker, worker.post(events));
    expect(answer.actuals).toBe(events.map((e) => rehash(e).actual).join(''));
  } finally {
    await store.close();
  }
}

describe('starting the rehash worker', () => {
  afterEach(() => vi.mocked(rehashWorkerScript).mockReset());

  it('runs from one plain script bundled from the TypeScript, with nothing from npm in it', () => {
    const script = rehashWorkerScript();
    expect(script).toContain('serveRehashPages');
    expect(script).not.toMatch(/require\("(?!node:)/);
    expect(rehashWorkerScript()).toBe(script);
  });

  it('rehashes from the bundled script', async () => {
    const worker = RehashWorker.start()!;
    try {
      await rehashesAsHere(worker);
    } finally {
      await worker.close();
    }
    expect(worker.running).toBe(false);
  });

  it('starts through tsx when the script cannot be bundled', async () => {
    vi.mocked(rehashWorkerScript).mockReturnValue(undefined);
    const worker = RehashWorker.start()!;
    try {
      await rehashesAsHere(worker);
    } finally {
      await worker.close();
    }
    expect(rehashWorkerScript).toHaveBeenCalled();
    expect(worker.running).toBe(false);
  });
});
