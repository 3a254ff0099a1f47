import { status } from '@grpc/grpc-js';
import type { ReadReq } from '@eventstore/db-client/generated/streams_pb.js';
import type { LogRecord } from './log.js';
import { rpcError } from './proto.js';

/** A server-side filter on $all: by stream name or event type, a regex or a list of prefixes. */
export interface RecordFilter {
  matches(record: LogRecord): boolean;
  /** Records considered (matching or not) between two checkpoints of a subscription. */
  readonly checkpointInterval: number;
}

/** The server's read batch size, which is also the default search window. */
const DEFAULT_MAX_SEARCH_WINDOW = 32;

export function toRecordFilter(options: ReadReq.Options.FilterOptions): RecordFilter {
  const byStream = options.hasStreamIdentifier();
  const expression = byStream ? options.getStreamIdentifier() : options.getEventType();
  if (!expression) throw rpcError(status.INVALID_ARGUMENT, 'filter needs a stream identifier or event type expression');
  const field = (record: LogRecord): string => (byStream ? record.stream : record.type);
  const regexSource = expression.getRegex();
  let test: (value: string) => boolean;
  if (regexSource !== '') {
    let regex: RegExp;
    try {
      regex = new RegExp(regexSource);
    } catch {
      throw rpcError(status.INVALID_ARGUMENT, `invalid filter regex ${JSON.stringify(regexSource)}`);
    }
    test = (value) => regex.test(value);
  } else {
    const prefixes = expression.getPrefixList();
    test = (value) => prefixes.some((prefix) => value.startsWith(prefix));
  }
  const window = options.hasMax() ? options.getMax() : DEFAULT_MAX_SEARCH_WINDOW;
  const multiplier = options.getCheckpointintervalmultiplier();
  if (window <= 0 || multiplier <= 0) throw rpcError(status.INVALID_ARGUMENT, 'search window and checkpoint interval multiplier must be positive');
  return { matches: (record) => test(field(record)), checkpointInterval: window * multiplier };
}

export const NO_FILTER: RecordFilter = { matches: () => true, checkpointInterval: Number.POSITIVE_INFINITY };
