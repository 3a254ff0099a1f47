import type { Command } from 'commander';
import { Ulid } from '../../events/index.js';
import { LedgerLogError } from '../log/errors.js';
import { isSha256Hex } from '../log/hex.js';
import type { Checkpoint, ConsistencyProof, InclusionProof } from '../log/schemas.js';
import { verifyConsistencyBetween, verifyInclusionAgainstCheckpoint, type Verdict } from '../log/verify-offline.js';
import { emit, EXIT_OK, EXIT_TAMPERED, usageError, type CliContext, type CliIO, type Outcome } from './io.js';
import { openLocal, type LocalLedger } from './local.js';
import { configFor, positiveInt, readCheckpointFile, withLocal, withRemote, type LocalOptions, type RemoteOptions } from './options.js';
import { AuditClient, clientFor, HttpStatusError } from './remote.js';
import { resolveKey, serverKey, signatureProblem, unsignedNote, type CheckpointOrigin, type TrustedKey } from './trust.js';

interface ProveOptions extends LocalOptions, RemoteOptions {
  event?: string;
  hash?: string;
  size?: string;
  from?: string;
  to?: string;
  checkpoint?: string;
}

export function proveCommand(program: Command, ctx: CliContext): void {
  withRemote(withLocal(program.command('prove')))
    .summary('print and verify an inclusion or consistency proof')
    .description(
      'print a proof from the ledger log and verify it here, offline (RFC 9162).\n' +
        '  prove --event ID [--size N]      inclusion: the event is a leaf of the tree of size N (default: the current one)\n' +
        '  prove --from A [--to B]          consistency: the tree of size B (default: current) extends the tree of size A\n' +
        'With --checkpoint FILE the proof is checked against a checkpoint you kept (its size is the tree proved into, or\n' +
        'extended from). With --url the proof comes from a running server; its current checkpoint is the only root it\n' +
        'serves, so other sizes need --checkpoint. Exit 0 verified, 1 the proof does not verify, 2 usage or I/O error.',
    )
    .option('--event <id>', 'inclusion proof for this event id')
    .option('--hash <sha256>', "with --event: the event's chain hash as you hold it; the proved leaf must be that event")
    .option('--size <n>', 'with --event: the tree size to prove inclusion in')
    .option('--from <n>', 'consistency proof from this tree size')
    .option('--to <n>', 'consistency proof to this tree size')
    .option('--checkpoint <file>', 'a kept checkpoint: the tree to prove into (--event) or to prove extended (--from)')
    .action(async (options: ProveOptions) => {
      ctx.done(await runProve(ctx.io, options));
    });
}

/** A checkpoint, and whether this run computed it or someone else claims it (see CheckpointOrigin). */
interface Held {
  checkpoint: Checkpoint;
  origin: CheckpointOrigin;
}

/** A proof and its verdict; no proof when the verdict came first (a kept checkpoint beyond the ledger). */
type Answer =
  | { kind: 'inclusion'; eventId: string; proof: InclusionProof | undefined; checkpoint: Held; verdict: Verdict }
  | { kind: 'consistency'; proof: ConsistencyProof | undefined; older: Held; newer: Held; verdict: Verdict };

/** The ledger's answers for one run, local or remote. */
interface Source {
  current(): Promise<Checkpoint>;
  /** The local log computes its checkpoints here; a server's are its claims. */
  readonly origin: CheckpointOrigin;
  /** A root for a past size, when this source can vouch for it (the local log can; a server cannot). */
  rootAt(size: number): string | undefined;
  /** The proof, or throws a usage error when the event is unknown or not in a tree of that size. */
  inclusion(eventId: string, size: number): Promise<InclusionProof>;
  consistency(from: number, to: number): Promise<ConsistencyProof>;
  /** The event's hash as the store holds it, when it can be looked up. */
  eventHash(eventId: string): string | undefined;
  /** True when eventHash() answers for every stored event (SQLite), so "undefined" means "not in the store". */
  readonly storeLookup: boolean;
  key(): Promise<string | undefined> | string | undefined;
}

function localSource(local: LocalLedger): Source {
  const { log } = local;
  return {
    current: async () => log.checkpoint(new Date()),
    origin: 'computed',
    rootAt: (size) => log.root(size),
    inclusion: async (eventId, size) => {
      try {
        return log.inclusionProof(eventId, size);
      } catch (error) {
        if (!(error instanceof LedgerLogError)) throw error;
        if (error.code === 'unknown-event') throw usageError(`no event ${eventId} in this ledger`);
        if (error.code === 'event-after-size') throw usageError(`${error.message}: it has no proof in that tree`);
        throw error;
      }
    },
    consistency: async (from, to) => log.consistencyProof(from, to),
    eventHash: (eventId) => local.eventHash(eventId),
    storeLookup: local.sqlite !== undefined,
    key: () => log.signer?.publicKeyPem,
  };
}

