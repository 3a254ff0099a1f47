import type { Request, RequestHandler } from 'express';
import { HttpProblem } from './problem.js';

/**
 * A fixed-window limit per bearer identity, or per IP for anonymous callers: `limit` requests a
 * minute, then 429 with Retry-After. In memory: each instance limits on its own.
 */
/** Who a request counts against: its bearer identity, or its address when anonymous. */
export const clientKey = (req: Request): string => (req.identity ? `actor:${req.identity.actor}` : `ip:${req.ip ?? 'unknown'}`);

export function rateLimit(limitPerMinute: number): RequestHandler {
  const windows = new Map<string, { start: number; count: number }>();
  return (req, res, next) => {
    if (limitPerMinute <= 0) return next();
    const now = Date.now();
    const key = clientKey(req);
    let window = windows.get(key);
    if (!window || now - window.start >= 60_000) {
      if (windows.size > 100_000) windows.clear();
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
