/**
 * One HTTP app on a given EventStore, for the API suite: the real composition root (openServices,
 * createApp) with a silent logger, one token per role, a generous rate limit, and the store's
 * state reduced to a digest so a test can prove a refused request changed nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app.js';
import { TokenRegistry, type Role } from '../../api/auth.js';
import { openServices, type Services } from '../../src/app/services.js';
import type { EventStore } from '../../src/store/port.js';

export interface StoreUnderTest {
  store: EventStore;
  /** Runs after the services (and so the store) have closed: stop stand-ins, remove files. */
  cleanup?: () => Promise<void>;
}
export type StoreFactory = () => Promise<StoreUnderTest>;

export const ROLES = ['reader', 'reporter', 'editor', 'auditor', 'admin'] as const satisfies readonly Role[];

/** Each role's actor is named after it; secrets are long enough for the registry's 16-character rule. */
export const secretOf = (role: Role): string => `${role}-secret-0123456789abcdef`;
const TOKENS = ROLES.map((role) => `${role}:${role}:${secretOf(role)}`).join(',');

/** The request body limit the suite's app runs with, so a 413 is cheap to provoke. */
export const BODY_LIMIT_BYTES = 16 * 1024;

type Method = 'get' | 'post';
export type Client = Record<Method, (path: string) => request.Test>;

/** A snapshot of everything the store holds: its head and the last hash of every stream. */
export interface LedgerDigest {
  /** Global position of the last event in $all; -1 when empty. */
  head: number;
  streams: Record<string, { revision: number; hash: string }>;
}

export interface ApiUnderTest {
  readonly services: Services;
  readonly store: EventStore;
  /** The app listening on an ephemeral port of 127.0.0.1 (for raw requests such as server-sent events). */
  readonly baseUrl: string;
  /** Requests carrying the bearer token of that role's actor. */
  as(role: Role): Client;
  /** Requests with no Authorization header. */
  anonymous(): Client;
  /** Requests carrying an arbitrary Authorization header value. */
  withAuthorization(value: string): Client;
  ledgerDigest(): Promise<LedgerDigest>;
  /** Failures the services reported off the request path (projection runner, log follower). */
  readonly backgroundErrors: readonly Error[];
  close(): Promise<void>;
}

function client(server: Server, authorization?: string): Client {
  const agent = request(server);
  const authorize = (test: request.Test) => (authorization === undefined ? test : test.set('Authorization', authorization));
  return { get: (path) => authorize(agent.get(path)), post: (path) => authorize(agent.post(path)) };
}

export async function openApiUnderTest(factory: StoreFactory): Promise<ApiUnderTest> {
  const { store, cleanup } = await factory();
  const logger = pino({ level: 'silent' });
  const backgroundErrors: Error[] = [];
  const services = await openServices({ store: store.kind === 'sqlite' ? 'sqlite' : 'esdb', eventStore: store, onError: (e) => backgroundErrors.push(e) });
  await services.ready;
  const { app } = createApp({
    services,
    tokens: TokenRegistry.fromConfig({ tokens: TOKENS }),
    logger,
    publicRead: false,
    bodyLimit: `${BODY_LIMIT_BYTES}b`,
    rateLimitPerMinute: 1_000_000,
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const digested: LedgerDigest = { head: -1, streams: {} };

  return {
    services,
    store,
    baseUrl: `http://127.0.0.1:${port}`,
    backgroundErrors,
    as: (role) => client(server, `Bearer ${secretOf(role)}`),
    anonymous: () => client(server),
    withAuthorization: (value) => client(server, value),
    async ledgerDigest() {
      // The store is append-only, so the fold of $all carries on from where the last digest
      // stopped; the last position it reached is the store's head.
      for await (const event of store.readAll(digested.head < 0 ? {} : { after: digested.head })) {
        digested.streams[event.stream] = { revision: event.revision, hash: event.metadata.hash };
        digested.head = event.position;
      }
      return { head: digested.head, streams: { ...digested.streams } };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
      await cleanup?.();
    },
  };
}
