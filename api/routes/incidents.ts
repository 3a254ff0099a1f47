import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router, type Request } from 'express';
import type { CommandContext } from '../../src/app/context.js';
import type { Ledger } from '../../src/app/ledger.js';
import type { ReadModels } from '../../src/app/read-models.js';
import { HttpProblem, notFound } from '../problem.js';
import { routesOn } from '../route.js';
import { sendView } from '../view-body.js';
import {
  AppendedAnswer,
  AsOfQuery,
  AssertionParams,
  AssessFactBody,
  CorrectAssertionBody,
  CreatedAssertion,
  CreatedIncident,
  FactParams,
  IncidentListQuery,
  IncidentParams,
  OpenIncidentBody,
  RecordAssertionBody,
  RetractAssertionBody,
  ReviseIncidentBody,
} from '../schemas.js';

export interface RouteDeps {
  ledger: Ledger;
  readModels: ReadModels;
  /** Lists come from the projection runner: a writer waits for it so it reads its own write. */
  caughtUp: (position: number) => Promise<void>;
  registry: OpenAPIRegistry;
  publicRead: boolean;
}

/** `If-Match: 5`, `"5"` or `W/"5"` → 5; absent → undefined; anything else is a 400. */
export function ifMatch(req: Request): number | undefined {
  const header = req.get('If-Match');
  if (header === undefined) return undefined;
  // Quoted or bare, not half-quoted.
  const m = /^\s*(?:W\/)?(?:"(-1|\d{1,15})"|(-1|\d{1,15}))\s*$/.exec(header);
  if (!m) throw new HttpProblem(400, 'bad-if-match', 'Bad request', 'If-Match must be a revision number, e.g. "3"');
  return Number(m[1] ?? m[2]);
}

const requestIdOf = (req: Request): string => String(req.res?.getHeader('X-Request-Id') ?? req.get('X-Request-Id') ?? '');

export const etag = (revision: number): string => `"${revision}"`;

export function commandContext(req: Request): CommandContext {
  const requestId = String(requestIdOf(req));
  return {
    actor: req.identity?.actor ?? 'anonymous',
    correlationId: req.get('X-Correlation-Id')?.slice(0, 200) || requestId,
    causationId: requestId,
    expectedRevision: ifMatch(req),
    retry: req.retrySafety,
  };
}

