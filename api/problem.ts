import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';
import { DomainError, type DomainErrorCode } from '../src/domain/errors.js';
import { InvalidCursorError } from '../projections/pagination.js';
import { LedgerLogError } from '../src/log/errors.js';
import { ConcurrencyError, IdempotencyConflictError, StoreUnavailableError } from '../src/store/errors.js';

/** RFC 9457 problem details; `errors` lists field paths for validation failures. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: Array<{ path: string; message: string }>;
  [extension: string]: unknown;
}

const TYPE_BASE = 'https://incident-ledger.dev/problems/';

/** An error the edge raises on purpose, carrying its HTTP status. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const notFound = (detail: string) => new HttpProblem(404, 'not-found', 'Not found', detail);

export function sendProblem(res: Response, problem: ProblemBody, headers: Record<string, string> = {}): void {
  res.status(problem.status).set(headers).type('application/problem+json').send(JSON.stringify(problem));
}

const dotted = (path: readonly PropertyKey[]): string => path.map(String).join('.');

/**
 * zod issue paths as dotted strings: `value.min`, `preferred.0`. zod files an unknown key under
 * its parent object; the client is better served by the path of the key itself (`colour`,
 * `citation.colour`), one error per key.
 */
/** A person fixes a request a few errors at a time; a client gets the count from `detail`. */
export const MAX_ERRORS_SHOWN = 100;

export const validationErrors = (error: z.ZodError) =>
  error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: dotted([...issue.path, key]), message: `unknown field "${key}"` }))
      : [{ path: dotted(issue.path), message: issue.message }],
  );

const DOMAIN_STATUS: Partial<Record<DomainErrorCode, number>> = {
  'incident-not-found': 404,
  'assertion-not-found': 404,
};

/** Log errors a caller can cause; the others mean the store and the log disagree, a 500 to alert on. */
const LOG_STATUS: Partial<Record<string, number>> = {
  'invalid-size': 400,
  'size-beyond-log': 400,
  'invalid-range': 400,
  'event-after-size': 400,
  'unknown-event': 404,
};

function toProblem(error: unknown): { problem: ProblemBody; headers?: Record<string, string>; unexpected?: boolean } {
  if (error instanceof z.ZodError) {
    // A body of thousands of unknown keys would otherwise get an answer several times its size.
    const errors = validationErrors(error);
    const shown = errors.slice(0, MAX_ERRORS_SHOWN);
    const detail = errors.length > shown.length ? `the request did not validate: the first ${shown.length} of ${errors.length} errors are listed` : 'the request did not validate';
    return { problem: { type: TYPE_BASE + 'validation', title: 'Invalid request', status: 400, detail, errors: shown } };
  }
  if (error instanceof HttpProblem) {
    return {
      problem: { type: TYPE_BASE + error.slug, title: error.title, status: error.status, detail: error.message, ...error.extensions },
      headers: error.headers,
    };
  }
  if (error instanceof DomainError) {
    const status = DOMAIN_STATUS[error.code] ?? 422;
    return { problem: { type: TYPE_BASE + error.code, title: status === 404 ? 'Not found' : 'Refused by the ledger', status, detail: error.message, code: error.code } };
  }
  if (error instanceof InvalidCursorError) {
    return { problem: { type: TYPE_BASE + 'validation', title: 'Invalid request', status: 400, detail: error.message, errors: [{ path: 'cursor', message: error.message }] } };
  }
  if (error instanceof LedgerLogError && LOG_STATUS[error.code] !== undefined) {
    const status = LOG_STATUS[error.code]!;
    return { problem: { type: TYPE_BASE + error.code, title: status === 404 ? 'Not found' : 'Bad request', status, detail: error.message } };
  }
  if (error instanceof ConcurrencyError) {
    return {
      problem: {
        type: TYPE_BASE + 'stale-revision',
        title: 'Conflict',
        status: 409,
        detail: `the incident changed: you sent revision ${String(error.expected)}, it is now at ${error.actual}`,
        currentRevision: error.actual,
      },
      headers: { ETag: `"${error.actual}"` },
    };
  }
  if (error instanceof IdempotencyConflictError) {
    return { problem: { type: TYPE_BASE + 'idempotency-conflict', title: 'Conflict', status: 409, detail: error.message } };
  }
  if (error instanceof StoreUnavailableError) {
    return { problem: { type: TYPE_BASE + 'store-unavailable', title: 'Service unavailable', status: 503, detail: error.message }, headers: { 'Retry-After': '5' } };
  }
  // Errors raised by express's body parser carry a status and a type.
  const bodyError = error as { status?: unknown; type?: unknown; expose?: unknown; message?: unknown };
  if (typeof bodyError?.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    if (bodyError.type === 'entity.too.large') {
      return { problem: { type: TYPE_BASE + 'too-large', title: 'Payload too large', status: 413, detail: 'the request body exceeds the limit' } };
    }
    const detail = bodyError.type === 'entity.parse.failed' ? 'the body is not valid JSON' : String(bodyError.expose ? bodyError.message : 'bad request');
    return { problem: { type: TYPE_BASE + 'bad-request', title: 'Bad request', status: bodyError.status === 415 ? 415 : 400, detail } };
  }
  return { problem: { type: TYPE_BASE + 'internal', title: 'Internal error', status: 500, detail: 'an unexpected error occurred; it has been logged' }, unexpected: true };
}

/** The one place errors become responses. */
export const problemHandler =
  (log: (error: unknown) => void): ErrorRequestHandler =>
  (error, req, res, _next) => {
    const { problem, headers, unexpected } = toProblem(error);
    if (unexpected) log(error);
    if (res.headersSent) return;
    sendProblem(res, { ...problem, instance: req.originalUrl.split('?')[0] }, headers);
  };
