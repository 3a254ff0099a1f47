import { CloudEvent } from 'cloudevents';
import { z } from 'zod';
import { CURRENT_SCHEMA_VERSION, LedgerEvent, parseStream, StoredEvent, upcast, ZERO_HASH, type LedgerEventType } from '../../events/index.js';
import { Frontier } from '../log/frontier.js';
import { toHex } from '../log/hex.js';
import { leafHash } from '../log/merkle.js';
import { Checkpoint } from '../log/schemas.js';
import { chainHash } from '../store/hash-chain.js';

/**
 * The export file formats. Both are one JSON document per line (UTF-8, "\n" after every line):
 *
 * - `jsonl`: each event as stored, `{"stream","revision","position","type","data","metadata"}`
 *   with the chain fields in `metadata`, in global order; then ONE final line
 *   `{"checkpoint":{"size","root","at","signature"?}}`: the ledger log's checkpoint over exactly
 *   those events. The checkpoint travels in the same file (no sidecar) so a file piped to stdout
 *   or handed to an auditor is complete.
 * - `cloudevents`: each event as a structured-mode CloudEvents 1.0 JSON event (see toCloudEvent),
 *   then a final CloudEvent of type `org.incident-ledger.checkpoint` whose data is the checkpoint.
 *
 * The checkpoint is stamped `at` the recordedAt of the last event exported (1970-01-01 for an
 * empty ledger), not at the wall clock: an export is then a function of the ledger's content
 * (and of its signing key; Ed25519 signatures are deterministic), so exporting, importing into an
 * empty store and exporting again gives the same bytes.
 */
export type ExportFormat = 'jsonl' | 'cloudevents';

export const CE_SOURCE = '/incident-ledger';
export const CE_TYPE_PREFIX = 'org.incident-ledger.';
export const CE_CHECKPOINT_TYPE = `${CE_TYPE_PREFIX}checkpoint`;
const EMPTY_AT = new Date(0).toISOString();

/** The `at` an export's checkpoint carries. */
export const exportStamp = (lastEvent: StoredEvent | undefined): string => lastEvent?.metadata.recordedAt ?? EMPTY_AT;

/** One line of a jsonl export. The key order is fixed, data and metadata are as stored. */
export function jsonlEventLine(e: StoredEvent): string {
  return JSON.stringify({ stream: e.stream, revision: e.revision, position: e.position, type: e.type, data: e.data, metadata: e.metadata });
}

export function jsonlCheckpointLine(checkpoint: Checkpoint): string {
  return JSON.stringify({ checkpoint: orderedCheckpoint(checkpoint) });
}

const orderedCheckpoint = (c: Checkpoint): Checkpoint => ({ size: c.size, root: c.root, at: c.at, ...(c.signature !== undefined ? { signature: c.signature } : {}) });

/**
 * An event as a CloudEvent: `id` is the eventId, `source` "/incident-ledger", `subject` the
 * stream, `type` "org.incident-ledger.<EventType>", `time` the recordedAt, `data` the event data
 * (application/json); the rest of the metadata rides in extension attributes: `revision`,
 * `position` (a decimal string: EventStoreDB positions outgrow CloudEvents' 32-bit integers),
 * `actor`, `correlationid`, `causationid`, `schemaversion`, `prevhash`, `hash`, and `recordedat`
 * when `time` (which the SDK normalises to milliseconds) would not give recordedAt back exactly.
 */
export function toCloudEvent(e: StoredEvent): CloudEvent<unknown> {
  const m = e.metadata;
  return new CloudEvent<unknown>({
    specversion: '1.0',
    id: m.eventId,
    source: CE_SOURCE,
    type: CE_TYPE_PREFIX + e.type,
    subject: e.stream,
    time: m.recordedAt,
    datacontenttype: 'application/json',
    data: e.data,
    revision: e.revision,
    position: String(e.position),
    actor: m.actor,
    correlationid: m.correlationId,
    causationid: m.causationId,
    schemaversion: m.schemaVersion,
    prevhash: m.prevHash,
    hash: m.hash,
    ...(new Date(m.recordedAt).toISOString() !== m.recordedAt ? { recordedat: m.recordedAt } : {}),
  });
}

export function cloudEventLine(e: StoredEvent): string {
  return JSON.stringify(toCloudEvent(e));
}

export function cloudCheckpointLine(checkpoint: Checkpoint): string {
  return JSON.stringify(
    new CloudEvent<Checkpoint>({
      specversion: '1.0',
      id: `checkpoint-${checkpoint.size}-${checkpoint.root}`,
      source: CE_SOURCE,
      type: CE_CHECKPOINT_TYPE,
      time: checkpoint.at,
      datacontenttype: 'application/json',
      data: orderedCheckpoint(checkpoint),
    }),
  );
}

