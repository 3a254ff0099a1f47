/**
 * The stand-in's storage: one append-only log ($all) and an index per stream, in memory.
 * Appends follow EventStoreDB's write rules (its IndexWriter.CheckCommit), including the
 * id-based idempotency that makes a resent append succeed without writing.
 */

/** Expected versions as the server encodes them internally. */
export const EXPECTED_ANY = -2;
export const EXPECTED_NO_STREAM = -1;
export const EXPECTED_STREAM_EXISTS = -4;

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export interface LogRecord extends ProposedEvent {
  readonly stream: string;
  readonly revision: number;
  /** Commit = prepare: every gRPC write commits itself at its own offset in the log. */
  readonly position: bigint;
  /** .NET ticks (100 ns) since the Unix epoch, as the server reports "created". */
  readonly created: bigint;
}

export type WriteResult =
  /** `lastRevision` -1 means no stream; `position` is absent when nothing was written or matched. */
  | { kind: 'success'; lastRevision: number; position?: bigint; wrote: number }
  | { kind: 'wrong_expected_version'; current: number };

type Listener = (change: 'append' | 'reset') => void;

/** Fixed size of a record's header in the pretend log: positions look like byte offsets and grow by each record's size. */
const RECORD_HEADER_BYTES = 96;

export class StandInLog {
  private records: LogRecord[] = [];
  private streams = new Map<string, LogRecord[]>();
  /** Every committed event by id. The real server keeps a bounded cache of recent ids; this one forgets nothing. */
  private ids = new Map<string, LogRecord>();
  private nextPosition = 0n;
  private readonly listeners = new Set<Listener>();
  /** Events written by appends (idempotent successes write none). */
  written = 0;
  /** Test hook, run before each protocol append is decided: lets a test slip in a competing write. */
  beforeWrite: ((stream: string) => void) | undefined;

  constructor(private readonly seedSystemEvents: boolean) {
    this.seed();
  }

  get all(): readonly LogRecord[] {
    return this.records;
  }

  stream(name: string): readonly LogRecord[] | undefined {
    return this.streams.get(name);
  }

  lastRevision(stream: string): number {
    return (this.streams.get(stream)?.length ?? 0) - 1;
  }

  /** Index of the first record at or after `position`. */
  indexAtOrAfter(position: bigint): number {
    let low = 0;
    let high = this.records.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.records[mid]!.position < position) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Index of the first record strictly after `position`. */
  indexAfter(position: bigint): number {
    const index = this.indexAtOrAfter(position);
    return this.records[index]?.position === position ? index + 1 : index;
  }

  /** Called on every append and on reset; returns the unsubscribe function. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reset(): void {
    this.records = [];
    this.streams = new Map();
    this.ids = new Map();
    this.nextPosition = 0n;
    this.written = 0;
    this.seed();
    for (const listener of [...this.listeners]) listener('reset');
  }

  /** An append as a client sends it, decided by the server's rules. */
  write(stream: string, expected: number, events: readonly ProposedEvent[]): WriteResult {
    this.beforeWrite?.(stream);
    const current = this.lastRevision(stream);
    const records = this.streams.get(stream) ?? [];

    if (expected === EXPECTED_STREAM_EXISTS && current < 0) return { kind: 'wrong_expected_version', current };

    if (expected === EXPECTED_ANY || expected === EXPECTED_STREAM_EXISTS) {
      let last: LogRecord | undefined;
      for (const [i, event] of events.entries()) {
        const known = this.ids.get(event.id);
        if (!known || known.stream !== stream) {
          // None seen: a new write. Some seen but not all: "corrupted idempotency", refused.
          if (i === 0) return this.commit(stream, current, events);
          return { kind: 'wrong_expected_version', current };
        }
        last = known;
      }
      if (!last) return { kind: 'success', lastRevision: current, wrote: 0 };
      return { kind: 'success', lastRevision: last.revision, position: last.position, wrote: 0 };
    }

    if (expected < current) {
      // A resend: the same ids, in order, from the expected revision on.
      let revision = expected;
      for (const event of events) {
        revision += 1;
        if (records[revision]?.id !== event.id) return { kind: 'wrong_expected_version', current };
      }
      if (revision === expected) return { kind: 'wrong_expected_version', current };
      return { kind: 'success', lastRevision: revision, position: records[revision]!.position, wrote: 0 };
    }
    if (expected > current) return { kind: 'wrong_expected_version', current };
    return this.commit(stream, current, events);
  }

  /** Writes without any check: for system events and test setup. */
  writeUnchecked(stream: string, events: readonly ProposedEvent[]): WriteResult {
    return this.commit(stream, this.lastRevision(stream), events);
  }

  private commit(stream: string, current: number, events: readonly ProposedEvent[]): WriteResult {
    if (events.length === 0) return { kind: 'success', lastRevision: current, wrote: 0 };
    let records = this.streams.get(stream);
    if (!records) this.streams.set(stream, (records = []));
    const created = BigInt(Date.now()) * 10_000n;
    let last: LogRecord | undefined;
    for (const event of events) {
      last = { ...event, stream, revision: records.length, position: this.nextPosition, created };
      this.nextPosition += BigInt(RECORD_HEADER_BYTES + Buffer.byteLength(stream) + Buffer.byteLength(event.type) + event.data.length + event.metadata.length);
      records.push(last);
      this.records.push(last);
      this.ids.set(event.id, last);
    }
    this.written += events.length;
    for (const listener of [...this.listeners]) listener('append');
    return { kind: 'success', lastRevision: last!.revision, position: last!.position, wrote: events.length };
  }

  /** A fresh EventStoreDB log starts with its own records; clients must skip them. */
  private seed(): void {
    if (!this.seedSystemEvents) return;
    const data = Buffer.from(JSON.stringify({ epochNumber: 0, epochPosition: 0 }));
    this.commit('$epoch-information', -1, [
      { id: '00000000-0000-4000-8000-000000000000', type: '$epoch-information', contentType: 'application/json', data, metadata: new Uint8Array() },
    ]);
    this.written = 0;
  }
}
