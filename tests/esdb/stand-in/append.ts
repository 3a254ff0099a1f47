import { status, type handleBidiStreamingCall, type handleClientStreamingCall } from '@grpc/grpc-js';
import type { AppendReq, AppendResp, BatchAppendReq, BatchAppendResp } from '@eventstore/db-client/generated/streams_pb.js';
import type { UUID } from '@eventstore/db-client/generated/shared_pb.js';
import { EXPECTED_ANY, EXPECTED_NO_STREAM, EXPECTED_STREAM_EXISTS, type ProposedEvent, type StandInLog, type WriteResult } from './log.js';
import { anyPb, emptyPb, rpcError, sharedPb, statusPb, streamIdentifier, streamName, streamsPb, uuidFromProto } from './proto.js';

export interface AppendCounters {
  append: number;
  batchAppend: number;
}

/** google.rpc.Code values, the same numbers as gRPC statuses. */
const RPC_INVALID_ARGUMENT = 3;
const RPC_ALREADY_EXISTS = 6;

type ExpectedCase = 'any' | 'no_stream' | 'stream_exists' | 'revision';

interface ProposedMessage {
  getId(): UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

/** Both append RPCs require "type" and "content-type" in each message's metadata, as the server does. */
function toProposedEvent(message: ProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  const contentType = metadata.get('content-type');
  for (const [key, value] of [['type', type], ['content-type', contentType]] as const) {
    if (value === undefined) {
      throw rpcError(status.INVALID_ARGUMENT, `Required metadata property ${key} is missing`, {
        exception: 'missing-required-metadata-property',
        'required-metadata-properties': key,
      });
    }
  }
  return { id: uuidFromProto(message.getId()), type: type!, contentType: contentType!, data: message.getData_asU8(), metadata: message.getCustomMetadata_asU8() };
}

function toExpectedVersion(kind: ExpectedCase, revision: string): number {
  switch (kind) {
    case 'any':
      return EXPECTED_ANY;
    case 'no_stream':
      return EXPECTED_NO_STREAM;
    case 'stream_exists':
      return EXPECTED_STREAM_EXISTS;
    case 'revision':
      return Number(revision);
  }
}

/** Streams.Append: client streaming, options first, then one proposed message per event. */
export function appendHandler(log: StandInLog, counters: AppendCounters): handleClientStreamingCall<AppendReq, AppendResp> {
  return (call, callback) => {
    counters.append++;
    let options: AppendReq.Options | undefined;
    const events: ProposedEvent[] = [];
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      callback(error instanceof Error ? error : rpcError(status.UNKNOWN, String(error)));
    };
    call.on('data', (request: AppendReq) => {
      if (failed) return;
      try {
        if (!options) {
          if (!request.hasOptions()) throw rpcError(status.INVALID_ARGUMENT, 'the first message must carry the options');
          options = request.getOptions()!;
        } else {
          if (!request.hasProposedMessage()) throw rpcError(status.INVALID_ARGUMENT, 'expected a proposed message');
          events.push(toProposedEvent(request.getProposedMessage()!));
        }
      } catch (error) {
        fail(error);
      }
    });
    call.on('error', fail);
    call.on('end', () => {
      if (failed) return;
      if (!options) return fail(rpcError(status.INVALID_ARGUMENT, 'no options sent'));
      try {
        const expected = appendExpected(options);
        const result = log.write(streamName(options.getStreamIdentifier()), toExpectedVersion(expected, options.getRevision()), events);
        callback(null, appendResp(result, expected, options.getRevision()));
      } catch (error) {
        fail(error);
      }
    });
  };
}

function appendExpected(options: AppendReq.Options): ExpectedCase {
  if (options.hasAny()) return 'any';
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  if (options.hasRevision()) return 'revision';
  throw rpcError(status.INVALID_ARGUMENT, 'expected stream revision is required');
}

/** Success, or wrong_expected_version with both the current and the 20.6.0 field sets filled, as the server does. */
function appendResp(result: WriteResult, expected: ExpectedCase, revision: string): AppendResp {
  const Empty = sharedPb.Empty;
  if (result.kind === 'success') {
    const success = new streamsPb.AppendResp.Success();
    if (result.lastRevision === -1) success.setNoStream(new Empty());
    else success.setCurrentRevision(String(result.lastRevision));
    if (result.position === undefined) success.setNoPosition(new Empty());
    else success.setPosition(new streamsPb.AppendResp.Position().setCommitPosition(String(result.position)).setPreparePosition(String(result.position)));
    return new streamsPb.AppendResp().setSuccess(success);
  }
  const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
  switch (expected) {
    case 'any':
      wrong.setExpectedAny(new Empty()).setAny2060(new Empty());
      break;
    case 'stream_exists':
      wrong.setExpectedStreamExists(new Empty()).setStreamExists2060(new Empty());
      break;
    case 'no_stream':
      // The server also sets expected_revision_20_6_0 to ulong.MaxValue, which a JS number cannot hold.
      wrong.setExpectedNoStream(new Empty());
      break;
    case 'revision':
      wrong.setExpectedRevision(revision).setExpectedRevision2060(Number(revision));
      break;
  }
  if (result.current === -1) wrong.setCurrentNoStream(new Empty()).setNoStream2060(new Empty());
  else wrong.setCurrentRevision(String(result.current)).setCurrentRevision2060(result.current);
  return new streamsPb.AppendResp().setWrongExpectedVersion(wrong);
}