export function incidentRoutes({ ledger, readModels, registry, publicRead, caughtUp }: RouteDeps): Router {
  const router = Router();
  const def = routesOn(router, registry, { publicRead, prefix: '/api' });
  const tags = ['incidents'];

  /** A reader asking about an incident that does not exist (at that instant) gets a 404. */
  const known = async (id: string, asOf?: Date) => {
    const summary = await readModels.incident(id, asOf);
    if (!summary) throw notFound(asOf ? `incident ${id} did not exist as of ${asOf.toISOString()}` : `no incident ${id}`);
    return summary;
  };

  def(
    { method: 'post', path: '/incidents', role: 'reporter', summary: 'Open an incident', tags, body: OpenIncidentBody, responses: { 201: { description: 'Opened', schema: CreatedIncident } } },
    async ({ body }, req, res) => {
      const ctx = { ...commandContext(req), expectedRevision: undefined };
      const id = ledger.newId(ctx);
      const result = await ledger.handle(id, { type: 'OpenIncident', data: { incidentId: id, ...body } }, ctx);
      await caughtUp(result.position);
      res.status(201).location(`/api/incidents/${id}`).set('ETag', etag(result.revision)).json({ id, revision: result.revision });
    },
  );

  def(
    { method: 'get', path: '/incidents', role: 'reader', summary: 'List incidents, newest first', tags, query: IncidentListQuery, responses: { 200: { description: 'A page of incidents' } } },
    async ({ query }, _req, res) => {
      res.json(await readModels.listIncidents(query));
    },
  );

  def(
    { method: 'get', path: '/incidents/:id', role: 'reader', summary: 'An incident summary; the ETag is its stream revision', tags, params: IncidentParams, query: AsOfQuery, responses: { 200: { description: 'The incident' } } },
    async ({ params, query }, _req, res) => {
      const summary = await known(params.id, query.asOf);
      res.set('ETag', etag(summary.revision)).json(summary);
    },
  );

  def(
    { method: 'post', path: '/incidents/:id/revisions', role: 'editor', summary: 'Revise the title or summary', tags, params: IncidentParams, body: ReviseIncidentBody, responses: { 201: { description: 'Revised', schema: AppendedAnswer } } },
    async ({ params, body }, req, res) => {
      const result = await ledger.handle(params.id, { type: 'ReviseIncidentDetails', data: body }, commandContext(req));
      res.status(201).set('ETag', etag(result.revision)).json({ revision: result.revision });
    },
  );

  def(
    { method: 'post', path: '/incidents/:id/assertions', role: 'reporter', summary: 'Record what a source asserted', tags, params: IncidentParams, body: RecordAssertionBody, responses: { 201: { description: 'Recorded', schema: CreatedAssertion } } },
    async ({ params, body }, req, res) => {
      const ctx = commandContext(req);
      const assertionId = ledger.newId(ctx);
      const result = await ledger.handle(params.id, { type: 'RecordAssertion', data: { assertionId, ...body } }, ctx);
      res.status(201).location(`/api/incidents/${params.id}/assertions/${assertionId}/history`).set('ETag', etag(result.revision)).json({ assertionId, revision: result.revision });
    },
  );

  def(
    { method: 'post', path: '/incidents/:id/assertions/:aid/corrections', role: 'editor', summary: 'Correct how an assertion was recorded', tags, params: AssertionParams, body: CorrectAssertionBody, responses: { 201: { description: 'Corrected', schema: AppendedAnswer } } },
    async ({ params, body }, req, res) => {
      const result = await ledger.handle(params.id, { type: 'CorrectAssertion', data: { assertionId: params.aid, ...body } }, commandContext(req));
      res.status(201).set('ETag', etag(result.revision)).json({ assertionId: params.aid, revision: result.revision });
    },
  );

  def(
    { method: 'post', path: '/incidents/:id/assertions/:aid/retractions', role: 'editor', summary: 'Retract an assertion', tags, params: AssertionParams, body: RetractAssertionBody, responses: { 201: { description: 'Retracted', schema: AppendedAnswer } } },
    async ({ params, body }, req, res) => {
      const result = await ledger.handle(params.id, { type: 'RetractAssertion', data: { assertionId: params.aid, ...body } }, commandContext(req));
      res.status(201).set('ETag', etag(result.revision)).json({ assertionId: params.aid, revision: result.revision });
    },
  );

  def(
    { method: 'post', path: '/incidents/:id/facts/:fact/assessments', role: 'editor', summary: 'Rule on a disputed fact', tags, params: FactParams, body: AssessFactBody, responses: { 201: { description: 'Assessed', schema: AppendedAnswer } } },
    async ({ params, body }, req, res) => {
      const result = await ledger.handle(params.id, { type: 'AssessFact', data: { fact: params.fact, ...body } }, commandContext(req));
      res.status(201).set('ETag', etag(result.revision)).json({ fact: params.fact, revision: result.revision });
    },
  );

  const view = (path: string, summary: string, read: (id: string, asOf?: Date) => Promise<{ revision: number } | undefined>) =>
    def(
      { method: 'get', path, role: 'reader', summary, tags, params: IncidentParams, query: AsOfQuery, responses: { 200: { description: summary } } },
      async ({ params, query }, _req, res) => {
        // The views fold to an empty one (revision -1) before the incident was opened: that is a 404 too.
        await known(params.id, query.asOf);
        const body = await read(params.id, query.asOf);
        if (!body) throw notFound(`no incident ${params.id}`);
        sendView(res.set('ETag', etag(body.revision)), body);
      },
    );
  view('/incidents/:id/timeline', 'The timeline in valid-time order', (id, asOf) => readModels.timeline(id, asOf));
  view('/incidents/:id/facts', 'Every live fact with its status', (id, asOf) => readModels.facts(id, asOf));
  view('/incidents/:id/disputes', 'Disputed facts, positions side by side', (id, asOf) => readModels.disputes(id, asOf));

  def(
    { method: 'get', path: '/incidents/:id/facts/:fact/history', role: 'reader', summary: "Every change to a fact", tags, params: FactParams, query: AsOfQuery, responses: { 200: { description: 'Revisions' } } },
    async ({ params, query }, _req, res) => {
      await known(params.id, query.asOf);
      const history = await readModels.factHistory(params.id, params.fact, query.asOf);
      if (!history || history.revisions.length === 0) throw notFound(`no fact ${params.fact} in incident ${params.id}`);
      sendView(res.set('ETag', etag(history.revision)), history);
    },
  );

  def(
    { method: 'get', path: '/incidents/:id/assertions/:aid/history', role: 'reader', summary: 'Every change to an assertion', tags, params: AssertionParams, query: AsOfQuery, responses: { 200: { description: 'Revisions' } } },
    async ({ params, query }, _req, res) => {
      await known(params.id, query.asOf);
      const history = await readModels.assertionHistory(params.id, params.aid, query.asOf);
      if (!history || history.revisions.length === 0) throw notFound(`no assertion ${params.aid} in incident ${params.id}`);
      sendView(res.set('ETag', etag(history.revision)), history);
    },
  );

  return router;
}
