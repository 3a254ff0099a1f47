/**
 * A page of stored events as it crosses to the rehash worker and back, and the worker's side of it.
 * The texts travel as an array of strings (cloning strings is a copy each; row objects cost
 * several times as much) and the answers as one string of hashes: a page's round trip costs the
 * main thread a small part of what rehashing it would.
 */
import type { MessagePort } from 'node:worker_threads';
import type { StoredEvent } from '../../events/index.js';
import { rehash, rehashStoredJson } from '../store/rehash-stored-json.js';
import type { StoredEventJson } from '../store/port.js';
import { RANGE_QUERY, ROW_RANGE_QUERY, tupleToStoredEventJson, type EventTuple, type InsertRow } from '../store/sqlite/rows.js';
import type { SqliteDatabase } from '../store/sqlite/schema.js';
import { rowToReadEvent, type ReadEvent } from './row-check.js';

/** Length of a SHA-256 in hex. */
const HEX = 64;
const NOT_HASHED = ' '.repeat(HEX);

export interface PackedPage {
  id: number;
  /** Each packed event's stream, type, data text and metadata text, one after another. */
  texts: string[];
  /** Per event, 1 when it is packed; 0 marks an event the worker leaves alone. */
  packed: Uint8Array<ArrayBuffer>;
  revisions: Float64Array<ArrayBuffer>;
  positions: Float64Array<ArrayBuffer>;
}

export interface RehashedPage {
  id: number;
  /** Per event, its recomputed hash (HEX characters, blank where not hashed). */
  actuals: string;
  /**
   * Per event, where its metadata text holds the exact characters of metadata.prevHash and of
   * metadata.hash; -1 when the worker did not hash it (the main thread then does).
   */
  offsets: Int32Array<ArrayBuffer>;
}

/**
 * Only what survives the trip unchanged is sent: a row whose columns are not the types they
 * should be (an edited table can hold anything) is rehashed where it was read.
 */
const packable = (e: StoredEvent | StoredEventJson): e is StoredEventJson =>
  'dataJson' in e &&
  typeof e.stream === 'string' &&
  typeof e.type === 'string' &&
  typeof e.dataJson === 'string' &&
  typeof e.metadataJson === 'string' &&
  typeof e.revision === 'number' &&
  typeof e.position === 'number';

export function packPage(id: number, events: ReadonlyArray<StoredEvent | StoredEventJson>): PackedPage {
  const n = events.length;
  const texts: string[] = [];
  const packed = new Uint8Array(n);
  const revisions = new Float64Array(n);
  const positions = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    if (!packable(e)) continue;
    texts.push(e.stream, e.type, e.dataJson, e.metadataJson);
    packed[i] = 1;
    revisions[i] = e.revision;
    positions[i] = e.position;
  }
  return { id, texts, packed, revisions, positions };
}

/** Where `value` appears verbatim in `text`: any such place holds the same string. */
const offsetOf = (text: string, value: unknown): number => (typeof value === 'string' && value.length === HEX ? text.indexOf(value) : -1);

/** The worker's work: every event of the page rehashed as `rehashStoredJson` does. */
export function rehashPage(page: PackedPage): RehashedPage {
  const { texts, packed, revisions, positions } = page;
  const n = packed.length;
  const actuals = new Array<string>(n);
  const offsets = new Int32Array(2 * n).fill(-1);
  let t = 0;
  for (let i = 0; i < n; i++) {
    actuals[i] = NOT_HASHED;
    if (packed[i] === 0) continue;
    const stream = texts[t++]!;
    const type = texts[t++]!;
    const dataJson = texts[t++]!;
    const metadataJson = texts[t++]!;
    let prevHash: number;
    let hash: number;
    let actual: string;
    try {
      const e = rehashStoredJson({ stream, revision: revisions[i]!, position: positions[i]!, type, dataJson, metadataJson });
      prevHash = offsetOf(metadataJson, e.prevHash);
      hash = offsetOf(metadataJson, e.hash);
      actual = e.actual;
    } catch {
      // Text that is not JSON: the main thread meets it in order and throws as reading would.
      continue;
    }
    if (prevHash < 0 || hash < 0 || actual.length !== HEX) continue;
    offsets[2 * i] = prevHash;
    offsets[2 * i + 1] = hash;
    actuals[i] = actual;
  }
  return { id: page.id, actuals: actuals.join(''), offsets };
}

