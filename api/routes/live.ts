import { Router } from 'express';
import { z } from 'zod';
import { incidentStream, type StoredEvent } from '../../events/index.js';
import type { Services } from '../../src/app/services.js';
import { notFound } from '../problem.js';
import { routesOn } from '../route.js';
import { IncidentParams } from '../schemas.js';
import type { RouteDeps } from './incidents.js';

const HEARTBEAT_MS = 15_000;

/** What a reconnecting EventSource sends back: the `id` of the last message it received, a revision. */
const ResumeHeaders = z.object({
  'last-event-id': z
    .string()
    .regex(/^\d{1,15}$/, 'must be the revision of the last message received (the id of a message this stream sent)')
    .transform(Number)
    .optional(),
});

/** What an `appended` message tells of an event. */
type Appended = Pick<StoredEvent, 'revision' | 'type' | 'metadata'>;

const appendedMessage = (stored: Appended): string => {
  const message = { revision: stored.revision, type: stored.type, recordedAt: stored.metadata.recordedAt, actor: stored.metadata.actor };
  return `id: ${stored.revision}\nevent: appended\ndata: ${JSON.stringify(message)}\n\n`;
};

/**
 * Server-sent events: one `appended` message per event recorded on the incident, as the runner
 * applies it. A client reconnecting with `Last-Event-ID` is first sent what it missed, from the
 * store, then the live messages, each revision once.
 */
export function liveRoutes(deps: RouteDeps & { services: Services; liveStreams?: Set<() => void> }): Router {
  const router = Router();
  const def = routesOn(router, deps.registry, { publicRead: deps.publicRead, prefix: '/api' });
  def(
    { method: 'get', path: '/incidents/:id/live', role: 'reader', summary: 'Server-sent events as the incident changes; a Last-Event-ID header (a revision) resumes after it', tags: ['incidents'], params: IncidentParams, responses: { 200: { description: 'text/event-stream', contentType: 'text/event-stream' } } },
    async ({ params }, req, res) => {
      const stream = incidentStream(params.id);
      const { 'last-event-id': lastSeen } = ResumeHeaders.parse({ 'last-event-id': req.get('Last-Event-ID') });
      if ((await deps.services.store.streamRevision(stream)) < 0) throw notFound(`no incident ${params.id}`);
      // Subscribed before the missed events are read, so none falls between; each revision is sent once.
      let sent = lastSeen ?? -1;
      let backlog: Appended[] | undefined = lastSeen === undefined ? undefined : [];
      const send = (stored: Appended) => {
        if (stored.revision <= sent) return;
        sent = stored.revision;
        res.write(appendedMessage(stored));
      };
      const stop = deps.services.runner.onApplied((_event, stored) => {
        if (stored.stream !== stream) return;
        if (backlog) backlog.push(stored);
        else send(stored);
      });
      let missed: StoredEvent[] = [];
      try {
        if (lastSeen !== undefined) missed = await deps.services.store.readStream(stream, { fromRevision: lastSeen + 1 });
      } catch (error) {
        stop();
        throw error;
      }
      res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      res.write(`retry: 3000\n\n`);
      for (const stored of missed) send(stored);
      for (const stored of backlog ?? []) send(stored);
      backlog = undefined;
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
