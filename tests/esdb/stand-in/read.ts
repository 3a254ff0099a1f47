import { randomUUID } from 'node:crypto';
import { status, type handleServerStreamingCall, type ServerWritableStream } from '@grpc/grpc-js';
import type { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb.js';
import { NO_FILTER, toRecordFilter, type RecordFilter } from './filter.js';
import type { LogRecord, StandInLog } from './log.js';
import { rpcError, streamIdentifier, streamsPb, streamName, uuidToProto } from './proto.js';

export interface ReadContext {
  readonly log: StandInLog;
  /** Send `caught_up` when a subscription reaches the head (servers from 23.10 do). */
  readonly sendCaughtUp: boolean;
  /** Live subscriptions, so stop() can end them even if the transport does not say so. */
  readonly live: Set<Outbox>;
}

type ReadCall = ServerWritableStream<ReadReq, ReadResp>;

/** Streams.Read: stream and $all reads, forwards or backwards, and catch-up subscriptions. */
export function readHandler(ctx: ReadContext): handleServerStreamingCall<ReadReq, ReadResp> {
  return (call) => {
    serveRead(ctx, call).catch((error: unknown) => {
      if (!call.cancelled) call.emit('error', error instanceof Error ? error : rpcError(status.UNKNOWN, String(error)));
    });
  };
}

async function serveRead(ctx: ReadContext, call: ReadCall): Promise<void> {
  const options = call.request.getOptions();
  if (!options) throw rpcError(status.INVALID_ARGUMENT, 'read options are required');
  const uuidOption = options.getUuidOption();
  if (!uuidOption) throw rpcError(status.INVALID_ARGUMENT, 'uuid_option is required');
  const structured = uuidOption.hasStructured();
  const filter = options.hasFilter() ? toRecordFilter(options.getFilter()!) : NO_FILTER;
  const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
  const out = new Outbox(call);

  if (options.hasSubscription()) {
    if (backwards) throw rpcError(status.INVALID_ARGUMENT, 'subscriptions read forwards');
    ctx.live.add(out);
    try {
      if (options.hasAll()) await subscribeToAll(ctx, out, options.getAll()!, filter, options.hasFilter(), structured);
      else await subscribeToStream(ctx, out, options.getStream()!, structured);
    } finally {
      ctx.live.delete(out);
    }
    return;
  }

  const count = Number(options.getCount());
  if (options.hasAll()) {
    for (const record of readAll(ctx.log, options.getAll()!, backwards, filter, count)) {
      if (!(await out.send(eventResp(record, structured)))) return;
    }
  } else {
    const stream = options.getStream();
    if (!stream) throw rpcError(status.INVALID_ARGUMENT, 'read needs a stream or $all');
    if (options.hasFilter()) throw rpcError(status.INVALID_ARGUMENT, 'filters apply to $all only');
    const name = streamName(stream.getStreamIdentifier());
    const records = ctx.log.stream(name);
    if (!records) {
      await out.send(new streamsPb.ReadResp().setStreamNotFound(new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name))));
    } else {
      for (const record of readStream(records, stream, backwards, count)) {
        if (!(await out.send(eventResp(record, structured)))) return;
      }
    }
  }
  out.end();
}

function* readStream(records: readonly LogRecord[], options: ReadReq.Options.StreamOptions, backwards: boolean, count: number): Iterable<LogRecord> {
  const last = records.length - 1;
  if (!backwards) {
    const from = options.hasStart() ? 0 : options.hasEnd() ? records.length : Number(options.getRevision());
    for (let i = from; i <= last && i < from + count; i++) yield records[i]!;
  } else {
    const from = options.hasStart() ? Math.min(0, last) : options.hasEnd() ? last : Math.min(Number(options.getRevision()), last);
    for (let i = from; i >= 0 && i > from - count; i--) yield records[i]!;
  }
}

/** Forwards from a position includes the event there; backwards from a position starts below it. */
function* readAll(log: StandInLog, options: ReadReq.Options.AllOptions, backwards: boolean, filter: RecordFilter, count: number): Iterable<LogRecord> {
  const records = log.all;
  const at = options.hasPosition() ? log.indexAtOrAfter(BigInt(options.getPosition()!.getCommitPosition())) : undefined;
  let sent = 0;
  if (!backwards) {
    for (let i = at ?? (options.hasEnd() ? records.length : 0); i < records.length && sent < count; i++) {
      if (filter.matches(records[i]!)) (sent++, yield records[i]!);
    }
  } else {
    for (let i = (at ?? (options.hasStart() ? 0 : records.length)) - 1; i >= 0 && sent < count; i--) {
      if (filter.matches(records[i]!)) (sent++, yield records[i]!);
    }
  }
}

/**
 * A catch-up subscription to $all: confirmation, the events after the start (exclusive), a
 * checkpoint and `caught_up` at the head, then live events. Filtered subscriptions also get a
 * checkpoint every `checkpointInterval` records considered, matching or not.
 */