function remoteSource(client: AuditClient): Source {
  return {
    current: () => client.checkpoint(),
    origin: 'claimed',
    rootAt: () => undefined,
    inclusion: async (eventId, size) => {
      // The server refuses an id that is not a ULID as a malformed request; no ledger holds one.
      if (!Ulid.safeParse(eventId).success) throw usageError(`no event ${eventId} in this ledger (event ids are ULIDs)`);
      try {
        return await client.inclusionProof(eventId, size);
      } catch (error) {
        // A kept checkpoint beyond the server's log was caught before asking, so a 400 here is
        // about the event: it came after the tree asked about.
        if (error instanceof HttpStatusError && error.status === 404) throw usageError(`no event ${eventId} in this ledger (the server says: ${error.detail})`);
        if (error instanceof HttpStatusError && error.status === 400) throw usageError(`no proof of event ${eventId} in the tree of size ${size} (the server says: ${error.detail})`);
        throw error;
      }
    },
    consistency: (from, to) => client.consistencyProof(from, to),
    eventHash: () => undefined,
    storeLookup: false,
    key: serverKey(client),
  };
}

export async function runProve(io: CliIO, options: ProveOptions): Promise<number> {
  const size = positiveInt('--size', options.size);
  const from = options.from === '0' ? 0 : positiveInt('--from', options.from);
  const to = positiveInt('--to', options.to);
  const kept = options.checkpoint !== undefined ? readCheckpointFile(options.checkpoint) : undefined;
  if (options.event !== undefined && (from !== undefined || to !== undefined)) throw usageError('give either --event (inclusion) or --from/--to (consistency), not both');
  if (options.event === undefined && from === undefined && kept === undefined) throw usageError('give --event ID, --from A [--to B], or --checkpoint FILE');
  if (options.hash !== undefined && !isSha256Hex(options.hash)) throw usageError('--hash must be 64 lowercase hex characters');
  if (from !== undefined && to !== undefined && from > to) throw usageError(`--from ${from} is larger than --to ${to}: a consistency proof goes from a smaller tree to a larger one`);

  const client = clientFor(options, io.env);
  const local = client ? undefined : await openLocal(configFor(io, options), { mustExist: true });
  try {
    if (local) await local.catchUpLog();
    const source = client ? remoteSource(client) : localSource(local!);
    const trust = await resolveKey(options, () => source.key());
    const answer =
      options.event !== undefined
        ? await inclusion(source, options.event, size, kept, options.hash)
        : await consistency(source, from ?? kept!.size, to, kept, client !== undefined);
    return emit(io, render(answer, trust), options.json === true);
  } finally {
    await local?.close();
  }
}

function checkpointOfSize(source: Source, current: Checkpoint, size: number | undefined, what: string): Held {
  if (size === undefined || size === current.size) return { checkpoint: current, origin: source.origin };
  if (size > current.size) throw usageError(`${what} ${size} is beyond the log's current size ${current.size}`);
  const root = source.rootAt(size);
  if (root === undefined) throw usageError(`the server serves only its current checkpoint (size ${current.size}): to use size ${size}, pass --checkpoint FILE kept at that size`);
  // A past tree's root, as the local log computes it; not a checkpoint it signed.
  return { checkpoint: { size, root, at: current.at }, origin: 'computed' };
}

const keptHeld = (kept: Checkpoint): Held => ({ checkpoint: kept, origin: 'claimed' });

/** A kept checkpoint the ledger is now smaller than: no proof can be asked for, and the verdict is already in. */
const removedVerdict = (kept: Checkpoint, current: Checkpoint): Verdict => ({
  ok: false,
  reason: `the kept checkpoint is of a tree of size ${kept.size}, but the ledger now holds ${current.size} events: events were removed`,
});

async function inclusion(source: Source, eventId: string, size: number | undefined, kept: Checkpoint | undefined, hash: string | undefined): Promise<Answer> {
  if (kept && size !== undefined && size !== kept.size) throw usageError(`--size ${size} differs from the kept checkpoint's size ${kept.size}`);
  const current = await source.current();
  if (kept && kept.size > current.size) return { kind: 'inclusion', eventId, proof: undefined, checkpoint: keptHeld(kept), verdict: removedVerdict(kept, current) };
  const held = kept ? keptHeld(kept) : checkpointOfSize(source, current, size, '--size');
  const checkpoint = held.checkpoint;
  if (checkpoint.size === 0) throw usageError('the tree of size 0 has no leaves to prove');
  const proof = await source.inclusion(eventId, checkpoint.size);
  const stored = source.eventHash(eventId);
  const eventHash = hash ?? stored;
  let verdict = verifyInclusionAgainstCheckpoint(proof, checkpoint, eventHash !== undefined ? { eventHash } : {});
  if (verdict.ok && source.storeLookup && stored === undefined) verdict = { ok: false, reason: `the log holds event ${eventId}, but the store no longer does` };
  if (verdict.ok && hash !== undefined && stored !== undefined && stored !== hash) verdict = { ok: false, reason: `the store holds event ${eventId} with hash ${stored}, not ${hash}` };
  return { kind: 'inclusion', eventId, proof, checkpoint: held, verdict };
}

