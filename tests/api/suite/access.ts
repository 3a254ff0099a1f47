import { beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../api/auth.js';
import { ROLES, secretOf, type Client } from '../harness.js';
import { about, expectProblem, expectRefused, expectStatus, scenario, type Json, type Scenario } from '../fixtures.js';
import type { ApiSuiteContext } from './context.js';

interface Route {
  method: 'get' | 'post';
  path: (s: Scenario) => string;
  body?: (s: Scenario) => Json;
  /** The least role DESIGN.md names for the route. */
  needs: Role;
}

/** Every route of the contract, with the role it needs and a request that would be valid. */
const ROUTES: Record<string, Route> = {
  'open an incident': { method: 'post', path: () => '/api/incidents', body: () => ({ title: 'Access check' }), needs: 'reporter' },
  'list incidents': { method: 'get', path: () => '/api/incidents', needs: 'reader' },
  'read an incident': { method: 'get', path: (s) => `/api/incidents/${s.incidentId}`, needs: 'reader' },
  'register a source': { method: 'post', path: () => '/api/sources', body: () => ({ name: 'Access check', kind: 'agency' }), needs: 'reporter' },
  'list sources': { method: 'get', path: () => '/api/sources', needs: 'reader' },
  'record an assertion': { method: 'post', path: (s) => `/api/incidents/${s.incidentId}/assertions`, body: (s) => ({ fact: 'users.worldwide', value: about(170_000), sourceId: s.sourceId }), needs: 'reporter' },
  'correct an assertion': { method: 'post', path: (s) => `/api/incidents/${s.incidentId}/assertions/${s.assertionId}/corrections`, body: () => ({ reason: 'typo', value: about(1) }), needs: 'editor' },
  'retract an assertion': { method: 'post', path: (s) => `/api/incidents/${s.incidentId}/assertions/${s.assertionId}/retractions`, body: () => ({ reason: 'error' }), needs: 'editor' },
  'assess a fact': { method: 'post', path: (s) => `/api/incidents/${s.incidentId}/facts/users.worldwide/assessments`, body: (s) => ({ preferred: [s.assertionId], rationale: 'r' }), needs: 'editor' },
  'read the timeline': { method: 'get', path: (s) => `/api/incidents/${s.incidentId}/timeline`, needs: 'reader' },
  'read the facts': { method: 'get', path: (s) => `/api/incidents/${s.incidentId}/facts`, needs: 'reader' },
  'read the disputes': { method: 'get', path: (s) => `/api/incidents/${s.incidentId}/disputes`, needs: 'reader' },
  'read a fact history': { method: 'get', path: (s) => `/api/incidents/${s.incidentId}/facts/users.worldwide/history`, needs: 'reader' },
  'read an assertion history': { method: 'get', path: (s) => `/api/incidents/${s.incidentId}/assertions/${s.assertionId}/history`, needs: 'reader' },
  'read raw events': { method: 'get', path: (s) => `/api/incidents/${s.incidentId}/events`, needs: 'auditor' },
  'read a source’s raw events': { method: 'get', path: (s) => `/api/sources/${s.sourceId}/events`, needs: 'auditor' },
  'read a digest': { method: 'get', path: (s) => `/api/incidents/${s.incidentId}/digest`, needs: 'auditor' },
  'read the checkpoint': { method: 'get', path: () => '/api/audit/checkpoint', needs: 'auditor' },
  'ask for an inclusion proof': { method: 'get', path: () => `/api/audit/proofs/inclusion?eventId=00000000000000000000000000`, needs: 'auditor' },
  'ask for a consistency proof': { method: 'get', path: () => '/api/audit/proofs/consistency?from=1', needs: 'auditor' },
  'verify the ledger': { method: 'post', path: () => '/api/audit/verify', body: () => ({}), needs: 'auditor' },
  'follow an incident live': { method: 'get', path: (s) => `/api/incidents/${s.incidentId}/live`, needs: 'reader' },
};

/** reader < reporter < editor; auditor = reader + audit; admin = all. */
const GRANTED: Record<Role, Role[]> = {
  reader: ['reader'],
  reporter: ['reader', 'reporter'],
  editor: ['reader', 'reporter', 'editor'],
  auditor: ['reader', 'auditor'],
  admin: ['reader', 'reporter', 'editor', 'auditor', 'admin'],
};

const refusals = Object.entries(ROUTES).flatMap(([name, route]) =>
  ROLES.filter((role) => !GRANTED[role].includes(route.needs)).map((role) => ({ name, role, route })),
);

/** 401 and 403: who may call what, and that a refused caller changed nothing. */
export function describeAccess(t: ApiSuiteContext): void {
  let s: Scenario;
  beforeAll(async () => {
    s = await scenario(t.api);
  });

  const send = (client: Client, route: Route) => () => {
    const request = client[route.method](route.path(s));
    return route.body ? request.send(route.body(s)) : request;
  };

  describe('401: no or bad token', () => {
    it.each(Object.entries(ROUTES))('%s needs a token', async (_name, route) => {
      const problem = await expectRefused(t.api, send(t.api.anonymous(), route), 401, 'unauthorized');
      expect(problem.detail).toMatch(route.needs);
    });

    it.each([
      ['an unknown secret', 'Bearer not-a-configured-secret-at-all'],
      ['a known secret in the wrong scheme', `Basic ${secretOf('admin')}`],
      ['an empty bearer', 'Bearer '],
      ['a secret with a character too many', `Bearer ${secretOf('admin')}x`],
    ])('refuses %s with 401 and a WWW-Authenticate challenge', async (_name, authorization) => {
      const before = await t.api.ledgerDigest();
      const res = await t.api.withAuthorization(authorization).post('/api/incidents').send({ title: 'Bad token' });
      expectProblem(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(await t.api.ledgerDigest()).toEqual(before);
      expectProblem(await t.api.withAuthorization(authorization).get('/api/incidents'), 401, 'unauthorized');
    });
  });

  describe('403: the wrong role', () => {
    it.each(refusals)('$role may not $name', async ({ role, route }) => {
      const problem = await expectRefused(t.api, send(t.api.as(role), route), 403, 'forbidden');
      expect(problem.detail).toContain(route.needs);
    });
  });

  it('lets every role that holds the right through, admin everywhere', async () => {
    const reads = Object.entries(ROUTES).filter(([name, r]) => r.method === 'get' && !['follow an incident live', 'ask for an inclusion proof'].includes(name));
    for (const [name, route] of reads) {
      for (const role of ROLES.filter((r) => GRANTED[r].includes(route.needs))) {
        expect((await send(t.api.as(role), route)()).status, `${role} may ${name}`).toBe(200);
      }
    }
    const correction = ROUTES['correct an assertion']!;
    expectStatus(await t.api.as('admin').post(correction.path(s)).send({ reason: 'admin may', value: about(171_000) }), 201);
  });
}
