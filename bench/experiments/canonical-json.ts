/**
 * What the hash chain's cost is made of, and what a faster RFC 8785 serialiser would save: on the
 * events of a kept bench ledger, `canonicalize` 4.x against a compact serialiser for JSON data
 * (sorted keys, JSON.stringify for the primitives, String#isWellFormed for lone surrogates),
 * checking both give the same bytes for every event, then the hash itself two ways.
 *
 *   npx tsx bench/experiments/canonical-json.ts DIR/ledger.db
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { openSqliteReadOnly } from '../../src/store/sqlite/index.js';

/** String#isWellFormed (Node 20), which this project's TypeScript lib (ES2022) does not declare. */
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * RFC 8785 for values that came out of JSON.parse (plain objects, arrays, strings, finite
 * numbers, booleans, null): keys sorted by UTF-16 code units, which is what Array#sort does with
 * strings; numbers and strings serialised by JSON.stringify, as RFC 8785 prescribes.
 */
export function canonicalJsonFast(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw new Error('Lone surrogate is not allowed');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error('non-finite numbers are not allowed');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          out += (i === 0 ? '' : ',') + (item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : canonicalJsonFast(item));
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJsonFast(item)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new Error(`${typeof value} has no JSON form`);
  }
}

const INDEX_LIKE = /^(0|[1-9]\d*)$/;

/**
 * The same bytes by another road: copy the value with every object's keys inserted in sorted
 * order and let JSON.stringify (native) write it. Valid because JSON.stringify emits keys in
 * insertion order, except integer-like keys, which JavaScript always orders numerically: those
 * (never present in ledger events) take the explicit serialiser.
 */
export function canonicalJsonSorted(value: unknown): string {
  let indexLike = false;
  const sorted = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (!isWellFormed(v)) throw new Error('Lone surrogate is not allowed');
      return v;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error('non-finite numbers are not allowed');
      return v;
    }
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(sorted);
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      if (INDEX_LIKE.test(key)) indexLike = true;
      out[key] = sorted(record[key]);
    }
    return out;
  };
  const copy = sorted(value);
  return indexLike ? canonicalJsonFast(value) : JSON.stringify(copy);
}

const [ledger] = process.argv.slice(2);
if (ledger) {
  const db = openSqliteReadOnly(ledger);
  const rows = db
    .prepare<[], { stream: string; revision: number; type: string; data: string; metadata: string }>('SELECT stream, revision, type, data, metadata FROM events ORDER BY position')
    .all();
  db.close();
  const inputs = rows.map((r) => {
    const { hash: _hash, ...metadata } = JSON.parse(r.metadata) as Record<string, unknown>;
    return { stream: r.stream, revision: r.revision, type: r.type, data: JSON.parse(r.data) as unknown, metadata };
  });
  const time = (name: string, fn: () => void): number => {
    fn(); // warm-up
    const start = performance.now();
    fn();
    const ms = performance.now() - start;
    console.log(`${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${((ms * 1000) / inputs.length).toFixed(2)} µs/event`);
    return ms;
  };
  let mismatches = 0;
  for (const input of inputs) {
    const reference = canonicalize(input);
    if (reference !== canonicalJsonFast(input) || reference !== canonicalJsonSorted(input)) mismatches++;
  }
  console.log(`${inputs.length} events, ${mismatches} serialised differently`);
  const bodies: string[] = [];
  time('canonicalize 4.x', () => void inputs.forEach((input, i) => void (bodies[i] = canonicalize(input) ?? '')));
  time('compact RFC 8785 serialiser', () => void inputs.forEach((input, i) => void (bodies[i] = canonicalJsonFast(input))));
  time('sorted copy + JSON.stringify', () => void inputs.forEach((input, i) => void (bodies[i] = canonicalJsonSorted(input))));
  time('JSON.stringify (not canonical; floor)', () => void inputs.forEach((input) => JSON.stringify(input)));
  const prev = Buffer.alloc(32, 7);
  // Verify as it could be if the data column held canonical JSON (compose the body, hash it, no JSON.parse of data):
  const raw = time('raw decode: JSON.parse data + metadata', () => void rows.forEach((r) => (JSON.parse(r.data), JSON.parse(r.metadata))));
  const composed = time('verify from stored text (estimate)', () => {
    for (const r of rows) {
      const { hash: _h, ...metadata } = JSON.parse(r.metadata) as Record<string, unknown>;
      const body = `{"data":${r.data},"metadata":${canonicalJsonSorted(metadata)},"revision":${r.revision},"stream":${JSON.stringify(r.stream)},"type":${JSON.stringify(r.type)}}`;
      const chain = oneShotHash('sha256', Buffer.concat([prev, Buffer.from(body, 'utf8')]), 'buffer');
      oneShotHash('sha256', Buffer.concat([Buffer.of(0), chain]), 'buffer');
    }
  });
  // …and if the metadata column held canonical JSON too ("hash" sits between "eventId" and "prevHash", so dropping it is one splice):
  const stored = rows.map((r) => {
    const metadata = JSON.parse(r.metadata) as Record<string, unknown>;
    return { ...r, metadata: canonicalJsonSorted(metadata) };
  });
  const spliced = time('verify from canonical data + metadata text', () => {
    for (const r of stored) {
      const metadata = r.metadata.replace(/,"hash":"[0-9a-f]{64}"/, '');
      const body = `{"data":${r.data},"metadata":${metadata},"revision":${r.revision},"stream":${JSON.stringify(r.stream)},"type":${JSON.stringify(r.type)}}`;
      const chain = oneShotHash('sha256', Buffer.concat([prev, Buffer.from(body, 'utf8')]), 'buffer');
      oneShotHash('sha256', Buffer.concat([Buffer.of(0), chain]), 'buffer');
    }
  });
  const today = time('verify today: parse, canonicalize, 2 hashes', () => {
    for (const r of rows) {
      const { hash: _h, ...metadata } = JSON.parse(r.metadata) as Record<string, unknown>;
      const body = canonicalize({ stream: r.stream, revision: r.revision, type: r.type, data: JSON.parse(r.data) as unknown, metadata }) ?? '';
      const chain = createHash('sha256').update(prev).update(body, 'utf8').digest();
      createHash('sha256').update(Buffer.of(0)).update(chain).digest();
    }
  });
  console.log(`verify ÷ raw decode: today ${(raw / today).toFixed(2)}, from canonical data text ${(raw / composed).toFixed(2)}, from canonical data + metadata text ${(raw / spliced).toFixed(2)} (CPU only; the SELECT is common to all)`);
  time('createHash().update(prev).update(body)', () => void bodies.forEach((b) => createHash('sha256').update(prev).update(b, 'utf8').digest('hex')));
  time('crypto.hash(concat(prev, body))', () => void bodies.forEach((b) => oneShotHash('sha256', Buffer.concat([prev, Buffer.from(b, 'utf8')]), 'hex')));
}
