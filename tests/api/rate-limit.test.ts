import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { rateLimit } from '../../api/rate-limit.js';
import type { HttpProblem } from '../../api/problem.js';

/** One request from `ip` through the limiter: its status, 200 or the problem's. */
function requestFrom(limiter: ReturnType<typeof rateLimit>, ip: string): number {
  let status = 0;
  const req = { ip } as Request;
  const res = { setHeader: () => res } as unknown as Response;
  const next: NextFunction = (error?: unknown) => {
    status = error ? (error as HttpProblem).status : 200;
  };
  void limiter(req, res, next);
  return status;
}

describe('the rate limiter', () => {
  it('keeps a limited client limited while a flood of new addresses fills its table', () => {
    const limiter = rateLimit(2, 5);
    expect([1, 2, 3].map(() => requestFrom(limiter, '10.0.0.1'))).toEqual([200, 200, 429]);
    // Twenty new addresses, four times what the table holds: room is made among them, not by
    // forgetting the address already over its limit.
    for (let i = 0; i < 20; i++) expect(requestFrom(limiter, `192.0.2.${i}`)).toBe(200);
    expect(requestFrom(limiter, '10.0.0.1')).toBe(429);
  });
});
