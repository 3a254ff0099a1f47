import type { RequestHandler } from 'express';
import { HttpProblem } from './problem.js';

/**
 * API requests while the read models catch up with the store at start: they wait a moment, and
 * past it get a 503 with Retry-After, rather than a 200 built on part of the ledger (a list
 * missing incidents, a 404 for one that exists, old events sent live as new).
 */
export function untilCaughtUp(ready: Promise<void>, waitMs = 1_000): RequestHandler {
  let state: 'catching-up' | 'caught-up' | 'failed' = 'catching-up';
  ready.then(
    () => (state = 'caught-up'),
    () => (state = 'failed'),
  );
  return async (_req, _res, next) => {
    if (state === 'catching-up') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ready.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    if (state === 'caught-up') return next();
    const detail = state === 'failed' ? 'the read models could not catch up with the store: see /readyz' : 'the read models are catching up with the store: retry shortly';
    next(new HttpProblem(503, 'catching-up', 'Service unavailable', detail, {}, { 'Retry-After': '1' }));
  };
}
