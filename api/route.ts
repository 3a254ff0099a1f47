import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { requireRole, type Role } from './auth.js';
import { notFound, Problem } from './problem.js';

type AnyObject = z.ZodType<Record<string, unknown>>;

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  method: 'get' | 'post';
  /** Express-style path relative to the mount point, e.g. `/incidents/:id`. */
  path: string;
  /** `none` for routes anyone may call (health, metrics, the OpenAPI document). */
  role: Role | 'none';
  summary: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** Success responses by status; problem responses are documented for every route. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

export interface Parsed<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  params: z.infer<P>;
  query: z.infer<Q>;
  body: z.infer<B>;
}

const PROBLEMS: Record<number, string> = {
  400: 'Malformed or invalid request, with field paths',
  401: 'No or bad bearer token',
  403: 'The token lacks the role',
  404: 'Unknown id in the path',
  409: 'Stale If-Match, or a conflicting concurrent change',
  413: 'Body too large',
  422: 'A well-formed command the ledger refuses',
  429: 'Rate limited; see Retry-After',
  503: 'The store is unreachable, or the read models are still catching up at start; see Retry-After',
};

const NO_QUERY = z.strictObject({});

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

/**
 * Declares a route once: its role, its zod schemas (used both to validate and to document) and its
 * handler. The handler receives parsed input only; a ZodError becomes a 400 in the error middleware.
 */
export const routesOn =
  (router: Router, registry: OpenAPIRegistry, options: { publicRead: boolean; prefix: string }) =>
  <P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(
    spec: RouteSpec<P, Q, B>,
    handler: (input: Parsed<P, Q, B>, req: Request, res: Response) => Promise<void> | void,
    ...extra: RequestHandler[]
  ): void =>
    route(router, registry, options, spec, handler, ...extra);

export function route<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(
  router: Router,
  registry: OpenAPIRegistry,
  options: { publicRead: boolean; prefix: string },
  spec: RouteSpec<P, Q, B>,
  handler: (input: Parsed<P, Q, B>, req: Request, res: Response) => Promise<void> | void,
  ...extra: RequestHandler[]
): void {
  const responses: RouteConfig['responses'] = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = r.schema
      ? { description: r.description, content: { [r.contentType ?? 'application/json']: { schema: r.schema } } }
      : { description: r.description };
  }
  const problemStatuses = spec.method === 'get' ? [400, 401, 403, 404, 429, 503] : [400, 401, 403, 404, 409, 413, 422, 429, 503];
  for (const status of spec.role === 'none' ? [] : problemStatuses) {
    responses[status] = { description: PROBLEMS[status]!, content: { 'application/problem+json': { schema: Problem } } };
  }
  registry.registerPath({
    method: spec.method,
    path: options.prefix + openApiPath(spec.path),
    summary: spec.summary,
    tags: spec.tags,
    ...(spec.role === 'none' ? {} : { security: [{ bearer: [] }] }),
    request: {
      ...(spec.params ? { params: spec.params as never } : {}),
      ...(spec.query ? { query: spec.query as never } : {}),
      ...(spec.body ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
    },
    responses,
  });

  const guard: RequestHandler[] = spec.role === 'none' ? [] : [requireRole(spec.role, { publicRead: options.publicRead })];
  const handle: RequestHandler = async (req, res) => {
    // Path ids that do not even parse name nothing that could exist: that is a 404, not a 400.
    const params = spec.params ? spec.params.safeParse(req.params) : undefined;
    if (params && !params.success) {
      const names = params.error.issues.map((i) => i.path.join('.')).join(', ');
      throw notFound(`no such ${names}: ${params.error.issues.map((i) => JSON.stringify(req.params[String(i.path[0])] ?? '')).join(', ')}`);
    }
    const input = {
      params: params?.data ?? {},
      // A route that takes no query parameters refuses them rather than answer as if unasked.
      query: (spec.query ?? NO_QUERY).parse(req.query ?? {}),
      body: spec.body ? spec.body.parse(req.body ?? undefined) : undefined,
    } as Parsed<P, Q, B>;
    await handler(input, req, res);
  };
  // The full pattern (mount point included) for logs and metrics, noted now: by the time an error
  // answer finishes, express has unwound req.baseUrl and the prefix would be lost.
  const markRoute: RequestHandler = (req, res, next) => {
    res.locals.routePattern = `${req.baseUrl}${spec.path}`;
    next();
  };
  router[spec.method](spec.path, markRoute, ...guard, ...extra, handle);
}