interface PendingBatch {
  stream: string;
  expected: ExpectedCase;
  revision: string;
  events: ProposedEvent[];
}

/**
 * Streams.BatchAppend: bidirectional; each request carries a correlation id, the first one the
 * options, the last one is_final. Every batch is answered by correlation id; failures travel
 * as a google.rpc.Status with the details packed in an Any, as the server sends them.
 */
export function batchAppendHandler(log: StandInLog, counters: AppendCounters): handleBidiStreamingCall<BatchAppendReq, BatchAppendResp> {
  return (call) => {
    counters.batchAppend++;
    const pending = new Map<string, PendingBatch>();
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId();
      let key: string | undefined;
      let stream: string | undefined;
      try {
        key = uuidFromProto(correlation);
        const options = request.getOptions();
        if (options) {
          const expected = batchExpected(options);
          pending.set(key, { stream: streamName(options.getStreamIdentifier()), expected, revision: options.getStreamPosition(), events: [] });
        }
        const batch = pending.get(key);
        if (!batch) return;
        stream = batch.stream;
        batch.events.push(...request.getProposedMessagesList().map(toProposedEvent));
        if (!request.getIsFinal()) return;
        pending.delete(key);
        const result = log.write(batch.stream, toExpectedVersion(batch.expected, batch.revision), batch.events);
        call.write(batchResp(correlation, batch.stream, result, batch.expected, batch.revision));
      } catch (error) {
        if (key !== undefined) pending.delete(key);
        const message = error instanceof Error ? error.message : String(error);
        const failure = new statusPb.Status().setCode(RPC_INVALID_ARGUMENT).setMessage('BadRequest');
        failure.setDetails(packed(new sharedPb.BadRequest().setMessage(message).serializeBinary(), 'event_store.client.BadRequest'));
        const response = new streamsPb.BatchAppendResp().setError(failure);
        if (correlation) response.setCorrelationId(correlation);
        if (stream !== undefined) response.setStreamIdentifier(streamIdentifier(stream));
        call.write(response);
      }
    });
    call.on('end', () => call.end());
    call.on('error', () => pending.clear());
  };
}

function batchExpected(options: BatchAppendReq.Options): ExpectedCase {
  if (options.hasAny()) return 'any';
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  if (options.hasStreamPosition()) return 'revision';
  throw rpcError(status.INVALID_ARGUMENT, 'expected stream position is required');
}

function packed(bytes: Uint8Array, typeName: string): InstanceType<typeof anyPb.Any> {
  const any = new anyPb.Any();
  any.pack(bytes, typeName);
  return any;
}

function batchResp(correlation: UUID | undefined, stream: string, result: WriteResult, expected: ExpectedCase, revision: string): BatchAppendResp {
  const response = new streamsPb.BatchAppendResp().setStreamIdentifier(streamIdentifier(stream));
  if (correlation) response.setCorrelationId(correlation);
  const Empty = emptyPb.Empty;
  if (result.kind === 'success') {
    const success = new streamsPb.BatchAppendResp.Success();
    if (result.lastRevision === -1) success.setNoStream(new Empty());
    else success.setCurrentRevision(String(result.lastRevision));
    if (result.position === undefined) success.setNoPosition(new Empty());
    else success.setPosition(new sharedPb.AllStreamPosition().setCommitPosition(String(result.position)).setPreparePosition(String(result.position)));
    return response.setSuccess(success);
  }
  const wrong = new sharedPb.WrongExpectedVersion();
  if (result.current === -1) wrong.setCurrentNoStream(new Empty());
  else wrong.setCurrentStreamRevision(String(result.current));
  switch (expected) {
    case 'any':
      wrong.setExpectedAny(new Empty());
      break;
    case 'no_stream':
      wrong.setExpectedNoStream(new Empty());
      break;
    case 'stream_exists':
      wrong.setExpectedStreamExists(new Empty());
      break;
    case 'revision':
      wrong.setExpectedStreamPosition(revision);
      break;
  }
  const failure = new statusPb.Status().setCode(RPC_ALREADY_EXISTS).setMessage('WrongExpectedVersion');
  failure.setDetails(packed(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion'));
  return response.setError(failure);
}