async function subscribeToAll(
  ctx: ReadContext,
  out: Outbox,
  options: ReadReq.Options.AllOptions,
  filter: RecordFilter,
  filtered: boolean,
  structured: boolean,
): Promise<void> {
  if (!(await out.send(confirmation()))) return;
  const { log } = ctx;
  let next = options.hasStart() ? 0 : options.hasEnd() ? log.all.length : log.indexAfter(BigInt(options.getPosition()!.getCommitPosition()));
  let considered = 0;
  let caughtUp = false;
  await follow(log, out, async () => {
    let lastConsidered: LogRecord | undefined;
    while (next < log.all.length && out.open) {
      const record = log.all[next++]!;
      lastConsidered = record;
      if (filter.matches(record) && !(await out.send(eventResp(record, structured)))) return;
      if (filtered && ++considered >= filter.checkpointInterval) {
        considered %= filter.checkpointInterval;
        if (!(await out.send(checkpoint(record.position)))) return;
      }
    }
    if (!caughtUp) {
      caughtUp = true;
      if (filtered && lastConsidered && !(await out.send(checkpoint(lastConsidered.position)))) return;
      if (ctx.sendCaughtUp) await out.send(new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp()));
    }
  });
}

/** A catch-up subscription to one stream, which may not exist yet; starts after the given revision. */
async function subscribeToStream(ctx: ReadContext, out: Outbox, options: ReadReq.Options.StreamOptions, structured: boolean): Promise<void> {
  const name = streamName(options.getStreamIdentifier());
  if (!(await out.send(confirmation()))) return;
  const { log } = ctx;
  let next = options.hasStart() ? 0 : options.hasEnd() ? log.lastRevision(name) + 1 : Number(options.getRevision()) + 1;
  let caughtUp = false;
  await follow(log, out, async () => {
    const records = log.stream(name) ?? [];
    while (next < records.length && out.open) {
      if (!(await out.send(eventResp(records[next++]!, structured)))) return;
    }
    if (!caughtUp) {
      caughtUp = true;
      if (ctx.sendCaughtUp) await out.send(new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp()));
    }
  });
}

/** Runs `pump` now and after every append until the call ends; a reset of the log ends the call. */
async function follow(log: StandInLog, out: Outbox, pump: () => Promise<void>): Promise<void> {
  let reset = false;
  let wake: (() => void) | undefined;
  let pending = false;
  const stopListening = log.listen((change) => {
    if (change === 'reset') reset = true;
    pending = true;
    wake?.();
  });
  const stopWaiting = out.onClose(() => wake?.());
  try {
    while (out.open && !reset) {
      pending = false;
      await pump();
      if (!out.open || reset) break;
      if (pending) continue;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    if (reset && out.open) out.fail(rpcError(status.UNAVAILABLE, 'the stand-in was reset'));
  } finally {
    stopListening();
    stopWaiting();
  }
}

function eventResp(record: LogRecord, structured: boolean): ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidToProto(record.id, structured))
    .setStreamIdentifier(streamIdentifier(record.stream))
    .setStreamRevision(String(record.revision))
    .setPreparePosition(String(record.position))
    .setCommitPosition(String(record.position))
    .setData(record.data)
    .setCustomMetadata(record.metadata);
  recorded.getMetadataMap().set('type', record.type).set('content-type', record.contentType).set('created', String(record.created));
  return new streamsPb.ReadResp().setEvent(new streamsPb.ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(record.position)));
}

function confirmation(): ReadResp {
  return new streamsPb.ReadResp().setConfirmation(new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID()));
}

function checkpoint(position: bigint): ReadResp {
  return new streamsPb.ReadResp().setCheckpoint(
    new streamsPb.ReadResp.Checkpoint().setCommitPosition(String(position)).setPreparePosition(String(position)),
  );
}

/** Writes to a server stream with backpressure, and knows when the client has gone. */
export class Outbox {
  private closed = false;
  private readonly closeListeners = new Set<() => void>();
  private drained: (() => void) | undefined;

  constructor(private readonly call: ReadCall) {
    const close = (): void => this.markClosed();
    call.on('cancelled', close);
    call.on('close', close);
    call.on('error', close);
    call.on('drain', () => this.wakeWriter());
  }

  get open(): boolean {
    return !this.closed && !this.call.cancelled;
  }

  /** False once the client has gone: stop producing. */
  async send(message: ReadResp): Promise<boolean> {
    if (!this.open) return false;
    if (!this.call.write(message)) await new Promise<void>((resolve) => (this.drained = resolve));
    return this.open;
  }

  end(): void {
    if (this.open) this.call.end();
    this.markClosed();
  }

  fail(error: Error): void {
    if (this.open) this.call.emit('error', error);
    this.markClosed();
  }

  /** The transport is gone (the stand-in stopped): produce nothing more, send nothing. */
  abandon(): void {
    this.markClosed();
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.wakeWriter();
    for (const listener of [...this.closeListeners]) listener();
  }

  private wakeWriter(): void {
    const resume = this.drained;
    this.drained = undefined;
    resume?.();
  }
}
