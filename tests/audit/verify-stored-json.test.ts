import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import canonicalize from 'canonicalize';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerEvents, verifyLedger, type VerifyReport } from '../../src/audit/verify-ledger.js';
import { isCanonicalText } from '../../src/store/canonical-text.js';
import { chainBody, hashChainBody } from '../../src/store/chain-hash.js';
import { verifyStreamChain } from '../../src/store/hash-chain.js';
import type { StoredEventJson } from '../../src/store/port.js';
import { SqliteEventStore, type EventRow } from '../../src/store/sqlite/index.js';
import { newEvent, newStream } from '../store/fixtures.js';
import { writeLoosely } from '../store/json-arbitraries.js';

/** Data as assertions carry it: nesting, unicode that JSON writes raw, round numbers. */
const assertion = (i: number) => ({
  value: { type: 'quantity', value: 170_000 * (i + 1), unit: 'users', approximate: i % 2 === 0 },
  quote: `Seit Mitte Februar wurden rund 70.000 Nutzer überwacht — ${i} 🔐`,
  citation: { url: `https://news.example.org/${i}`, publishedAt: '2021-03-10', language: 'de' },
  tags: ['sky-ecc', i, null, -0],
  assertionId: `a${i}`,
});

/**
 * Numbers in every form JavaScript writes, and a name written with an escape, which the scan does
 * not order: these events are hashed from their values.
 */
const correction = (i: number) => ({ assertionId: `a${i}`, value: { type: 'quantity', value: 1.5 * i, max: 1e21 }, 'say "when"': `${i}` });