/** A range of positions the worker reads from the ledger file itself and rehashes. */
export interface RangeRequest {
  kind: 'range';
  id: number;
  first: number;
  last: number;
  /** Read as whole rows, each checked against its JSON first (rowToReadEvent), as the CLI's verify reads them. */
  rows: boolean;
}

/**
 * A range read and rehashed on the worker: per event, what the walk takes (rehash's answer) as
 * strings of their own, for events whose claimed hashes are strings. Any other event is left to
 * the main thread, which reads it again and rehashes it there, as reading `$all` would.
 */
export interface RehashedRange {
  kind: 'range';
  id: number;
  positions: Float64Array<ArrayBuffer>;
  revisions: Float64Array<ArrayBuffer>;
  streams: string[];
  prevHashes: string[];
  hashes: string[];
  /** Per event, the recomputed hash, or '' where it is the claimed one (most events: not sent twice). */
  actuals: string[];
  /** Per event, 1 when left to the main thread. */
  leftHere: Uint8Array<ArrayBuffer>;
  /** Per event, what rowToReadEvent found wrong with its row: '' for nothing, or when rows were not asked for. */
  rowProblems: string[];
}

export const isRehashedRange = (answer: RehashedPage | RehashedRange): answer is RehashedRange => 'kind' in answer && answer.kind === 'range';

/** What the worker can hash and send as the walk takes it: anything else is left to the main thread. */
const sendable = (e: StoredEvent | StoredEventJson): boolean =>
  typeof e.stream === 'string' && typeof e.revision === 'number' && typeof e.position === 'number' && (!('dataJson' in e) || packable(e));

/** The worker's work for a range: every event in it read from `read` and rehashed as `rehash` does. */
export function rehashRange(read: (request: RangeRequest) => ReadEvent[], request: RangeRequest): RehashedRange {
  const items = read(request);
  const n = items.length;
  const positions = new Float64Array(n);
  const revisions = new Float64Array(n);
  const leftHere = new Uint8Array(n);
  const streams = new Array<string>(n).fill('');
  const prevHashes = new Array<string>(n).fill('');
  const hashes = new Array<string>(n).fill('');
  const actuals = new Array<string>(n).fill('');
  const rowProblems = new Array<string>(n).fill('');
  for (let i = 0; i < n; i++) {
    const { event: e, rowProblem } = items[i]!;
    positions[i] = e.position;
    if (rowProblem !== undefined) rowProblems[i] = rowProblem;
    if (!sendable(e)) {
      leftHere[i] = 1;
      continue;
    }
    try {
      const r = rehash(e);
      if (typeof r.prevHash !== 'string' || typeof r.hash !== 'string' || typeof r.actual !== 'string') throw new TypeError('not hashes');
      revisions[i] = r.revision;
      streams[i] = r.stream;
      prevHashes[i] = r.prevHash;
      hashes[i] = r.hash;
      if (r.actual !== r.hash) actuals[i] = r.actual;
    } catch {
      // Text that is not JSON, or claims that are not strings: the main thread meets it in order.
      leftHere[i] = 1;
    }
  }
  return { kind: 'range', id: request.id, positions, revisions, streams, prevHashes, hashes, actuals, leftHere, rowProblems };
}

/**
 * The worker's loop: a page in, its hashes out, or a range of positions read from `ledger` (the
 * ledger file, opened read-only, when the main thread named one) and rehashed, until the main
 * thread ends it.
 */
export function serveRehashPages(port: MessagePort, ledger?: SqliteDatabase): void {
  const texts = ledger?.prepare<[number, number], EventTuple>(RANGE_QUERY).raw(true);
  const rows = ledger?.prepare<[number, number], InsertRow>(ROW_RANGE_QUERY);
  const read = ({ first, last, rows: whole }: RangeRequest): ReadEvent[] => {
    if (!texts || !rows) throw new Error('no ledger file was opened on this worker');
    return whole ? rows.all(first, last).map(rowToReadEvent) : texts.all(first, last).map((row) => ({ event: tupleToStoredEventJson(row) }));
  };
  port.on('message', (message: PackedPage | RangeRequest) => {
    if ('kind' in message && message.kind === 'range') {
      const done = rehashRange(read, message);
      port.postMessage(done, [done.positions.buffer, done.revisions.buffer, done.leftHere.buffer]);
      return;
    }
    const done = rehashPage(message as PackedPage);
    port.postMessage(done, [done.offsets.buffer]);
  });
  port.postMessage('ready');
}
