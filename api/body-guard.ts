import type { RequestHandler } from 'express';
import { HttpProblem } from './problem.js';

/** No request body of ours nests deeper than a handful of levels; this leaves ample room. */
export const MAX_BODY_DEPTH = 32;

/** A UTF-16 surrogate not in a pair: no Unicode text contains one, and RFC 8785 cannot hash it. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Refuses, with a 400, parsed JSON bodies that later steps cannot handle safely: nesting deeper
 * than MAX_BODY_DEPTH (recursive canonicalisation would overflow the stack: a 500) and strings or
 * keys with lone surrogates (canonical JSON refuses them: a 500). Walks iteratively, so the check
 * itself cannot overflow.
 */
export const bodyGuard: RequestHandler = (req, _res, next) => {
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object') {
    if (typeof body === 'string' && LONE_SURROGATE.test(body)) return next(illFormed());
    return next();
  }
  const stack: Array<{ value: unknown; depth: number }> = [{ value: body, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return next(illFormed());
      continue;
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
