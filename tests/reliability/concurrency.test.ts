import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { StoredEvent } from '../../events/index.js';
import type { RunningServer } from '../../src/server.js';
import type { AppendResult, EventHandler, EventStore, ExpectedRevision, NewEvent, ReadAllOptions, ReadStreamOptions, SubscribeOptions, Subscription } from '../../src/store/port.js';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import { allEvents, call, Created, CreatedAssertion, expectJson, ProblemShape, SECRETS, startInProcess } from './helpers.js';

/**
 * Concurrency over real sockets: twenty writers at once against one server. better-sqlite3 is
 * synchronous, but requests interleave at every await between load, decide and append.
 */

const EDITORS = 20;
const editorSecret = (i: number) => `editor-${i}-secret-0123456789abcdef`;
const TOKENS = [`admin-actor:admin:${SECRETS.admin}`, ...Array.from({ length: EDITORS }, (_, i) => `editor-${i}:editor:${editorSecret(i)}`)].join(',');

/**
 * The SQLite store answers synchronously, so in one process a command's load, decide and append
 * never interleave with another's. A store over the network (EventStoreDB) does: this one waits
 * a few random milliseconds before every read and append, as a network would.
 */
class LaggingStore implements EventStore {
  readonly kind = 'lagging-sqlite';
  constructor(private readonly inner: EventStore) {}
  private lag(): Promise<void> {
    return new Promise((r) => setTimeout(r, Math.random() * 4));
  }
  async append(stream: string, events: NewEvent[], expected?: ExpectedRevision): Promise<AppendResult> {
    await this.lag();
    return this.inner.append(stream, events, expected);
  }
  async readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    await this.lag();
    return this.inner.readStream(stream, options);
  }
  async streamRevision(stream: string): Promise<number> {
    await this.lag();
    return this.inner.streamRevision(stream);
  }
  readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent> {
    return this.inner.readAll(options);
  }
  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }
  subscribeToAll(handler: EventHandler, options?: SubscribeOptions): Subscription {
    return this.inner.subscribeToAll(handler, options);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const Revisions = z.object({ revisions: z.array(z.object({ revision: z.number().int(), type: z.string(), actor: z.string() })) });

describe.each([
  { store: 'sqlite', lagging: false },
  { store: 'sqlite behind a lagging, network-like wrapper', lagging: true },
])('concurrent writers ($store)', ({ lagging }) => {
  let running: RunningServer;
  let base: string;
  let incidentId: string;
  let sourceId: string;

  beforeAll(async () => {
    running = await startInProcess(
      { LEDGER_TOKENS: TOKENS, LEDGER_RATE_LIMIT: '0' },
      undefined,
      lagging ? { eventStore: new LaggingStore(new SqliteEventStore(':memory:')) } : {},
    );
    base = running.url;
    sourceId = expectJson(Created, await call(base, 'POST', '/api/sources', { token: SECRETS.admin, body: { name: 'Europol', kind: 'agency' } }), 201).id;
    incidentId = expectJson(Created, await call(base, 'POST', '/api/incidents', { token: SECRETS.admin, body: { title: 'Sky ECC' } }), 201).id;
  });
  afterAll(async () => {
    await running?.close();
  });

  const record = async (fact: string, value: number) =>
    expectJson(
      CreatedAssertion,
      await call(base, 'POST', `/api/incidents/${incidentId}/assertions`, { token: SECRETS.admin, body: { fact, value: { type: 'quantity', value }, sourceId } }),
      201,
    );

  it('20 editors with the same If-Match: exactly one correction lands, 19 get 409, history shows one', async () => {
    const { assertionId, revision } = await record('users.worldwide', 170_000);
    const answers = await Promise.all(
      Array.from({ length: EDITORS }, (_, i) =>
        call(base, 'POST', `/api/incidents/${incidentId}/assertions/${assertionId}/corrections`, {
          token: editorSecret(i),
          headers: { 'if-match': `"${revision}"` },
          body: { reason: `editor ${i} fixes the figure`, value: { type: 'quantity', value: 171_000 + i } },
        }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(EDITORS - 1);
    for (const conflict of answers.filter((a) => a.status === 409)) {
      expect(conflict.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(ProblemShape.parse(conflict.json).status).toBe(409);
    }
    const winner = answers.findIndex((a) => a.status === 201);

    const history = expectJson(Revisions, await call(base, 'GET', `/api/incidents/${incidentId}/assertions/${assertionId}/history`, { token: SECRETS.admin }), 200);
    const corrections = history.revisions.filter((r) => r.type === 'AssertionCorrected');
    expect(corrections).toHaveLength(1);
    expect(corrections[0]!.actor).toBe(`editor-${winner}`);
    const events = await allEvents(base, SECRETS.admin, incidentId);
    expect(events.filter((e) => e.type === 'AssertionCorrected' && e.data.assertionId === assertionId)).toHaveLength(1);
    expect(events.at(-1)!.data).toMatchObject({ assertionId, value: { type: 'quantity', value: 171_000 + winner } });
  });

  it('20 editors without If-Match on 20 assertions: all land, revisions distinct and contiguous, none lost', async () => {
    const targets: string[] = [];
    for (let i = 0; i < EDITORS; i++) targets.push((await record(`searches.s${i}`, i + 1)).assertionId);
    const before = (await allEvents(base, SECRETS.admin, incidentId)).length;

    const answers = await Promise.all(
      targets.map((assertionId, i) =>
        call(base, 'POST', `/api/incidents/${incidentId}/assertions/${assertionId}/corrections`, {
          token: editorSecret(i),
          body: { reason: 'mistyped', value: { type: 'quantity', value: 1000 + i } },
        }),
      ),
    );
    expect(answers.map((a) => `${a.status} ${a.status === 201 ? '' : a.text}`)).toEqual(answers.map(() => '201 '));
    const revisions = answers.map((a) => z.object({ revision: z.number().int() }).parse(a.json).revision);
    expect(new Set(revisions).size).toBe(EDITORS);
    expect([...revisions].sort((a, b) => a - b)).toEqual(Array.from({ length: EDITORS }, (_, i) => before + i));

    const events = await allEvents(base, SECRETS.admin, incidentId);
    expect(events.map((e) => e.revision)).toEqual(events.map((_e, i) => i));
    expect(events).toHaveLength(before + EDITORS);
    targets.forEach((assertionId, i) => {
      const mine = events.filter((e) => e.type === 'AssertionCorrected' && e.data.assertionId === assertionId);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.revision).toBe(revisions[i]);
      expect(mine[0]!.metadata.actor).toBe(`editor-${i}`);
    });
  });

  it('20 concurrent retries with one Idempotency-Key append once and all get the first answer', async () => {
    const before = (await allEvents(base, SECRETS.admin, incidentId)).length;
    const body = { fact: 'messages.daily', value: { type: 'quantity', value: 3_000_000, approximate: true }, sourceId };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(base, 'POST', `/api/incidents/${incidentId}/assertions`, { token: SECRETS.admin, headers: { 'idempotency-key': 'retry-storm-1' }, body }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    const bodies = new Set(answers.map((a) => a.text));
    expect(bodies.size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    const { assertionId } = CreatedAssertion.parse(answers[0]!.json);
    const events = await allEvents(base, SECRETS.admin, incidentId);
    expect(events).toHaveLength(before + 1);
    expect(events.filter((e) => e.type === 'AssertionRecorded' && e.data.assertionId === assertionId)).toHaveLength(1);

    // The same key for another request is refused, and appends nothing either.
    const reused = await call(base, 'POST', `/api/incidents/${incidentId}/assertions`, {
      token: SECRETS.admin,
      headers: { 'idempotency-key': 'retry-storm-1' },
      body: { ...body, value: { type: 'quantity', value: 1 } },
    });
    expect(reused.status).toBe(422);
    expect(await allEvents(base, SECRETS.admin, incidentId)).toHaveLength(before + 1);
  });

  it('20 concurrent retries of "open an incident" with one key open one incident', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => call(base, 'POST', '/api/incidents', { token: SECRETS.admin, headers: { 'idempotency-key': 'open-once' }, body: { title: 'opened once' } })),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(new Set(answers.map((a) => Created.parse(a.json).id)).size).toBe(1);
    const list = z
      .object({ incidents: z.array(z.object({ id: z.string(), title: z.string() })) })
      .parse((await call(base, 'GET', '/api/incidents?q=opened%20once&limit=500', { token: SECRETS.admin })).json);
    expect(list.incidents.filter((i) => i.title === 'opened once')).toHaveLength(1);
  });
});
