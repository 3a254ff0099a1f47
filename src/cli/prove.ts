import type { Command } from 'commander';
import { LedgerLogError } from '../log/errors.js';
import { isSha256Hex } from '../log/hex.js';
import type { Checkpoint, ConsistencyProof, InclusionProof } from '../log/schemas.js';
import { verifyConsistencyBetween, verifyInclusionAgainstCheckpoint, type Verdict } from '../log/verify-offline.js';
import { emit, EXIT_OK, EXIT_TAMPERED, usageError, type CliContext, type CliIO, type Outcome } from './io.js';
import { openLocal, type LocalLedger } from './local.js';
import { configFor, positiveInt, readCheckpointFile, withLocal, withRemote, type LocalOptions, type RemoteOptions } from './options.js';
import { AuditClient, clientFor, HttpStatusError } from './remote.js';
import { resolveKey, serverKey, signatureProblem, unsignedNote, type TrustedKey } from './trust.js';

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

type Answer =
  | { kind: 'inclusion'; eventId: string; proof: InclusionProof; checkpoint: Checkpoint; verdict: Verdict }
  | { kind: 'consistency'; proof: ConsistencyProof; older: Checkpoint; newer: Checkpoint; verdict: Verdict };

/** The ledger's answers for one run, local or remote. */
interface Source {
  current(): Promise<Checkpoint>;
  /** A root for a past size, when this source can vouch for it (the local log can; a server cannot). */
  rootAt(size: number): string | undefined;
  inclusion(eventId: string, size: number): Promise<InclusionProof | { missing: string }>;
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
    rootAt: (size) => log.root(size),
    inclusion: async (eventId, size) => {
      try {
        return log.inclusionProof(eventId, size);
      } catch (error) {
        if (error instanceof LedgerLogError && (error.code === 'unknown-event' || error.code === 'event-after-size')) return { missing: error.message };
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
    rootAt: () => undefined,
    inclusion: async (eventId, size) => {
      try {
        return await client.inclusionProof(eventId, size);
      } catch (error) {
        if (error instanceof HttpStatusError && (error.status === 404 || error.status === 400)) return { missing: error.detail };
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

async function checkpointOfSize(source: Source, size: number | undefined, what: string): Promise<Checkpoint> {
  const current = await source.current();
  if (size === undefined || size === current.size) return current;
  if (size > current.size) throw usageError(`${what} ${size} is beyond the log's current size ${current.size}`);
  const root = source.rootAt(size);
  if (root === undefined) throw usageError(`the server serves only its current checkpoint (size ${current.size}): to use size ${size}, pass --checkpoint FILE kept at that size`);
  // A past tree's root, as the local log computes it; not a checkpoint it signed.
  return { size, root, at: current.at };
}

async function inclusion(source: Source, eventId: string, size: number | undefined, kept: Checkpoint | undefined, hash: string | undefined): Promise<Answer> {
  if (kept && size !== undefined && size !== kept.size) throw usageError(`--size ${size} differs from the kept checkpoint's size ${kept.size}`);
  const checkpoint = kept ?? (await checkpointOfSize(source, size, '--size'));
  if (checkpoint.size === 0) throw usageError('the tree of size 0 has no leaves to prove');
  const proof = await source.inclusion(eventId, checkpoint.size);
  if ('missing' in proof) {
    const empty: InclusionProof = { leafIndex: 0, size: checkpoint.size, leafHash: '', proof: [] };
    return { kind: 'inclusion', eventId, proof: empty, checkpoint, verdict: { ok: false, reason: `no proof: ${proof.missing}` } };
  }
  const stored = source.eventHash(eventId);
  const eventHash = hash ?? stored;
  let verdict = verifyInclusionAgainstCheckpoint(proof, checkpoint, eventHash !== undefined ? { eventHash } : {});
  if (verdict.ok && source.storeLookup && stored === undefined) verdict = { ok: false, reason: `the log holds event ${eventId}, but the store no longer does` };
  if (verdict.ok && hash !== undefined && stored !== undefined && stored !== hash) verdict = { ok: false, reason: `the store holds event ${eventId} with hash ${stored}, not ${hash}` };
  return { kind: 'inclusion', eventId, proof, checkpoint, verdict };
}

async function consistency(source: Source, from: number, to: number | undefined, kept: Checkpoint | undefined, remote: boolean): Promise<Answer> {
  if (kept && from !== kept.size) throw usageError(`--from ${from} differs from the kept checkpoint's size ${kept.size}`);
  if (!kept && remote) throw usageError('with --url, pass --checkpoint FILE: the server serves no root for past sizes, so a consistency proof from one cannot be checked');
  const newer = await checkpointOfSize(source, to, '--to');
  const older = kept ?? (await checkpointOfSize(source, from, '--from'));
  if (older.size > newer.size) {
    return { kind: 'consistency', proof: { from: older.size, to: newer.size, proof: [] }, older, newer, verdict: { ok: false, reason: `the tree of size ${older.size} is larger than the tree of size ${newer.size}: events were removed` } };
  }
  const proof = older.size === 0 ? { from: 0, to: newer.size, proof: [] } : await source.consistency(older.size, newer.size);
  return { kind: 'consistency', proof, older, newer, verdict: verifyConsistencyBetween(older, newer, proof) };
}

function render(answer: Answer, trust: TrustedKey | undefined): Outcome {
  const notes: string[] = [];
  const problems: string[] = [];
  const checkpoints: Array<[Checkpoint, string]> = answer.kind === 'inclusion' ? [[answer.checkpoint, 'the checkpoint']] : [[answer.older, 'the older checkpoint'], [answer.newer, 'the newer checkpoint']];
  for (const [checkpoint, name] of checkpoints) {
    const problem = signatureProblem(checkpoint, name, trust);
    if (problem) problems.push(problem);
    const note = unsignedNote(checkpoint, name, trust);
    if (note) notes.push(note);
  }
  if (!answer.verdict.ok) problems.unshift(answer.verdict.reason);
  const ok = problems.length === 0;
  const lines =
    answer.kind === 'inclusion'
      ? [
          `inclusion proof: event ${answer.eventId} is leaf ${answer.proof.leafIndex} of the tree of size ${answer.proof.size}`,
          `  leaf hash ${answer.proof.leafHash}`,
          `  root      ${answer.checkpoint.root}${answer.checkpoint.signature ? ' (signed)' : ''}`,
          `  path      ${answer.proof.proof.length} hashes`,
          ...answer.proof.proof.map((h, i) => `    ${String(i).padStart(2)} ${h}`),
        ]
      : [
          `consistency proof: the tree of size ${answer.proof.to} extends the tree of size ${answer.proof.from}`,
          `  older root ${answer.older.root}${answer.older.signature ? ' (signed)' : ''}`,
          `  newer root ${answer.newer.root}${answer.newer.signature ? ' (signed)' : ''}`,
          `  proof      ${answer.proof.proof.length} hashes`,
          ...answer.proof.proof.map((h, i) => `    ${String(i).padStart(2)} ${h}`),
        ];
  lines.push(ok ? 'verified: ok' : `verified: FAILED: ${problems.join('; ')}`, ...notes.map((n) => `  note: ${n}`));
  const json = answer.kind === 'inclusion'
    ? { ok, kind: answer.kind, eventId: answer.eventId, proof: answer.proof, checkpoint: answer.checkpoint, problems, notes }
    : { ok, kind: answer.kind, proof: answer.proof, older: answer.older, newer: answer.newer, problems, notes };
  return { code: ok ? EXIT_OK : EXIT_TAMPERED, json, human: lines };
}
