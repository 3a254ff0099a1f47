import { WrongExpectedVersionError, type EventStoreDBClient } from '@eventstore/db-client';
import { ZERO_HASH, type StoredEvent } from '../../../events/index.js';
import { ConcurrencyError, IdempotencyConflictError, StoreUnavailableError } from '../errors.js';
import { canonicalJson, sealEvents } from '../hash-chain.js';
import type { AppendResult, ExpectedRevision, NewEvent, ReadStreamOptions } from '../port.js';
import { exactRevision, revisionFromClient, satisfiesExpectedRevision } from './expected-revision.js';
import { toEventData } from './records.js';

/** Reads one stream as the port does: [] when it does not exist. */
export type ReadStream = (stream: string, options?: ReadStreamOptions) => Promise<StoredEvent[]>;

/** How often an 'any' / 'stream_exists' append re-reads the tail after losing a race, before giving up. */
const MAX_ATTEMPTS = 10;

const RACED = Symbol('raced');

interface ChainLink {
  revision: number;
  hash: string;
}

const GENESIS: ChainLink = { revision: -1, hash: ZERO_HASH };

/**
 * Appends with the stream hash chain intact. The chain is sealed onto the last event the
 * adapter read, and the append carries that exact revision, so a concurrent writer makes the
 * server refuse the append instead of letting the chain fork. Only 'any' and 'stream_exists'
 * (where the caller does not care where the events land) re-read and try again.
 */
export async function appendChained(
  client: EventStoreDBClient,
  read: ReadStream,
  stream: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
): Promise<AppendResult> {
  for (let attempt = 1; ; attempt++) {
    const [tail] = await read(stream, { direction: 'backwards', maxCount: 1 });
    const outcome = await attemptAppend(client, read, stream, events, expected, tail);
    if (outcome !== RACED) return outcome;
    if (attempt >= MAX_ATTEMPTS) {
      const [latest] = await read(stream, { direction: 'backwards', maxCount: 1 });
      throw new ConcurrencyError(stream, expected, latest?.revision ?? -1);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random())));
  }
}

async function attemptAppend(
  client: EventStoreDBClient,
  read: ReadStream,
  stream: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  tail: StoredEvent | undefined,
): Promise<AppendResult | typeof RACED> {
  const actual = tail?.revision ?? -1;
  if (events.length === 0) {
    if (!satisfiesExpectedRevision(expected, actual)) throw new ConcurrencyError(stream, expected, actual);
    return { nextExpectedRevision: actual, position: tail?.position ?? -1, events: [] };
  }

  const flexible = expected === 'any' || expected === 'stream_exists';
  let base: ChainLink;
  if (flexible) {
    if (!satisfiesExpectedRevision(expected, actual)) throw new ConcurrencyError(stream, expected, actual);
    const retried = await matchRetryAtTail(read, stream, events, tail);
    if (retried) return retried;
    base = tail ? link(tail) : GENESIS;
  } else {
    const revision = expected === 'no_stream' ? -1 : expected;
    if (revision > actual) throw new ConcurrencyError(stream, expected, actual);
    // Behind the tail, this may be a resend: seal onto the event the caller expected and let the
    // server's id-based idempotency decide (same ids from there on: success, nothing written).
    base = revision === actual && tail ? link(tail) : await linkAt(read, stream, revision, expected, actual);
  }

  const sealed = sealEvents(stream, base.revision + 1, base.hash, events);
  try {
    await client.appendToStream(stream, sealed.map(toEventData), { expectedRevision: exactRevision(base.revision) });
  } catch (error) {
    if (!(error instanceof WrongExpectedVersionError)) throw error;
    if (flexible) return RACED;
    const current = revisionFromClient(error.actualVersion);
    // The server refuses a resend that repeats only part of a stored batch as a plain conflict;
    // it is really an id reused for other content.
    if (base.revision < current) await assertNotPartialResend(read, stream, base.revision + 1, events[0]!);
    throw new ConcurrencyError(stream, expected, current);
  }
  return readBack(read, stream, sealed);
}

async function assertNotPartialResend(read: ReadStream, stream: string, revision: number, first: NewEvent): Promise<void> {
  const [stored] = await read(stream, { fromRevision: revision, maxCount: 1 });
  if (stored?.metadata.eventId === first.metadata.eventId) {
    throw new IdempotencyConflictError(first.metadata.eventId, 'the batch repeats some stored events but not all of them');
  }
}

const link = (event: StoredEvent): ChainLink => ({ revision: event.revision, hash: event.metadata.hash });

async function linkAt(read: ReadStream, stream: string, revision: number, expected: ExpectedRevision, actual: number): Promise<ChainLink> {
  if (revision === -1) return GENESIS;
  const [event] = await read(stream, { fromRevision: revision, maxCount: 1 });
  // Gone (truncated or scavenged): the caller's view of the stream cannot be right.
  if (!event || event.revision !== revision) throw new ConcurrencyError(stream, expected, actual);
  return link(event);
}

/**
 * After a success the events are read back: the server answers a resend with success and no
 * write, and only the stored events tell whether they are ours. Reading back also gives each
 * event its own position (the append response carries one position for the whole batch).
 */
async function readBack(read: ReadStream, stream: string, sealed: ReadonlyArray<{ revision: number } & Comparable>): Promise<AppendResult> {
  const first = sealed[0]!.revision;
  const stored = await read(stream, { fromRevision: first, maxCount: sealed.length });
  if (stored.length !== sealed.length) {
    throw new StoreUnavailableError(`appended to ${stream} at revision ${first}, but ${stored.length} of ${sealed.length} events read back`);
  }
  assertSameBatch(sealed, stored);
  return resultOf(stored);
}

/**
 * 'any' and 'stream_exists' are sent to the server as the exact tail revision, so its own
 * idempotency check cannot see a resend; the adapter recognises one whose batch still ends the
 * stream. (The server's check for 'any' is best effort too: a bounded cache of recent ids.)
 */
async function matchRetryAtTail(
  read: ReadStream,
  stream: string,
  events: readonly NewEvent[],
  tail: StoredEvent | undefined,
): Promise<AppendResult | undefined> {
  if (!tail) return undefined;
  const index = events.findIndex((e) => e.metadata.eventId === tail.metadata.eventId);
  if (index === -1) return undefined;
  if (index !== events.length - 1 || tail.revision + 1 < events.length) {
    throw new IdempotencyConflictError(tail.metadata.eventId, 'the batch repeats some stored events but not all of them');
  }
  const stored = await read(stream, { fromRevision: tail.revision - events.length + 1, maxCount: events.length });
  assertSameBatch(events, stored);
  return resultOf(stored);
}

interface Comparable {
  type: string;
  data: unknown;
  metadata: { eventId: string };
}

/** Same ids in the same order, each with the same type and data (metadata may differ: a resend is often re-stamped). */
function assertSameBatch(events: readonly Comparable[], stored: readonly StoredEvent[]): void {
  events.forEach((event, i) => {
    const id = event.metadata.eventId;
    const row = stored[i];
    if (!row || row.metadata.eventId !== id) {
      throw new IdempotencyConflictError(id, 'the batch repeats some stored events but not all of them');
    }
    if (row.type !== event.type) throw new IdempotencyConflictError(id, `stored as ${row.type}, retried as ${event.type}`);
    if (canonicalJson(row.data) !== canonicalJson(event.data)) throw new IdempotencyConflictError(id, 'stored with different data');
  });
}

function resultOf(stored: StoredEvent[]): AppendResult {
  const last = stored[stored.length - 1]!;
  return { nextExpectedRevision: last.revision, position: last.position, events: stored };
}
