import { Router } from 'express';
import { incidentStream } from '../../events/index.js';
import type { Services } from '../../src/app/services.js';
import { notFound } from '../problem.js';
import { routesOn } from '../route.js';
import { IncidentParams } from '../schemas.js';
import type { RouteDeps } from './incidents.js';

const HEARTBEAT_MS = 15_000;

/** Server-sent events: one `appended` message per event recorded on the incident, as the runner applies it. */
export function liveRoutes(deps: RouteDeps & { services: Services; liveStreams?: Set<() => void> }): Router {
  const router = Router();
  const def = routesOn(router, deps.registry, { publicRead: deps.publicRead, prefix: '/api' });
  def(
    { method: 'get', path: '/incidents/:id/live', role: 'reader', summary: 'Server-sent events as the incident changes', tags: ['incidents'], params: IncidentParams, responses: { 200: { description: 'text/event-stream', contentType: 'text/event-stream' } } },
    async ({ params }, req, res) => {
      const stream = incidentStream(params.id);
      if ((await deps.services.store.streamRevision(stream)) < 0) throw notFound(`no incident ${params.id}`);
      res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      res.write(`retry: 3000\n\n`);
      const stop = deps.services.runner.onApplied((event, stored) => {
        if (stored.stream !== stream) return;
        const message = { revision: stored.revision, type: event.type, recordedAt: stored.metadata.recordedAt, actor: stored.metadata.actor };
        res.write(`id: ${stored.revision}\nevent: appended\ndata: ${JSON.stringify(message)}\n\n`);
      });
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      const cleanUp = () => {
        clearInterval(heartbeat);
        stop();
        deps.liveStreams?.delete(end);
      };
      // On shutdown the stream ends cleanly (not cut), and the client's EventSource reconnects.
      const end = () => {
        cleanUp();
        res.end();
      };
      deps.liveStreams?.add(end);
      req.on('close', cleanUp);
    },
  );
  return router;
}