/**
 * A line the importer refuses, and why. `notAnExport`: the file does not even start like an export
 * (empty, or a first line that is not an event or a checkpoint): a wrong input, not evidence of
 * tampering.
 */
export class LineRejected extends Error {
  override readonly name = 'LineRejected';
  constructor(
    readonly line: number,
    readonly reason: string,
    readonly notAnExport = false,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

type Decoded = { kind: 'event'; event: StoredEvent } | { kind: 'checkpoint'; checkpoint: Checkpoint };

const CheckpointLine = z.strictObject({ checkpoint: Checkpoint });

const CloudAttributes = z
  .object({
    id: z.string(),
    type: z.string(),
    subject: z.string().optional(),
    time: z.string().optional(),
    data: z.unknown(),
    revision: z.number().int().nonnegative(),
    position: z.string().regex(/^\d{1,16}$/),
    actor: z.string(),
    correlationid: z.string(),
    causationid: z.string(),
    schemaversion: z.number().int(),
    prevhash: z.string(),
    hash: z.string(),
    recordedat: z.string().optional(),
  })
  .loose();

const issues = (error: z.ZodError): string => z.prettifyError(error).replace(/\n/g, ' ');

export function detectFormat(firstLine: string): ExportFormat {
  try {
    const value: unknown = JSON.parse(firstLine);
    return typeof value === 'object' && value !== null && 'specversion' in value ? 'cloudevents' : 'jsonl';
  } catch {
    return 'jsonl';
  }
}

function decodeJsonl(value: unknown): Decoded {
  if (typeof value === 'object' && value !== null && 'checkpoint' in value) {
    const parsed = CheckpointLine.safeParse(value);
    if (!parsed.success) throw new Error(`not a checkpoint line: ${issues(parsed.error)}`);
    return { kind: 'checkpoint', checkpoint: parsed.data.checkpoint };
  }
  const parsed = StoredEvent.safeParse(value);
  if (!parsed.success) throw new Error(`not a stored event: ${issues(parsed.error)}`);
  return { kind: 'event', event: parsed.data };
}

function decodeCloudEvent(value: unknown): Decoded {
  if (typeof value !== 'object' || value === null) throw new Error('not a CloudEvent');
  let ce: CloudEvent<unknown>;
  try {
    // The SDK checks the CloudEvents 1.0 attributes and extension names.
    ce = new CloudEvent<unknown>(value as Record<string, unknown>);
  } catch (error) {
    throw new Error(`not a valid CloudEvent: ${error instanceof Error ? error.message.replace(/\n/g, ' ') : String(error)}`);
  }
  if (ce.type === CE_CHECKPOINT_TYPE) {
    const parsed = Checkpoint.safeParse(ce.data);
    if (!parsed.success) throw new Error(`checkpoint event without a valid checkpoint: ${issues(parsed.error)}`);
    return { kind: 'checkpoint', checkpoint: parsed.data };
  }
  const a = CloudAttributes.safeParse(value);
  if (!a.success) throw new Error(`CloudEvent lacks the ledger's attributes: ${issues(a.error)}`);
  const attrs = a.data;
  if (!attrs.type.startsWith(CE_TYPE_PREFIX)) throw new Error(`CloudEvent type ${attrs.type} is not an incident-ledger event`);
  const recordedAt = attrs.recordedat ?? attrs.time;
  const parsed = StoredEvent.safeParse({
    stream: attrs.subject,
    revision: attrs.revision,
    position: Number(attrs.position),
    type: attrs.type.slice(CE_TYPE_PREFIX.length),
    data: attrs.data,
    metadata: {
      eventId: attrs.id,
      recordedAt,
      actor: attrs.actor,
      correlationId: attrs.correlationid,
      causationId: attrs.causationid,
      schemaVersion: attrs.schemaversion,
      prevHash: attrs.prevhash,
      hash: attrs.hash,
    },
  });
  if (!parsed.success) throw new Error(`not a stored event: ${issues(parsed.error)}`);
  return { kind: 'event', event: parsed.data };
}

/** The event only if the ledger can read it: a known type, valid data for its schema version, a ledger stream name. */
function checkReadable(e: StoredEvent): string | undefined {
  if (!parseStream(e.stream)) return `stream ${JSON.stringify(e.stream)} is not incident-<ULID> or source-<ULID>`;
  if (!(e.type in CURRENT_SCHEMA_VERSION)) return `unknown event type ${JSON.stringify(e.type)}`;
  try {
    const recorded = upcast(e);
    // upcast skips re-validating current-version events (the store validated them); an import must not.
    if (e.metadata.schemaVersion === CURRENT_SCHEMA_VERSION[e.type as LedgerEventType]) {
      const parsed = LedgerEvent.safeParse({ type: recorded.type, data: recorded.data });
      if (!parsed.success) return `${e.type} data does not match its schema: ${issues(parsed.error)}`;
    }
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
}

export interface VerifiedFile {
  format: ExportFormat;
  events: number;
  streams: number;
  root: string;
  checkpoint: Checkpoint;
  /** Line number of the checkpoint. */
  checkpointLine: number;
}

/**
 * Checks an export line by line, as it would be imported: every event well formed and readable,
 * in increasing global position, each stream's revisions consecutive and linked (prevHash),
 * each hash recomputed from content; then the checkpoint line, last, whose size and root must
 * be those of the events. The first problem is thrown as LineRejected naming its line.
 */
export class LedgerFileVerifier {
  private readonly tails = new Map<string, { revision: number; hash: string }>();
  private readonly ids = new Set<string>();
  private readonly frontier = Frontier.empty();
  private lastPosition = -1;
  private lastLine = 0;
  private checkpoint: { value: Checkpoint; line: number } | undefined;

  constructor(readonly format: ExportFormat) {}

  /** Checks one line; returns the event it holds (undefined for the checkpoint line). */
  accept(line: number, text: string): StoredEvent | undefined {
    this.lastLine = line;
    if (this.checkpoint) {
      // Empty lines after the checkpoint are an editor's or a shell's doing, not content.
      if (text.trim() === '') return undefined;
      throw new LineRejected(line, `nothing may follow the checkpoint (line ${this.checkpoint.line})`);
    }
    const first = line === 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new LineRejected(line, `not JSON: ${error instanceof Error ? error.message : String(error)}`, first);
    }
    let decoded: Decoded;
    try {
      decoded = this.format === 'cloudevents' ? decodeCloudEvent(value) : decodeJsonl(value);
    } catch (error) {
      throw new LineRejected(line, error instanceof Error ? error.message : String(error), first);
    }
    if (decoded.kind === 'checkpoint') {
      this.acceptCheckpoint(line, decoded.checkpoint);
      return undefined;
    }
    this.acceptEvent(line, decoded.event);
    return decoded.event;
  }

  /** After the last line: the verdict on the whole file. */
  finish(): VerifiedFile {
    if (this.lastLine === 0) throw new LineRejected(1, 'the file is empty', true);
    if (!this.checkpoint) throw new LineRejected(this.lastLine + 1, 'the file ends without its checkpoint line');
    return {
      format: this.format,
      events: this.frontier.size,
      streams: this.tails.size,
      root: toHex(this.frontier.root()),
      checkpoint: this.checkpoint.value,
      checkpointLine: this.checkpoint.line,
    };
  }

  private acceptEvent(line: number, e: StoredEvent): void {
    const reject = (reason: string): never => {
      throw new LineRejected(line, `${e.stream} revision ${e.revision}: ${reason}`);
    };
    const unreadable = checkReadable(e);
    if (unreadable) reject(unreadable);
    if (e.position <= this.lastPosition) reject(`out-of-order: position ${e.position} does not come after ${this.lastPosition}`);
    if (this.ids.has(e.metadata.eventId)) reject(`event id ${e.metadata.eventId} appears twice`);
    const tail = this.tails.get(e.stream) ?? { revision: -1, hash: ZERO_HASH };
    if (e.revision <= tail.revision) reject(`out-of-order: revision ${e.revision} after ${tail.revision}`);
    if (e.revision > tail.revision + 1) reject(`gap: revisions ${tail.revision + 1}..${e.revision - 1} missing`);
    if (e.metadata.prevHash !== tail.hash) reject(`broken-link: prevHash does not match the hash of revision ${tail.revision}`);
    const { hash, ...rest } = e.metadata;
    const actual = chainHash({ stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: rest });
    if (actual !== hash) reject(`hash-mismatch: the line says ${hash}, its content hashes to ${actual}`);
    this.tails.set(e.stream, { revision: e.revision, hash });
    this.ids.add(e.metadata.eventId);
    this.lastPosition = e.position;
    this.frontier.push(leafHash(Buffer.from(hash, 'hex')));
  }

  private acceptCheckpoint(line: number, checkpoint: Checkpoint): void {
    const size = this.frontier.size;
    if (checkpoint.size !== size) throw new LineRejected(line, `the checkpoint is for ${checkpoint.size} events, the file holds ${size}`);
    const root = toHex(this.frontier.root());
    if (checkpoint.root !== root) throw new LineRejected(line, `the checkpoint root ${checkpoint.root} is not the root of the file's events (${root})`);
    this.checkpoint = { value: checkpoint, line };
  }
}
