/**
 * The stand-in answers the real client as EventStoreDB does. These tests talk to it through
 * @eventstore/db-client directly, without the adapter, so a divergence from the server's
 * documented behaviour shows here first.
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  streamNameFilter,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type EventData,
  type Position,
} from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newStream, rejectionOf } from '../store/fixtures.js';
import { EsdbStandIn } from './stand-in/index.js';

const events = (n: number, label = 'e'): EventData[] => Array.from({ length: n }, (_, i) => jsonEvent({ type: 'Noted', data: { label, i } }));

async function drain<T>(read: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of read) all.push(item);
  return all;
}

describe.each([
  { path: 'BatchAppend', batchAppend: true },
  { path: 'Append', batchAppend: false },
])('the EventStoreDB stand-in, appending through $path', ({ batchAppend }) => {
  let standIn: EsdbStandIn;
  let client: EventStoreDBClient;
  beforeAll(async () => {
    standIn = await EsdbStandIn.start({ batchAppend });
    client = EventStoreDBClient.connectionString(standIn.connectionString);
  });
  afterAll(async () => {
    await client.dispose();
    await standIn.stop();
  });

  it('takes the path the server features advertise', async () => {
    await client.appendToStream(newStream(), events(1));
    expect(batchAppend ? standIn.calls.batchAppend : standIn.calls.append).toBeGreaterThan(0);
    expect(batchAppend ? standIn.calls.append : standIn.calls.batchAppend).toBe(0);
  });

  it('answers a wrong expected revision with the current and the expected revision', async () => {
    const stream = newStream();
    await client.appendToStream(stream, events(2), { expectedRevision: NO_STREAM });
    await expect(client.appendToStream(stream, events(1), { expectedRevision: 5n })).rejects.toMatchObject({
      streamName: stream,
      expectedVersion: 5n,
      actualVersion: 1n,
    });
    const error = await rejectionOf(client.appendToStream(stream, events(1), { expectedRevision: NO_STREAM }));
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ expectedVersion: 'no_stream', actualVersion: 1n });
    await expect(client.appendToStream(newStream(), events(1), { expectedRevision: STREAM_EXISTS })).rejects.toMatchObject({
      expectedVersion: 'stream_exists',
      actualVersion: 'no_stream',
    });
  });

  it('answers a resend of the same ids from the expected revision on with success, writing nothing', async () => {
    const stream = newStream();
    const batch = events(2);
    const first = await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM });
    await client.appendToStream(stream, events(1), { expectedRevision: 1n });
    const written = standIn.log.written;
    const again = await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM });
    expect(again).toMatchObject({ success: true, nextExpectedRevision: 1n, position: first.position });
    expect(standIn.log.written).toBe(written);
    // "Any" looks the ids up wherever they are in the stream.
    expect(await client.appendToStream(stream, batch)).toMatchObject({ success: true, nextExpectedRevision: 1n });
    expect(standIn.log.written).toBe(written);
  });

  it('refuses a resend that repeats only part of a batch', async () => {
    const stream = newStream();
    const batch = events(2);
    await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM });
    await expect(client.appendToStream(stream, [batch[0]!, ...events(1)], { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
  });

  it('gives every event its own increasing position, commit = prepare', async () => {
    const stream = newStream();
    const result = await client.appendToStream(stream, events(3));
    const read = await drain(client.readStream(stream));
    const positions = read.map((r) => r.event!.position!);
    expect(positions.every((p) => p.commit === p.prepare)).toBe(true);
    expect(positions[1]!.commit).toBeGreaterThan(positions[0]!.commit);
    expect(positions[2]!.commit).toBeGreaterThan(positions[1]!.commit);
    expect(result.position).toEqual(positions[2]);
  });
});

describe('the EventStoreDB stand-in, reading and subscribing', () => {
  let standIn: EsdbStandIn;
  let client: EventStoreDBClient;
  beforeAll(async () => {
    standIn = await EsdbStandIn.start();
    client = EventStoreDBClient.connectionString(standIn.connectionString);
  });
  afterAll(async () => {
    await client.dispose();
    await standIn.stop();
  });

  it('answers a read of a missing stream with stream_not_found', async () => {
    await expect(drain(client.readStream(newStream()))).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('reads a stream forwards and backwards, from a revision, with a count', async () => {
    const stream = newStream();
    await client.appendToStream(stream, events(5));
    const revisions = async (read: AsyncIterable<{ event?: { revision: bigint } }>) => (await drain(read)).map((r) => r.event!.revision);
    expect(await revisions(client.readStream(stream, { fromRevision: 2n, maxCount: 2 }))).toEqual([2n, 3n]);
    expect(await revisions(client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 2 }))).toEqual([4n, 3n]);
    expect(await revisions(client.readStream(stream, { direction: BACKWARDS, fromRevision: 9n }))).toEqual([4n, 3n, 2n, 1n, 0n]);
    expect(await revisions(client.readStream(stream, { fromRevision: 5n }))).toEqual([]);
  });

  it('starts a forwards $all read at the given position and a backwards one just before it', async () => {
    const stream = newStream();
    await client.appendToStream(stream, events(3));
    const [, middle] = (await drain(client.readStream(stream))).map((r) => r.event!.position!);
    const ids = (read: AllStreamResolvedEvent[]) => read.map((r) => r.event!.position.commit);
    const forwards = ids(await drain(client.readAll({ fromPosition: middle!, direction: FORWARDS, maxCount: 2 })));
    const backwards = ids(await drain(client.readAll({ fromPosition: middle!, direction: BACKWARDS, maxCount: 1 })));
    expect(forwards[0]).toBe(middle!.commit);
    expect(backwards[0]).toBeLessThan(middle!.commit);
  });

  it('begins $all with a system event, as a fresh database does', async () => {
    const [first] = await drain(client.readAll({ fromPosition: START, maxCount: 1 }));
    expect(first!.event!.streamId.startsWith('$')).toBe(true);
  });

  it('confirms a filtered subscription first, then sends matching events, a checkpoint and caught_up', async () => {
    const prefix = `alpha${Date.now()}-`;
    await client.appendToStream(`${prefix}1`, events(2));
    await client.appendToStream(newStream(), events(2));
    const checkpoints: Position[] = [];
    const order: string[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({ prefixes: [prefix], checkpointReached: (_, position) => void checkpoints.push(position) }),
    });
    subscription.on('confirmation', () => order.push('confirmation'));
    subscription.on('caughtUp', () => order.push('caughtUp'));
    subscription.on('data', (resolved: AllStreamResolvedEvent) => order.push(resolved.event!.streamId));
    try {
      await vi.waitFor(() => expect(order).toContain('caughtUp'));
      await client.appendToStream(`${prefix}2`, events(1));
      await vi.waitFor(() => expect(order).toEqual(['confirmation', `${prefix}1`, `${prefix}1`, 'caughtUp', `${prefix}2`]));
      expect(checkpoints.length).toBeGreaterThan(0);
    } finally {
      await subscription.unsubscribe();
    }
  });

  it('subscribes strictly after a position', async () => {
    const stream = newStream();
    const { position } = await client.appendToStream(stream, events(2));
    const seen: string[] = [];
    const subscription = client.subscribeToAll({ fromPosition: position! });
    subscription.on('data', (resolved: AllStreamResolvedEvent) => seen.push(resolved.event!.streamId));
    try {
      await client.appendToStream(stream, events(1));
      await vi.waitFor(() => expect(seen).toEqual([stream]));
    } finally {
      await subscription.unsubscribe();
    }
  });

  it('forgets everything on reset, ending open subscriptions', async () => {
    const errors: unknown[] = [];
    const subscription = client.subscribeToAll({ fromPosition: END });
    subscription.on('error', (error) => errors.push(error));
    subscription.on('data', () => undefined);
    await new Promise((resolve) => subscription.once('confirmation', resolve));
    standIn.reset();
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(await drain(client.readAll())).toHaveLength(1);
    expect(standIn.log.written).toBe(0);
  });
});
