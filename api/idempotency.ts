import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { newUlid } from '../src/app/new-ulid.js';
import { idSequence, type RetrySafety } from '../src/app/retry-safety.js';
import type { IdempotencyStore } from '../src/store/idempotency-sqlite.js';
import { canonicalJson } from '../src/store/hash-chain.js';
import { HttpProblem } from './problem.js';

const KEY = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['etag', 'location'];

/**
 * `Idempotency-Key` on writes: the first successful answer is stored and replayed to every retry
 * with the same key (scoped to the actor), so a retried write appends nothing. Concurrent retries
 * in this process wait for the first to finish. A key reused for a different request is a 422.
 * The write runs with a RetrySafety (req.retrySafety): its ids come from a seed, and the append
 * it is about to make is noted under the key first, so a retry after the process died between
 * appending and storing the answer finds that append and answers as the first attempt would have.
 */
export function idempotency(store: IdempotencyStore): RequestHandler {
  const inFlight = new Map<string, Promise<void>>();

  return async (req, res, next) => {
    const key = req.get('Idempotency-Key');
    if (key === undefined) return next();
    if (!KEY.test(key)) return next(new HttpProblem(400, 'bad-idempotency-key', 'Bad request', 'Idempotency-Key must be 1 to 255 visible ASCII characters'));
    const scope = req.identity?.actor ?? 'anonymous';
    const slot = `${scope}\u0000${key}`;
    const fingerprint = createHash('sha256')
      .update(`${req.method} ${req.originalUrl.split('?')[0]} ${req.get('If-Match') ?? ''}\n${canonicalJson(req.body ?? null)}`)
      .digest('hex');

    while (inFlight.has(slot)) await inFlight.get(slot);
    const previous = store.get(scope, key);
    const seen = previous?.state === 'answered' ? previous.answer.fingerprint : previous?.fingerprint;
    if (seen !== undefined && seen !== fingerprint) {
      return next(new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'this Idempotency-Key was used for a different request'));
    }
    if (previous?.state === 'answered') {
      const { answer } = previous;
      res.status(answer.status).set({ ...answer.headers, 'Idempotent-Replayed': 'true' }).type('application/json').send(answer.body);
      return;
    }
    const seed = previous?.seed ?? newUlid();
    const retrySafety: RetrySafety = {
      newId: idSequence(seed),
      prepared: previous?.prepared,
      prepare: (prepared) => store.prepare(scope, key, fingerprint, seed, prepared),
    };
    req.retrySafety = retrySafety;

    let release!: () => void;
    inFlight.set(slot, new Promise<void>((resolve) => (release = resolve)));
    const done = () => {
      inFlight.delete(slot);
      release();
    };
    res.once('finish', done);
    res.once('close', done);
    capture(res, (status, body) => {
      if (status < 200 || status >= 300) return;
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = res.get(name);
        if (value !== undefined) headers[name] = value;
      }
      store.put(scope, key, { fingerprint, status, headers, body });
    });
    next();
  };
}

/** Sees the JSON body a handler sends, before it goes out. */
function capture(res: Response, onBody: (status: number, body: string) => void): void {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    onBody(res.statusCode, JSON.stringify(body));
    return json(body);
  };
}
