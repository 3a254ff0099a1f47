import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import client from 'prom-client';

/** Prometheus metrics; one registry per app so tests can run several side by side. */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new client.Counter({ name: 'ledger_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    latency: new client.Histogram({
      name: 'ledger_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    appends: new client.Counter({ name: 'ledger_events_appended_total', help: 'Events appended through this process', labelNames: ['type'], registers: [registry] }),
    storeErrors: new client.Counter({ name: 'ledger_store_errors_total', help: 'Requests that failed because the store did', registers: [registry] }),
    projectionLag: new client.Gauge({ name: 'ledger_projection_lag_events', help: 'Events in the store not yet applied to the read models', registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** Request id, structured access log and metrics; never logs bodies, tokens or query secrets. */
export function observe(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.get('X-Request-Id');
    const requestId = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The matched route pattern, not the URL: ids must not explode label cardinality. Routes
      // declared with route() note their full pattern; req.baseUrl is gone once an error unwound.
      const noted = res.locals.routePattern;
      const routePath = (req.route as { path?: string } | undefined)?.path;
      const route = typeof noted === 'string' ? noted : routePath ? `${req.baseUrl}${routePath}` : 'unmatched';
      metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.latency.observe({ method: req.method, route }, seconds);
      if (res.statusCode === 503) metrics.storeErrors.inc();
      logger.info(
        { requestId, actor: req.identity?.actor, method: req.method, route, status: res.statusCode, durationMs: Math.round(seconds * 1e4) / 10 },
        'request',
      );
    });
    next();
  };
}
