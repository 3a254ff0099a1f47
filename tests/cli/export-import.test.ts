import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, copyLedger, json, openRaw, seededWorkspace, signingKeys } from './helpers.js';

interface Exported {
  checkpoint: { size: number; root: string; at: string; signature?: string };
}

describe('incident-ledger export and import', () => {
  const ws = seededWorkspace({ ledger: 'source.db', signed: true });
  let n = 0;
  const fresh = (): string => ws.path(`target-${++n}.db`);

  const eventCount = (db: string): number => {
    const raw = openRaw(db);
    try {
      return raw.prepare<[], number>('SELECT count(*) FROM events').pluck().get()!;
    } finally {
      raw.close();
    }
  };

  for (const format of ['jsonl', 'cloudevents'] as const) {
    it(`${format}: export → import into an empty store → export gives a byte-identical file and the same root`, async () => {
      const first = ws.path(`first.${format}`);
      const exported = await cli(['export', '--db', ws.ledger, '--format', format, '--out', first, '--json'], ws.env);
      expect(exported.code, exported.stderr).toBe(0);
      const { checkpoint } = json<Exported>(exported);
      expect(checkpoint.signature).toBeDefined();

      const target = fresh();
      const imported = await cli(['import', first, '--db', target, '--public-key', ws.keys.publicKey, '--json'], ws.env);
      expect(imported.code, imported.stdout + imported.stderr).toBe(0);
      expect(json(imported)).toMatchObject({ ok: true, events: checkpoint.size, root: checkpoint.root });

      const second = ws.path(`second.${format}`);
      const again = await cli(['export', '--db', target, '--format', format, '--out', second, '--json'], ws.env);
      expect(again.code).toBe(0);
      expect(readFileSync(second).equals(readFileSync(first))).toBe(true);
      expect(json<Exported>(again).checkpoint.root).toBe(checkpoint.root);

      const verified = await cli(['verify', '--db', target, '--json'], ws.env);
      expect(json(verified)).toMatchObject({ ok: true, root: checkpoint.root });

      const lines = readFileSync(first, 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(checkpoint.size + 1);
      if (format === 'jsonl') {
        expect(JSON.parse(lines.at(-1)!)).toEqual({ checkpoint });
        expect(Object.keys(JSON.parse(lines[0]!) as object)).toEqual(['stream', 'revision', 'position', 'type', 'data', 'metadata']);
      } else {
        expect(JSON.parse(lines[0]!)).toMatchObject({ specversion: '1.0', source: '/incident-ledger', datacontenttype: 'application/json' });
        expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'org.incident-ledger.checkpoint', data: checkpoint });
      }
    });
  }

  it('writes to stdout without --out, the same bytes as the file', async () => {
    const file = ws.path('to-file.jsonl');
    await cli(['export', '--db', ws.ledger, '--out', file], ws.env);
    const piped = await cli(['export', '--db', ws.ledger], ws.env);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(readFileSync(file, 'utf8'));
    expect(piped.stderr).toContain('export:');
  });

  describe('refuses a file that does not verify, naming the first bad line, and writes nothing', () => {
    let good: string[];
    beforeAll(async () => {
      const file = ws.path('good.jsonl');
      await cli(['export', '--db', ws.ledger, '--out', file], ws.env);
      good = readFileSync(file, 'utf8').trimEnd().split('\n');
    });

    const attempt = async (name: string, lines: string[], ...extra: string[]) => {
      const file = ws.path(name);
      writeFileSync(file, `${lines.join('\n')}\n`);
      const target = fresh();
      const run = await cli(['import', file, '--db', target, '--json', ...extra], ws.env);
      // Verification comes first: a refused file does not even create the target.
      expect(existsSync(target)).toBe(false);
      return { run, answer: run.stdout ? json<{ ok: boolean; line: number; reason: string }>(run) : undefined };
    };

    it('a changed value inside one event', async () => {
      const at = good.findIndex((l) => l.includes('"value":300000'));
      expect(at).toBeGreaterThan(0);
      const lines = good.map((l, i) => (i === at ? l.replace('"value":300000', '"value":300001') : l));
      const { run, answer } = await attempt('changed.jsonl', lines);
      expect(run.code).toBe(1);
      expect(answer).toMatchObject({ ok: false, line: at + 1 });
      expect(answer!.reason).toContain('hash-mismatch');
      const human = await cli(['import', ws.path('changed.jsonl'), '--db', fresh()], ws.env);
      expect(human.stdout).toContain(`line ${at + 1}:`);
    });

    it('a removed event, a reordered pair, a missing or altered checkpoint, trailing garbage', async () => {
      const incidentLines = good.map((l, i) => [l, i] as const).filter(([l]) => l.includes('"stream":"incident-'));
      const [, second] = incidentLines[1]!;
      const [, third] = incidentLines[2]!;
      const removed = await attempt('removed.jsonl', good.filter((_, i) => i !== second));
      expect(removed.answer).toMatchObject({ line: second + 1 });
      expect(removed.answer!.reason).toMatch(/gap|out-of-order/);

      const swapped = good.map((l, i) => (i === second ? good[third]! : i === third ? good[second]! : l));
      expect((await attempt('swapped.jsonl', swapped)).answer).toMatchObject({ line: second + 1 });

      const noCheckpoint = await attempt('no-checkpoint.jsonl', good.slice(0, -1));
      expect(noCheckpoint.answer).toMatchObject({ line: good.length, reason: expect.stringContaining('without its checkpoint') });

      const checkpoint = JSON.parse(good.at(-1)!) as Exported;
      const root = checkpoint.checkpoint.root;
      const otherRoot = (root[0] === 'a' ? 'b' : 'a') + root.slice(1);
      const badRoot = await attempt('bad-root.jsonl', [...good.slice(0, -1), JSON.stringify({ checkpoint: { ...checkpoint.checkpoint, root: otherRoot } })]);
      expect(badRoot.answer).toMatchObject({ line: good.length });

      const garbage = await attempt('garbage.jsonl', [...good, '{"stream":"x"}']);
      expect(garbage.answer).toMatchObject({ line: good.length + 1 });
      const notJson = await attempt('not-json.jsonl', [good[0]!, '{oops', ...good.slice(1)]);
      expect(notJson.answer).toMatchObject({ line: 2 });

      // Signed by another key than the one pinned: refused at the checkpoint line.
      const strangers = signingKeys({ path: (name) => ws.path(`stranger-${name}`) });
      const pinned = await attempt('good-copy.jsonl', good, '--public-key', strangers.publicKey);
      expect(pinned.run.code).toBe(1);
      expect(pinned.answer).toMatchObject({ line: good.length, reason: expect.stringContaining('signature') });
    });
  });

  it('refuses to export an altered event, which import would refuse, naming it and writing no file', async () => {
    const altered = copyLedger(ws.ledger, ws.path('altered.db'));
    const raw = openRaw(altered);
    raw.prepare(`UPDATE events SET data = json_set(data, '$.name', 'Evil') WHERE position = 0`).run();
    raw.close();
    const out = ws.path('altered.jsonl');
    const run = await cli(['export', '--db', altered, '--out', out], ws.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/refused: the event at position 0 \(source-\S+ revision 0\) does not match its hash: the ledger was altered, run verify/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses to import into a store that already holds events, writing nothing', async () => {
    const file = ws.path('again.jsonl');
    await cli(['export', '--db', ws.ledger, '--out', file], ws.env);
    const before = eventCount(ws.ledger);
    const run = await cli(['import', file, '--db', ws.ledger], ws.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('already holds events');
    expect(eventCount(ws.ledger)).toBe(before);
  });
});
