import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Services } from '../src/app/services.js';
import { authenticate, refuseBadToken, type TokenRegistry } from './auth.js';
import { bodyGuard, checkUtf8 } from './body-guard.js';
import { untilCaughtUp } from './catching-up.js';
import { idempotency } from './idempotency.js';
import { createMetrics, observe, type Metrics } from './observability.js';
import { notFound, problemHandler } from './problem.js';
import { rateLimit } from './rate-limit.js';
import { routesOn } from './route.js';
import { auditRoutes } from './routes/audit.js';
import { incidentRoutes } from './routes/incidents.js';
import { liveRoutes } from './routes/live.js';
import { sourceRoutes } from './routes/sources.js';

/**
 * POST routes that write nothing: asked again, they must answer afresh, not replay the first
 * answer, so an Idempotency-Key on them is ignored.
 */
const QUESTIONS = new Set(['/audit/verify']);

const Health = z.object({ status: z.literal('ok') });
const Readiness = z.object({ status: z.enum(['ready', 'not-ready']), store: z.enum(['ok', 'unreachable']), projections: z.enum(['caught-up', 'catching-up']) });

export interface AppOptions {
  services: Services;
  tokens: TokenRegistry;
  logger: Logger;
  publicRead?: boolean;
  bodyLimit?: string;
  rateLimitPerMinute?: number;
  corsOrigins?: string[];
  /** Express's "trust proxy": behind a proxy, anonymous clients are told apart (and rate-limited) by their forwarded address. */
  trustProxy?: boolean | number | string;
  /** The incident page, mounted at `/`. */
  web?: express.Router;
}

function cors(origins: string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('Origin');
    if (origin && origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, If-Match, Idempotency-Key');
      res.setHeader('Access-Control-Expose-Headers', 'ETag, Location, Retry-After');
      if (req.method === 'OPTIONS') return void res.status(204).end();
    }
    next();
  };
}

/** The HTTP edge: thin routes over the services, errors mapped to problem+json in one place. */
export function createApp(options: AppOptions): { app: express.Express; metrics: Metrics; endLiveStreams: () => void } {
  const { services, tokens, logger } = options;
  const publicRead = options.publicRead ?? tokens.developmentMode;
  const metrics = createMetrics();
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  app.set('query parser', 'simple');

  app.use(observe(logger, metrics));
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { 'default-src': ["'self'"], 'script-src': ["'self'"], 'style-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'connect-src': ["'self'"] } },
    }),
  );
  if (options.corsOrigins?.length) app.use(cors(options.corsOrigins));
  app.use(authenticate(tokens));
  // Only the API is rate limited (one page load fetches a dozen static files), and anyone who
  // presents a bad token, wherever: otherwise /healthz would answer token guesses without limit.
  const limiter = rateLimit(options.rateLimitPerMinute ?? 600);
  app.use((req, res, next) => (req.badToken || req.path === '/api' || req.path.startsWith('/api/') ? limiter(req, res, next) : next()));
  app.use(refuseBadToken);
  app.use(express.json({ limit: options.bodyLimit ?? '64kb', strict: true, type: ['application/json', 'application/*+json'], verify: checkUtf8 }));
  app.use(bodyGuard);
  app.use('/api', untilCaughtUp(services.ready));
  // One middleware for the app's life: its in-flight map is what makes concurrent retries wait for the first.
  const idempotent = idempotency(services.idempotency);
  app.use('/api', (req, res, next) => (req.method === 'POST' && !QUESTIONS.has(req.path) ? idempotent(req, res, next) : next()));

  services.ledger.onAppended((events) => {
    for (const e of events) metrics.appends.inc({ type: e.type });
  });

  const caughtUp = (position: number) => services.runner.waitFor(position).catch(() => undefined);
  const deps = { ledger: services.ledger, readModels: services.readModels, registry, publicRead, services, caughtUp };
  const liveStreams = new Set<() => void>();
  app.use('/api', incidentRoutes(deps), sourceRoutes(deps), auditRoutes(deps), liveRoutes({ ...deps, liveStreams, logger }));

  // The operational routes go through the same declaration as the API, so the document lists them too.
  const ops = express.Router();
  const def = routesOn(ops, registry, { publicRead, prefix: '' });
  const tags = ['operations'];
  def({ method: 'get', path: '/healthz', role: 'none', summary: 'Liveness: the process answers', tags, responses: { 200: { description: 'Alive', schema: Health } } }, (_input, _req, res) => {
    res.json({ status: 'ok' });
  });
  def(
    { method: 'get', path: '/readyz', role: 'none', summary: 'Readiness: the store answers and the read models have caught up', tags, responses: { 200: { description: 'Ready', schema: Readiness }, 503: { description: 'Not ready', schema: Readiness } } },
    async (_input, _req, res) => {
      const ready = await Promise.race([services.ready.then(() => true, () => false), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
      const storeOk = await services.store.ping().then(() => true, () => false);
      const body = { status: ready && storeOk ? 'ready' : 'not-ready', store: storeOk ? 'ok' : 'unreachable', projections: ready ? 'caught-up' : 'catching-up' };
      res.status(ready && storeOk ? 200 : 503).json(body);
    },
  );
  def(
    { method: 'get', path: '/metrics', role: 'none', summary: 'Prometheus metrics', tags, responses: { 200: { description: 'Prometheus text exposition format', schema: z.string(), contentType: 'text/plain' } } },
    async (_input, _req, res) => {
      metrics.projectionLag.set(await services.runner.lag().catch(() => -1));
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
  let document: unknown;
  def({ method: 'get', path: '/openapi.json', role: 'none', summary: 'This document', tags, responses: { 200: { description: 'OpenAPI 3.1' } } }, (_input, _req, res) => {
    res.json(document);
  });
  document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Incident Ledger', version: '0.1.0', description: 'An event-sourced, tamper-evident ledger of what was reported about incidents.' },
    servers: [{ url: '/' }],
  });
  app.use(ops);

  if (options.web) app.use(options.web);
  // Every unmatched path, not only under /api, answers with problem+json (not express's HTML page).
  app.use((req, _res, next) => next(notFound(`no route ${req.method} ${req.path}`)));
  app.use(problemHandler((error) => logger.error({ err: error }, 'unexpected error')));
  /** Ends every open live stream cleanly (shutdown): clients reconnect, to another instance if need be. */
  const endLiveStreams = () => {
    for (const end of [...liveStreams]) end();
  };
  return { app, metrics, endLiveStreams };
}
