import { Router } from 'express';
import { routesOn } from '../route.js';
import { CreatedSource, RegisterSourceBody, SourceListQuery } from '../schemas.js';
import { commandContext, etag, type RouteDeps } from './incidents.js';

export function sourceRoutes({ ledger, readModels, registry, publicRead, caughtUp }: RouteDeps): Router {
  const router = Router();
  const tags = ['sources'];
  const def = routesOn(router, registry, { publicRead, prefix: '/api' });
  def(
    { method: 'post', path: '/sources', role: 'reporter', summary: 'Register a source', tags, body: RegisterSourceBody, responses: { 201: { description: 'Registered', schema: CreatedSource } } },
    async ({ body }, req, res) => {
      const ctx = { ...commandContext(req), expectedRevision: undefined };
      const id = ledger.newId(ctx);
      const result = await ledger.registerSource({ type: 'RegisterSource', data: { sourceId: id, ...body } }, ctx);
      await caughtUp(result.position);
      res.status(201).location(`/api/sources/${id}`).set('ETag', etag(result.revision)).json({ id, revision: result.revision });
    },
  );
  def(
    { method: 'get', path: '/sources', role: 'reader', summary: 'List sources', tags, query: SourceListQuery, responses: { 200: { description: 'A page of sources' } } },
    async ({ query }, _req, res) => {
      res.json(await readModels.listSources(query));
    },
  );
  return router;
}
