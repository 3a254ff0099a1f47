import Database from 'better-sqlite3';
import { decodeTime, ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { Ulid } from '../../events/index.js';
import { idSequence } from '../../src/app/retry-safety.js';
import { SqliteIdempotencyStore } from '../../src/store/idempotency-sqlite.js';

describe('idSequence', () => {
  it('draws the same ULIDs again from the same seed, at the seed’s instant, and others from another seed', () => {
    const seed = ulid();
    const draw = (s: string) => {
      const next = idSequence(s);
      return Array.from({ length: 50 }, () => next());
    };
    const ids = draw(seed);
    expect(draw(seed)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(Ulid.safeParse(id).success, id).toBe(true);
      expect(decodeTime(id)).toBe(decodeTime(seed));
    }
    const other = draw(ulid());
    expect(other.filter((id) => ids.includes(id))).toEqual([]);
  });
});

describe('the idempotency store', () => {
  const prepared = { stream: 'incident-x', firstRevision: 3, firstEventId: ulid(), count: 1 };

  it('keeps a noted append until the answer replaces it, and never a second answer', () => {
    const store = new SqliteIdempotencyStore(new Database(':memory:'));
    const seed = ulid();
    store.prepare('reporter', 'k', 'fp', seed, prepared);
    expect(store.get('reporter', 'k')).toEqual({ state: 'prepared', fingerprint: 'fp', seed, prepared });
    store.prepare('reporter', 'k', 'fp', ulid(), { ...prepared, firstRevision: 4 });
    expect(store.get('reporter', 'k')).toEqual({ state: 'prepared', fingerprint: 'fp', seed, prepared: { ...prepared, firstRevision: 4 } });
    const answer = { fingerprint: 'fp', status: 201, headers: { etag: '"4"' }, body: '{"revision":4}' };
    store.put('reporter', 'k', answer);
    store.put('reporter', 'k', { ...answer, body: '{"revision":9}' });
    store.prepare('reporter', 'k', 'fp', seed, prepared);
    expect(store.get('reporter', 'k')).toEqual({ state: 'answered', answer });
  });

  it('opens a file an older build wrote, adding the columns it lacked', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE idempotency_keys (scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
      headers TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (scope, key))`);
    db.prepare(`INSERT INTO idempotency_keys VALUES ('reporter', 'old', 'fp', 201, '{}', '{"id":"a"}', ?)`).run(Date.now());
    const store = new SqliteIdempotencyStore(db);
    expect(store.get('reporter', 'old')).toEqual({ state: 'answered', answer: { fingerprint: 'fp', status: 201, headers: {}, body: '{"id":"a"}' } });
    store.prepare('reporter', 'new', 'fp', ulid(), prepared);
    expect(store.get('reporter', 'new')?.state).toBe('prepared');
  });
});
