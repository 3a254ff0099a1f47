import { Router, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { incidentStream, type StoredEvent } from '../../events/index.js';
import type { Services } from '../../src/app/services.js';
import { HttpProblem, notFound } from '../problem.js';
import { clientKey } from '../rate-limit.js';
import { routesOn } from '../route.js';
import { IncidentParams } from '../schemas.js';
import type { RouteDeps } from './incidents.js';

const HEARTBEAT_MS = 15_000;
/** Live streams one client (a token, or an address when anonymous) holds at once: a browser tab holds one. */
export const MAX_STREAMS_PER_CLIENT = 32;
/**
 * Bytes a stream may have waiting for a client that does not read: past that it is closed, and
 * the client's EventSource reconnects and resumes from its Last-Event-ID. Without a bound, every
 * event appended would wait in this process's memory for each stalled client.
 */
const MAX_BUFFERED = 1024 * 1024;
/** Missed events read and sent at a time on a resume, each page once the client has taken the last. */
const RESUME_PAGE = 500;

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

/** Resolves once the client has taken what was written (or is gone). */
const drained = (res: Response): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });

const appendedMessage = (stored: Appended): string => {
  const message = { revision: stored.revision, type: stored.type, recordedAt: stored.metadata.recordedAt, actor: stored.metadata.actor };
  return `id: ${stored.revision}\nevent: appended\ndata: ${JSON.stringify(message)}\n\n`;
};

/**
 * Server-sent events: one `appended` message per event recorded on the incident, as the runner
 * applies it. A client reconnecting with `Last-Event-ID` is first sent what it missed, from the
 * store, then the live messages, each revision once.
 */
export function liveRoutes(deps: RouteDeps & { services: Services; liveStreams?: Set<() => void>; logger?: Logger }): Router {
  const router = Router();
  /** Open streams by client (see clientKey). */
  const openStreams = new Map<string, number>();
  const def = routesOn(router, deps.registry, { publicRead: deps.publicRead, prefix: '/api' });
  def(
    { method: 'get', path: '/incidents/:id/live', role: 'reader', summary: 'Server-sent events as the incident changes; a Last-Event-ID header (a revision) resumes after it', tags: ['incidents'], params: IncidentParams, responses: { 200: { description: 'text/event-stream', contentType: 'text/event-stream' } } },
    async ({ params }, req, res) => {
      const stream = incidentStream(params.id);
      const { 'last-event-id': lastSeen } = ResumeHeaders.parse({ 'last-event-id': req.get('Last-Event-ID') });
      if ((await deps.services.store.streamRevision(stream)) < 0) throw notFound(`no incident ${params.id}`);
      const client = clientKey(req);
      const held = openStreams.get(client) ?? 0;
      if (held >= MAX_STREAMS_PER_CLIENT) {
        throw new HttpProblem(429, 'too-many-streams', 'Too many live streams', `this client already holds ${held} live streams open; close one first`, {}, { 'Retry-After': '5' });
      }
      openStreams.set(client, held + 1);
      let closed = false;
      // Subscribed before the missed events are read, so none falls between; each revision is sent once.
      let sent = lastSeen ?? -1;
      let backlog: Appended[] | undefined = lastSeen === undefined ? undefined : [];
      const send = (stored: Appended) => {
        if (closed || stored.revision <= sent) return;
        sent = stored.revision;
        res.write(appendedMessage(stored));
        if (res.writableLength > MAX_BUFFERED) drop();
      };
      const stop = deps.services.runner.onApplied((_event, stored) => {
        if (stored.stream !== stream) return;
        if (backlog) backlog.push(stored);
        else send(stored);
      });
      const heartbeat = setInterval(() => {
        res.write(': heartbeat\n\n');
        if (res.writableLength > MAX_BUFFERED) drop();
      }, HEARTBEAT_MS);
      const cleanUp = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        stop();
        deps.liveStreams?.delete(end);
        const left = (openStreams.get(client) ?? 1) - 1;
        if (left > 0) openStreams.set(client, left);
        else openStreams.delete(client);
      };
      // A client too far behind is cut off; it reconnects and resumes from what it last received.
      const drop = () => {
        cleanUp();
        res.destroy();
      };
      // On shutdown the stream ends cleanly (not cut), and the client's EventSource reconnects.
      const end = () => {
        cleanUp();
        res.end();
      };
      deps.liveStreams?.add(end);
      req.on('close', cleanUp);
      res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      res.write(`retry: 3000\n\n`);
      try {
        // What the client missed, a page at a time, each once it has taken the one before.
        for (let from = (lastSeen ?? Number.POSITIVE_INFINITY) + 1; !closed && Number.isFinite(from); ) {
          const page = await deps.services.store.readStream(stream, { fromRevision: from, maxCount: RESUME_PAGE });
          for (const stored of page) send(stored);
          if (page.length < RESUME_PAGE) break;
          from = page[page.length - 1]!.revision + 1;
          if (res.writableNeedDrain) await drained(res);
        }
      } catch (error) {
        // The answer has begun: a store that fails mid-resume ends the stream, and the client retries.
        deps.logger?.warn({ err: error, stream }, 'live stream: could not read the missed events');
        return drop();
      }
      for (const stored of backlog ?? []) send(stored);
      backlog = undefined;
    },
  );
  return router;
}
