import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { HttpProblem } from './problem.js';

/** Requests whose raw body was not valid UTF-8: the JSON parser reads such bytes as U+FFFD, silently. */
const notUtf8 = new WeakSet<IncomingMessage>();

/** express.json's `verify` hook: notes a body that is not UTF-8, for bodyGuard to refuse. */
export function checkUtf8(req: IncomingMessage, _res: unknown, raw: Buffer): void {
  if (!isUtf8(raw)) notUtf8.add(req);
}

/** No request body of ours nests deeper than a handful of levels; this leaves ample room. */
export const MAX_BODY_DEPTH = 32;

/** A UTF-16 surrogate not in a pair: no Unicode text contains one, and RFC 8785 cannot hash it. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Refuses, with a 400, bodies that were not UTF-8 (checkUtf8), and parsed JSON bodies that later
 * steps cannot handle safely: nesting deeper than MAX_BODY_DEPTH (recursive canonicalisation would
 * overflow the stack), strings or keys with lone surrogates, and numbers beyond a double (1e999
 * parses as Infinity). Canonical JSON, used for the hash chain and Idempotency-Key fingerprints,
 * throws on each: a 500 without this guard. Walks iteratively, so the check itself cannot overflow.
 */
export const bodyGuard: RequestHandler = (req, _res, next) => {
  if (notUtf8.has(req)) return next(new HttpProblem(400, 'ill-formed-utf8', 'Bad request', 'the body is not valid UTF-8'));
  const body: unknown = req.body;
  if (body === undefined) return next();
  const stack: Array<{ value: unknown; depth: number }> = [{ value: body, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return next(illFormed());
      continue;
    }
    // JSON.parse reads 1e999 as Infinity, which JSON cannot write back nor RFC 8785 hash.
    if (typeof value === 'number' && !Number.isFinite(value)) {
      return next(new HttpProblem(400, 'non-finite-number', 'Bad request', 'the body holds a number too large for a double (such as 1e999)'));
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_BODY_DEPTH) {
      return next(new HttpProblem(400, 'too-deep', 'Bad request', `the body nests deeper than ${MAX_BODY_DEPTH} levels`));
    }
    for (const [key, child] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) return next(illFormed());
      stack.push({ value: child, depth: depth + 1 });
    }
  }
  next();
};

const illFormed = () => new HttpProblem(400, 'ill-formed-unicode', 'Bad request', 'the body holds a lone UTF-16 surrogate: not well-formed Unicode');
