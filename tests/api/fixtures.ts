/**
 * Small builders and expectations for the API suite: requests read as what they do
 * (`recordAssertion(api, incident, {fact, value})`), and every refusal is checked the same way.
 */
import { expect } from 'vitest';
import type { Response } from 'supertest';
import { ulid } from 'ulid';
import type { Role } from '../../api/auth.js';
import type { ApiUnderTest } from './harness.js';

export type Json = Record<string, unknown>;

// ── values ───────────────────────────────────────────────────────────────────────────────────

export const quantity = (value: number, extra: Json = {}): Json => ({ type: 'quantity', value, ...extra });
export const about = (value: number): Json => quantity(value, { approximate: true });
export const yes: Json = { type: 'boolean', value: true };
export const no: Json = { type: 'boolean', value: false };
export const text = (value: string): Json => ({ type: 'text', value });

/** A syntactically valid id that names nothing in the ledger. */
export const unknownId = (): string => ulid();

// ── responses ────────────────────────────────────────────────────────────────────────────────

/** The response, when it has the status; otherwise a failure that shows the body. */
export function expectStatus(res: Response, status: number): Json {
  expect(res.status, `${res.status} ${JSON.stringify(res.body)}`).toBe(status);
  return res.body as Json;
}

export const etagOf = (revision: number): string => `"${revision}"`;

/** An RFC 9457 problem: the right status, media type and the four members every problem has. */
export function expectProblem(res: Response, status: number, typeEndsWith?: string): Json {
  const body = expectStatus(res, status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  expect(body.title).not.toBe('');
  expect(body.detail).not.toBe('');
  if (typeEndsWith) expect(body.type).toMatch(new RegExp(`/${typeEndsWith}$`));
  return body;
}

/** The field paths of a validation problem, each with a message. */
function fieldPaths(problem: Json): string[] {
  const errors = problem.errors as Array<{ path: string; message: string }> | undefined;
  expect(errors, 'a validation problem lists errors').toBeInstanceOf(Array);
  for (const e of errors!) expect(e.message, `a message for ${e.path}`).toMatch(/\S/);
  return errors!.map((e) => e.path);
}

/** Sends a request that must be refused with `status`, and proves it left the ledger as it was. */
export async function expectRefused(api: ApiUnderTest, send: () => PromiseLike<Response>, status: number, typeEndsWith?: string): Promise<Json> {
  const before = await api.ledgerDigest();
  const problem = expectProblem(await send(), status, typeEndsWith);
  expect(await api.ledgerDigest(), 'a refused request changes nothing').toEqual(before);
  return problem;
}

/** A 400 naming exactly these field paths (in any order), with the ledger unchanged. */
export async function expectInvalid(api: ApiUnderTest, send: () => PromiseLike<Response>, paths: string[]): Promise<void> {
  const problem = await expectRefused(api, send, 400, 'validation');
  expect(fieldPaths(problem).sort()).toEqual([...paths].sort());
}

// ── writes through the API ───────────────────────────────────────────────────────────────────

export interface Opened {
  id: string;
  revision: number;
}

export async function openIncident(api: ApiUnderTest, title = `Incident ${ulid()}`, as: Role = 'reporter'): Promise<Opened> {
  return expectStatus(await api.as(as).post('/api/incidents').send({ title }), 201) as unknown as Opened;
}

export async function registerSource(api: ApiUnderTest, name: string, kind = 'agency'): Promise<string> {
  return expectStatus(await api.as('reporter').post('/api/sources').send({ name, kind }), 201).id as string;
}

export interface AssertionInput {
  fact: string;
  value: Json;
  sourceId: string;
  validTime?: string;
  citation?: Json;
  quote?: string;
}

export interface Recorded {
  assertionId: string;
  revision: number;
}

export async function recordAssertion(api: ApiUnderTest, incidentId: string, body: AssertionInput): Promise<Recorded> {
  return expectStatus(await api.as('reporter').post(`/api/incidents/${incidentId}/assertions`).send(body), 201) as unknown as Recorded;
}

export async function correct(api: ApiUnderTest, incidentId: string, assertionId: string, change: Json): Promise<number> {
  const res = await api.as('editor').post(`/api/incidents/${incidentId}/assertions/${assertionId}/corrections`).send({ reason: 'mistyped on entry', ...change });
  return expectStatus(res, 201).revision as number;
}

export async function retract(api: ApiUnderTest, incidentId: string, assertionId: string): Promise<number> {
  const res = await api.as('editor').post(`/api/incidents/${incidentId}/assertions/${assertionId}/retractions`).send({ reason: 'recorded in error' });
  return expectStatus(res, 201).revision as number;
}

/** An incident with one registered source and one assertion from it: the smallest thing most tests need. */
export interface Scenario {
  incidentId: string;
  sourceId: string;
  assertionId: string;
  /** The incident's revision after the assertion. */
  revision: number;
}

export async function scenario(api: ApiUnderTest, fact = 'users.worldwide', value: Json = about(170_000)): Promise<Scenario> {
  const incident = await openIncident(api);
  const sourceId = await registerSource(api, `Source ${ulid()}`);
  const { assertionId, revision } = await recordAssertion(api, incident.id, { fact, value, sourceId });
  return { incidentId: incident.id, sourceId, assertionId, revision };
}

/** Lets the server clock move on, so an instant taken now falls strictly between two writes. */
export const tick = (ms = 15): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
