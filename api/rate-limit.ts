import type { Request, RequestHandler } from 'express';
import { HttpProblem } from './problem.js';

/**
 * A fixed-window limit per bearer identity, or per IP for anonymous callers: `limit` requests a
 * minute, then 429 with Retry-After. In memory: each instance limits on its own.
 */
/** Who a request counts against: its bearer identity, or its address when anonymous. */
export const clientKey = (req: Request): string => (req.identity ? `actor:${req.identity.actor}` : `ip:${req.ip ?? 'unknown'}`);

/** Clients whose windows are kept at once: past that, room is made (see makeRoom). */
export const MAX_CLIENTS = 100_000;

type Window = { start: number; count: number };

/**
 * Room for a new client's window: expired windows go first, then those under the limit. The
 * windows of clients over the limit are kept, so a flood of new addresses cannot lift the limit
 * on the clients it was placed on; only a table full of limited clients is cleared.
 */
function makeRoom(windows: Map<string, Window>, now: number, limit: number, max: number): void {
  for (const [key, w] of windows) if (now - w.start >= 60_000) windows.delete(key);
  if (windows.size < max) return;
  for (const [key, w] of windows) if (w.count <= limit) windows.delete(key);
  if (windows.size >= max) windows.clear();
}

export function rateLimit(limitPerMinute: number, maxClients = MAX_CLIENTS): RequestHandler {
  const windows = new Map<string, Window>();
  return (req, res, next) => {
    if (limitPerMinute <= 0) return next();
    const now = Date.now();
    const key = clientKey(req);
    let window = windows.get(key);
    if (!window || now - window.start >= 60_000) {
      if (!window && windows.size >= maxClients) makeRoom(windows, now, limitPerMinute, maxClients);
      window = { start: now, count: 0 };
      windows.set(key, window);
    }
    window.count++;
    res.setHeader('RateLimit-Limit', String(limitPerMinute));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, limitPerMinute - window.count)));
    if (window.count > limitPerMinute) {
      const retryAfter = Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000));
      return next(new HttpProblem(429, 'rate-limited', 'Too many requests', `more than ${limitPerMinute} requests a minute`, {}, { 'Retry-After': String(retryAfter) }));
    }
    next();
  };
}