describe('verifying a SQLite ledger from its stored JSON text', () => {
  let dir: string;
  let path: string;
  let store: SqliteEventStore;
  let streams: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-verify-json-'));
    path = join(dir, 'ledger.db');
    store = new SqliteEventStore(path);
    streams = [newStream(), newStream()];
    for (let i = 0; i < 6; i++) {
      await store.append(streams[i % 2]!, [newEvent('AssertionRecorded', assertion(i)), newEvent('AssertionCorrected', correction(i)), newEvent('FactAssessed', { fact: `f${i}`, preferred: [] })]);
    }
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The raw table, for what an attacker (or an older build) could have written. */
  const withRows = <T>(work: (db: Database.Database, rows: EventRow[]) => T): T => {
    const db = new Database(path);
    try {
      return work(db, db.prepare<[], EventRow>('SELECT position, stream, revision, type, data, metadata FROM events ORDER BY position').all());
    } finally {
      db.close();
    }
  };
  const rewrite = (db: Database.Database, position: number, data: string, metadata?: string): void => {
    if (metadata === undefined) db.prepare('UPDATE events SET data = ? WHERE position = ?').run(data, position);
    else db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(data, metadata, position);
  };

  /** Verification from the text, and the same from the values: the reports must not differ. */
  async function bothWays(): Promise<VerifyReport> {
    const fromText = await verifyLedger(ledgerEvents(store));
    const fromValues = await verifyLedger(store.readAll());
    expect(fromText).toEqual(fromValues);
    return fromText;
  }

  async function jsonEvents(): Promise<StoredEventJson[]> {
    const events: StoredEventJson[] = [];
    for await (const e of store.readAllJson()) events.push(e);
    return events;
  }

  it('stores data and metadata as their RFC 8785 text, which the check vouches for', () => {
    withRows((_, rows) => {
      expect(rows).toHaveLength(18);
      for (const row of rows) {
        expect(row.data).toBe(canonicalize(JSON.parse(row.data)));
        expect(row.metadata).toBe(canonicalize(JSON.parse(row.metadata)));
        expect(isCanonicalText(row.metadata)).toBe(true);
      }
      const vouched = (type: string) => rows.filter((r) => r.type === type).map((r) => isCanonicalText(r.data));
      expect([...vouched('AssertionRecorded'), ...vouched('FactAssessed')]).not.toContain(false);
      expect(vouched('AssertionCorrected')).not.toContain(true);
    });
  });

  it('finds an untouched ledger intact, with the report its values give', async () => {
    const report = await bothWays();
    expect(report).toMatchObject({ ok: true, checked: 18, failures: [] });
  });

  it('still verifies rows an older build wrote with JSON.stringify, keys in the order they were made', async () => {
    withRows((db, rows) => {
      for (const row of rows) {
        const reversed = (text: string) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(text) as object).reverse()));
        rewrite(db, row.position, reversed(row.data), reversed(row.metadata));
      }
    });
    withRows((_, rows) => expect(rows.some((r) => isCanonicalText(r.metadata))).toBe(false));
    expect(await bothWays()).toMatchObject({ ok: true, checked: 18 });
  });

  it('verifies text that is valid JSON but not canonical, when it says what was sealed', async () => {
    withRows((db, rows) => {
      for (const row of rows) rewrite(db, row.position, writeLoosely(JSON.parse(row.data), row.position, 0.3), writeLoosely(JSON.parse(row.metadata), row.position + 100, 0.3));
    });
    withRows((_, rows) => expect(rows.filter((r) => r.data !== canonicalize(JSON.parse(r.data))).length).toBeGreaterThan(9));
    expect(await bothWays()).toMatchObject({ ok: true, checked: 18 });
  });

  it('names an event whose data or metadata text was edited', async () => {
    const [dataEdited, metadataEdited] = withRows((db, rows) => {
      const [a, b] = [rows.find((r) => r.type === 'AssertionRecorded' && r.position > 2)!, rows[10]!];
      rewrite(db, a.position, a.data.replace('überwacht', 'uberwacht'));
      rewrite(db, b.position, b.data, b.metadata.replace(/"actor":"[^"]*"/, '"actor":"someone-else"'));
      return [a, b];
    });
    const report = await bothWays();
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([
      expect.objectContaining({ stream: dataEdited.stream, revision: dataEdited.revision, reason: 'hash-mismatch' }),
      expect.objectContaining({ stream: metadataEdited.stream, revision: metadataEdited.revision, reason: 'hash-mismatch' }),
    ]);
  });

  it.each([
    ['keys out of order', (data: string) => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(data) as object).reverse()))],
    ['a round number in exponent form, as long as the canonical one', (data: string) => data.replace('"value":510000', '"value":51E+04')],
    ['a member given twice', (data: string) => data.replace('{', '{"assertionId":"forged",')],
  ])('is not fooled by %s under a hash computed over the text itself', async (_, forge) => {
    const target = withRows((db, rows) => {
      const row = rows.find((r) => r.data.includes('"value":510000'))!;
      const data = forge(row.data);
      expect(data).not.toBe(row.data);
      const metadata = JSON.parse(row.metadata) as Record<string, unknown>;
      // The hash a naive verifier would accept: over the stored bytes, not over the canonical form.
      const { hash: _stored, ...unsealed } = metadata;
      const bytesHash = hashChainBody(metadata['prevHash'] as string, chainBody(data, canonicalize(unsealed)!, String(row.revision), JSON.stringify(row.stream), JSON.stringify(row.type)));
      rewrite(db, row.position, data, JSON.stringify({ ...metadata, hash: bytesHash }));
      db.prepare('UPDATE events SET hash = ? WHERE position = ?').run(bytesHash, row.position);
      return row;
    });
    const report = await bothWays();
    expect(report.failures).toContainEqual(expect.objectContaining({ stream: target.stream, revision: target.revision, reason: 'hash-mismatch' }));
  });

  it('checks each stream from text as verifyStreamChain does from values', async () => {
    withRows((db, rows) => {
      const row = rows.find((r) => r.stream === streams[1] && r.type === 'AssertionRecorded')!;
      rewrite(db, row.position, row.data.replace('Nutzer', 'Nützer'));
    });
    const texts = await jsonEvents();
    for (const stream of streams) {
      const stored = await store.readStreamJson(stream);
      // One stream's texts read on their own are the rows $all gives for it, in revision order.
      expect(stored).toEqual(texts.filter((e) => e.stream === stream));
      expect(verifyStreamChain(stored)).toEqual(verifyStreamChain(await store.readStream(stream)));
    }
    expect(verifyStreamChain(await store.readStreamJson(streams[1]!))).toEqual([expect.objectContaining({ reason: 'hash-mismatch' })]);
    expect(await store.readStreamJson('incident-none')).toEqual([]);
  });

  it('throws on a row whose text is not JSON, as reading the store does', async () => {
    withRows((db, rows) => rewrite(db, rows[2]!.position, rows[2]!.data.slice(1)));
    await expect(verifyLedger(ledgerEvents(store))).rejects.toThrow(SyntaxError);
    await expect(verifyLedger(store.readAll())).rejects.toThrow(SyntaxError);
  });

  it('imports events read from an older ledger as canonical text', async () => {
    withRows((db, rows) => {
      for (const row of rows) rewrite(db, row.position, writeLoosely(JSON.parse(row.data), row.position, 0.5));
    });
    const target = new SqliteEventStore(join(dir, 'imported.db'));
    try {
      const events = [];
      for await (const e of store.readAll()) events.push(e);
      expect(target.importEvents(events).imported).toBe(18);
      for await (const e of target.readAllJson()) expect(e.dataJson).toBe(canonicalize(JSON.parse(e.dataJson)));
      expect(await verifyLedger(ledgerEvents(target))).toMatchObject({ ok: true, checked: 18 });
    } finally {
      await target.close();
    }
  });
});
