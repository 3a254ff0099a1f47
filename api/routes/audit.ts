import { Router, type Response } from 'express';
import { z } from 'zod';
import { incidentStream, sourceStream } from '../../events/index.js';
import { ledgerPages, verifyLedger } from '../../src/audit/verify-ledger.js';
import type { Services } from '../../src/app/services.js';
import { Checkpoint, ConsistencyProof, InclusionProof } from '../../src/log/schemas.js';
import { verifyCheckpointSignature } from '../../src/log/signing.js';
import { notFound } from '../problem.js';
import { routesOn } from '../route.js';
import { AsOfQuery, ConsistencyQuery, EventsQuery, InclusionQuery, IncidentParams, SourceParams, VerifyBody } from '../schemas.js';
import type { RouteDeps } from './incidents.js';

const Digest = z.object({ stream: z.string(), revision: z.number().int(), hash: z.string() });
const VerifyAnswer = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  root: z.string(),
  failures: z.array(z.object({ stream: z.string(), revision: z.number().int(), reason: z.string(), detail: z.string() })),
});

/**
 * Read-your-writes for auditors. The log follows the store through a subscription, a moment
 * behind each append; checkpoints and proofs wait (briefly) until it has absorbed every event this
 * process appended, so a checkpoint asked for after a 201 covers that write.
 */
function logCatchUp(services: Services, timeoutMs = 2_000): () => Promise<void> {
  let appended = -1;
  services.ledger.onAppended((events) => {
    for (const e of events) appended = Math.max(appended, e.position);
  });
  return async () => {
    const target = appended;
    const deadline = Date.now() + timeoutMs;
    while (services.log.lastPosition() < target && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
  };
}

/** The auditor's routes: raw events with chain fields, digests, checkpoints and proofs, verification. */
export function auditRoutes(deps: RouteDeps & { services: Services }): Router {
  const { services, registry, publicRead } = deps;
  const { store, log } = services;
  const caughtUp = logCatchUp(services);
  /** The verify under way, if any: the next waits for it (see the verify route). */
  let verifying: Promise<unknown> = Promise.resolve();
  const router = Router();
  const def = routesOn(router, registry, { publicRead, prefix: '/api' });
  const tags = ['audit'];

  /** A stream's raw events, a page at a time; `what` names the stream in a 404. */
  const serveEvents = async (stream: string, what: string, query: z.infer<typeof EventsQuery>, res: Response) => {
    const revision = await store.streamRevision(stream);
    if (revision < 0) throw notFound(`no ${what}`);
    const events = await store.readStream(stream, { fromRevision: query.from, maxCount: query.limit });
    res.set('ETag', `"${revision}"`).json({ stream, revision, events });
  };

  def(
    { method: 'get', path: '/incidents/:id/events', role: 'auditor', summary: 'Raw events with chain fields', tags, params: IncidentParams, query: EventsQuery, responses: { 200: { description: 'Events in revision order' } } },
    ({ params, query }, _req, res) => serveEvents(incidentStream(params.id), `incident ${params.id}`, query, res),
  );

  def(
    { method: 'get', path: '/sources/:id/events', role: 'auditor', summary: "A source's raw events with chain fields", tags, params: SourceParams, query: EventsQuery, responses: { 200: { description: 'Events in revision order' } } },
    ({ params, query }, _req, res) => serveEvents(sourceStream(params.id), `source ${params.id}`, query, res),
  );

  def(
    { method: 'get', path: '/incidents/:id/digest', role: 'auditor', summary: "The stream's last hash (as of an instant, with asOf)", tags, params: IncidentParams, query: AsOfQuery, responses: { 200: { description: 'Digest', schema: Digest } } },
    async ({ params, query }, _req, res) => {
      const stream = incidentStream(params.id);
      // As of an instant: the last event recorded by then, as every other read of an incident takes it.
      const asOfRevision = query.asOf ? (await deps.readModels.incident(params.id, query.asOf))?.revision : undefined;
      if (query.asOf && asOfRevision === undefined) throw notFound(`incident ${params.id} did not exist as of ${query.asOf.toISOString()}`);
      const [last] =
        asOfRevision === undefined
          ? await store.readStream(stream, { direction: 'backwards', maxCount: 1 })
          : await store.readStream(stream, { fromRevision: asOfRevision, maxCount: 1 });
      if (!last) throw notFound(`no incident ${params.id}`);
      res.set('ETag', `"${last.revision}"`).json({ stream, revision: last.revision, hash: last.metadata.hash });
    },
  );

  def(
    { method: 'get', path: '/audit/checkpoint', role: 'auditor', summary: "The ledger log's current checkpoint", tags, responses: { 200: { description: 'Checkpoint', schema: Checkpoint } } },
    async (_input, _req, res) => {
      await caughtUp();
      res.json(log.checkpoint(new Date()));
    },
  );

  def(
    { method: 'get', path: '/audit/public-key', role: 'auditor', summary: 'The Ed25519 key checkpoints are signed with', tags, responses: { 200: { description: 'PEM and raw base64' } } },
    async (_input, _req, res) => {
      if (!log.signer) throw notFound('checkpoints are not signed: LEDGER_SIGNING_KEY is not set');
      res.json({ algorithm: 'Ed25519', pem: log.signer.publicKeyPem, raw: log.signer.publicKeyRaw });
    },
  );

  def(
    { method: 'get', path: '/audit/proofs/inclusion', role: 'auditor', summary: 'Proof that an event is in the ledger of a size', tags, query: InclusionQuery, responses: { 200: { description: 'Inclusion proof', schema: InclusionProof } } },
    async ({ query }, _req, res) => {
      await caughtUp();
      res.json(log.inclusionProof(query.eventId, query.size));
    },
  );

  def(
    { method: 'get', path: '/audit/proofs/consistency', role: 'auditor', summary: 'Proof that the ledger of `to` extends the ledger of `from`', tags, query: ConsistencyQuery, responses: { 200: { description: 'Consistency proof', schema: ConsistencyProof } } },
    async ({ query }, _req, res) => {
      await caughtUp();
      res.json(log.consistencyProof(query.from, query.to));
    },
  );

  def(
    { method: 'post', path: '/audit/verify', role: 'auditor', summary: 'Recompute every chain and the log root; optionally prove a kept checkpoint is extended', tags, body: VerifyBody.optional(), responses: { 200: { description: 'Verification report', schema: VerifyAnswer } } },
    async ({ body }, _req, res) => {
      await caughtUp();
      const against = body?.checkpoint;
      // A verify reads the whole ledger: several at once would only share the same CPU, and a
      // caller could start any number. They run one after another.
      const run = verifying.then(() => verifyLedger(ledgerPages(store), { log, ...(against ? { against } : {}) }));
      verifying = run.catch(() => undefined);
      const report = await run;
      // As the CLI does: a kept checkpoint that claims this ledger's signature must carry it.
      if (against?.signature !== undefined && log.signer && !verifyCheckpointSignature({ ...against, at: against.at ?? '' }, log.signer.publicKeyPem)) {
        const detail = "the checkpoint's signature does not verify with this ledger's key";
        res.json({ ...report, ok: false, failures: [...report.failures, { stream: '$log', revision: against.size, reason: 'checkpoint-signature', detail }] });
        return;
      }
      res.json(report);
    },
  );

  return router;
}