async function consistency(source: Source, from: number, to: number | undefined, kept: Checkpoint | undefined, remote: boolean): Promise<Answer> {
  if (kept && from !== kept.size) throw usageError(`--from ${from} differs from the kept checkpoint's size ${kept.size}`);
  if (!kept && remote) throw usageError('with --url, pass --checkpoint FILE: the server serves no root for past sizes, so a consistency proof from one cannot be checked');
  const current = await source.current();
  if (kept && kept.size > current.size) {
    return { kind: 'consistency', proof: undefined, older: keptHeld(kept), newer: { checkpoint: current, origin: source.origin }, verdict: removedVerdict(kept, current) };
  }
  if (kept && to !== undefined && kept.size > to) throw usageError(`--to ${to} is smaller than the kept checkpoint's size ${kept.size}: a consistency proof goes from a smaller tree to a larger one`);
  const newer = checkpointOfSize(source, current, to, '--to');
  const older = kept ? keptHeld(kept) : checkpointOfSize(source, current, from, '--from');
  const sizes = { from: older.checkpoint.size, to: newer.checkpoint.size };
  const proof = sizes.from === 0 ? { ...sizes, proof: [] } : await source.consistency(sizes.from, sizes.to);
  return { kind: 'consistency', proof, older, newer, verdict: verifyConsistencyBetween(older.checkpoint, newer.checkpoint, proof) };
}

function render(answer: Answer, trust: TrustedKey | undefined): Outcome {
  const notes: string[] = [];
  const problems: string[] = [];
  const checkpoints: Array<[Held, string]> = answer.kind === 'inclusion' ? [[answer.checkpoint, 'the checkpoint']] : [[answer.older, 'the older checkpoint'], [answer.newer, 'the newer checkpoint']];
  for (const [{ checkpoint, origin }, name] of checkpoints) {
    const problem = signatureProblem(checkpoint, name, trust, origin);
    if (problem) problems.push(problem);
    const note = unsignedNote(checkpoint, name, trust);
    if (note) notes.push(note);
  }
  if (!answer.verdict.ok) problems.unshift(answer.verdict.reason);
  const ok = problems.length === 0;
  const lines = answer.kind === 'inclusion' ? inclusionLines(answer) : consistencyLines(answer);
  lines.push(ok ? 'verified: ok' : `verified: FAILED: ${problems.join('; ')}`, ...notes.map((n) => `  note: ${n}`));
  // No proof is `proof: null`, never a made-up one.
  const json =
    answer.kind === 'inclusion'
      ? { ok, kind: answer.kind, eventId: answer.eventId, proof: answer.proof ?? null, checkpoint: answer.checkpoint.checkpoint, problems, notes }
      : { ok, kind: answer.kind, proof: answer.proof ?? null, older: answer.older.checkpoint, newer: answer.newer.checkpoint, problems, notes };
  return { code: ok ? EXIT_OK : EXIT_TAMPERED, json, human: lines };
}

const rootLine = (label: string, checkpoint: Checkpoint): string => `  ${label}${checkpoint.root}${checkpoint.signature ? ' (signed)' : ''}`;
const pathLines = (label: string, hashes: readonly string[]): string[] => [`  ${label}${hashes.length} hashes`, ...hashes.map((h, i) => `    ${String(i).padStart(2)} ${h}`)];

function inclusionLines(answer: Extract<Answer, { kind: 'inclusion' }>): string[] {
  const { proof, checkpoint } = answer;
  if (!proof) return [`inclusion proof: none for event ${answer.eventId} in the tree of size ${checkpoint.checkpoint.size}`, rootLine('root      ', checkpoint.checkpoint)];
  return [
    `inclusion proof: event ${answer.eventId} is leaf ${proof.leafIndex} of the tree of size ${proof.size}`,
    `  leaf hash ${proof.leafHash}`,
    rootLine('root      ', checkpoint.checkpoint),
    ...pathLines('path      ', proof.proof),
  ];
}

function consistencyLines(answer: Extract<Answer, { kind: 'consistency' }>): string[] {
  const { proof, older, newer } = answer;
  const roots = [rootLine('older root ', older.checkpoint), rootLine('newer root ', newer.checkpoint)];
  if (!proof) return [`consistency proof: none from the tree of size ${older.checkpoint.size} to the tree of size ${newer.checkpoint.size}`, ...roots];
  return [`consistency proof: the tree of size ${proof.to} extends the tree of size ${proof.from}`, ...roots, ...pathLines('proof      ', proof.proof)];
}
