import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { incidentStream, sourceStream, type StoredEvent } from '../../events/index.js';
import { verifyLedger, type LedgerSource } from '../audit/verify-ledger.js';
import type { Checkpoint, InclusionProof } from '../log/schemas.js';
import { verifyConsistencyBetween, verifyInclusionAgainstCheckpoint } from '../log/verify-offline.js';
import { verifyStreamChain } from '../store/hash-chain.js';
import type { StoredEventJson } from '../store/port.js';
import { count, emit, EXIT_OK, EXIT_TAMPERED, usageError, type CliContext, type CliIO, type Outcome } from './io.js';
import { openLocal, type LocalLedger } from './local.js';
import { configFor, readCheckpointFile, withLocal, withRemote, type LocalOptions, type RemoteOptions } from './options.js';
import { startProgress } from './progress.js';
import { AuditClient, clientFor, HttpStatusError, type MalformedEvent } from './remote.js';
import { mapLimit, resolveKey, serverKey, signatureProblem, unsignedNote, type Failure, type TrustedKey } from './trust.js';

interface VerifyOptions extends LocalOptions, RemoteOptions {
  against?: string;
  everyEvent?: boolean;
  integrity?: boolean;
}

export function verifyCommand(program: Command, ctx: CliContext): void {
  withRemote(withLocal(program.command('verify')))
    .summary('recompute every chain and the log root; report each failure (exit 1)')
    .description(
      'recompute every stream chain and the ledger log root; report ok or each failure by stream, revision and reason.\n' +
        'Exit 0 ok, 1 tampering found, 2 usage or I/O error. With --url, audit a running server trusting nothing it can check.',
    )
    .option('--against <checkpoint.json>', 'also prove the ledger extends this kept checkpoint (consistency proof)')
    .option('--every-event', 'with --url: fetch an inclusion proof for every event, not only for each stream head')
    .option('--integrity', "also run SQLite's check of the ledger file, which finds damage the chains cannot see (a broken index); it reads every page, so it is slow")
    .action(async (options: VerifyOptions) => {
      ctx.done(await runVerify(ctx.io, options));
    });
}

export async function runVerify(io: CliIO, options: VerifyOptions): Promise<number> {
  const against = options.against !== undefined ? readCheckpointFile(options.against) : undefined;
  const client = clientFor(options, io.env);
  if (client && options.integrity) throw usageError('--integrity checks a local ledger file: it cannot be used with --url');
  const outcome = client ? await verifyRemote(io, client, options, against) : await verifyLocal(io, options, against);
  return emit(io, outcome, options.json === true);
}

function summarize(label: string, report: { ok: boolean; checked: number; failures: Failure[] }, okLine: string, notes: string[]): string[] {
  const lines = report.ok
    ? [`${label}: ok: ${okLine}`]
    : [
        `${label}: TAMPERING FOUND: ${report.failures.length} failure${report.failures.length === 1 ? '' : 's'} in ${count(report.checked)} events`,
        ...report.failures.map((f) => `  ${f.stream} revision ${f.revision}: ${f.reason}: ${f.detail}`),
      ];
  return [...lines, ...notes.map((n) => `  note: ${n}`)];
}

// --- the local store ---------------------------------------------------------------------------

async function verifyLocal(io: CliIO, options: VerifyOptions, against: Checkpoint | undefined): Promise<Outcome> {
  const local = await openLocal(configFor(io, options), { mustExist: true });
  try {
    const notes: string[] = [];
    if (local.readOnly) notes.push('the ledger file is read-only here: nothing was written to it, and its log was read as stored');
    try {
      await local.catchUpLog();
    } catch (error) {
      notes.push(`the log could not absorb every stored event (${error instanceof Error ? error.message : String(error)}); checked against what it holds`);
    }
    const failures: Failure[] = [];
    const trust = await resolveKey(options, () => local.log.signer?.publicKeyPem);
    if (against) {
      const problem = signatureProblem(against, 'the kept checkpoint', trust);
      if (problem) failures.push({ stream: '$log', revision: against.size, reason: 'checkpoint-signature', detail: problem });
      const note = unsignedNote(against, 'the kept checkpoint', trust);
      if (note) notes.push(note);
    }

    const progress = startProgress(io, 'verify', { total: local.log.size(), enabled: options.progress !== false });
    const rowMismatch = (stream: string, revision: number, detail: string): number => failures.push({ stream, revision, reason: 'row-mismatch', detail });
    const events = async function* (): AsyncGenerator<StoredEvent | StoredEventJson> {
      for await (const { event, rowProblem } of local.readEvents()) {
        if (rowProblem) rowMismatch(event.stream, event.revision, rowProblem);
        yield event;
      }
    };
    // A large SQLite ledger is read by range, shared with a worker, each row checked as here.
    const positionRanges = local.sqlite?.positionRanges();
    const source: LedgerSource =
      positionRanges && local.readRows ? Object.assign(events(), { positionRanges, rowChecks: { readRows: local.readRows, report: rowMismatch } }) : events();
    const report = await verifyLedger(source, {
      log: local.log,
      ...(against ? { against: { size: against.size, root: against.root } } : {}),
      onProgress: (n) => progress.tick(n),
    });
    progress.finish(report.checked);
    failures.push(...report.failures);
    if (options.integrity) {
      const problems = local.fileProblems();
      if (problems === undefined) notes.push('--integrity checks a SQLite ledger file; EventStoreDB checks its own storage');
      else if (problems.length === 0) notes.push("SQLite's quick_check found the file sound");
      else {
        const shown = problems.slice(0, 10).join('; ');
        failures.push({ stream: '$file', revision: 0, reason: 'file-damaged', detail: `SQLite's quick_check: ${shown}${problems.length > 10 ? ` (and ${problems.length - 10} more)` : ''}` });
      }
    }
    failures.sort((a, b) => (a.stream === b.stream ? a.revision - b.revision : a.stream < b.stream ? -1 : 1));

    const ok = failures.length === 0;
    const json = { ok, checked: report.checked, root: report.root, store: local.where, ...(against ? { against: { size: against.size, root: against.root } } : {}), failures, notes };
    const okLine = `${count(report.checked)} events, every chain intact, log root ${report.root}${against ? `, extends the kept checkpoint of size ${against.size}` : ''}`;
    return { code: ok ? EXIT_OK : EXIT_TAMPERED, json, human: summarize('verify', { ok, checked: report.checked, failures }, okLine, notes) };
  } finally {
    await local.close();
  }
}

// --- a running server, as an outside auditor ------------------------------------------------------

interface Target {
  event: StoredEvent;
}

async function verifyRemote(io: CliIO, client: AuditClient, options: VerifyOptions, against: Checkpoint | undefined): Promise<Outcome> {
  const failures: Failure[] = [];
  const notes: string[] = [
    "the log root is checked through inclusion and consistency proofs rather than rebuilt: the server serves each stream's events, not the whole log in order",
  ];
  const trust = await resolveKey(options, serverKey(client));
  if (trust && !trust.pinned) notes.push("checkpoint signatures checked with the key the server serves (pass --public-key to pin the ledger's key)");

  // 1. Every incident and source stream, and its chain, recomputed here.
  const progress = startProgress(io, 'verify', { unit: 'events', enabled: options.progress !== false });
  const streams: StoredEvent[][] = [];
  let checked = 0;
  let sourceStreams = 0;
  const check = (stream: string, { events, malformed }: { events: StoredEvent[]; malformed: MalformedEvent[] }) => {
    for (const m of malformed) failures.push({ stream, revision: m.index, reason: 'malformed-event', detail: m.problem });
    for (const e of events) {
      if (e.stream !== stream) failures.push({ stream, revision: e.revision, reason: 'wrong-stream', detail: `served as part of ${stream}, but names stream ${e.stream}` });
    }
    failures.push(...verifyStreamChain(events));
    streams.push(events);
    checked += events.length;
    progress.tick(checked);
  };
  for await (const id of client.incidentIds()) check(incidentStream(id), await client.incidentEvents(id));
  for await (const id of client.sourceIds()) {
    check(sourceStream(id), await client.sourceEvents(id));
    sourceStreams++;
  }
  progress.finish(checked);

  // 2. Each stream's head (or every event) proved into the checkpoint, tied to the hash we recomputed.
  const targets: Target[] = streams.flatMap((events) => (options.everyEvent ? events : events.slice(-1))).map((event) => ({ event }));
  const { checkpoint, proved } = await proveInclusion(io, client, targets, options.progress !== false);
  const signature = signatureProblem(checkpoint, "the server's checkpoint", trust);
  if (signature) failures.push({ stream: '$log', revision: checkpoint.size, reason: 'checkpoint-signature', detail: signature });
  const note = unsignedNote(checkpoint, "the server's checkpoint", trust);
  if (note) notes.push(note);
  for (const [i, result] of proved.entries()) {
    const { event } = targets[i]!;
    if (!result.ok) failures.push({ stream: event.stream, revision: event.revision, reason: 'not-in-log', detail: result.reason });
  }
  if (options.everyEvent) failures.push(...leafOrder(targets, proved));

  // 3. The kept checkpoint, extended by the current one: the proof is checked here, offline.
  if (against) failures.push(...(await proveExtends(client, against, checkpoint, trust, notes)));

  failures.sort((a, b) => (a.stream === b.stream ? a.revision - b.revision : a.stream < b.stream ? -1 : 1));
  const ok = failures.length === 0;
  const json = { ok, mode: 'remote', url: options.url, checked, streams: streams.length, sourceStreams, checkpoint, ...(against ? { against } : {}), failures, notes };
  const okLine = `${count(checked)} events in ${streams.length - sourceStreams} incident and ${sourceStreams} source streams, every chain intact; ${options.everyEvent ? 'every event' : 'every stream head'} proved into the checkpoint of size ${checkpoint.size}${against ? `, which extends the kept checkpoint of size ${against.size}` : ''}`;
  return { code: ok ? EXIT_OK : EXIT_TAMPERED, json, human: summarize('verify', { ok, checked, failures }, okLine, notes) };
}

type Proved = { ok: true; proof: InclusionProof } | { ok: false; reason: string; retry: boolean };

/**
 * The server's log follows its store asynchronously, so an event read a moment ago may not be a
 * leaf yet: when some proof is refused as unknown, fetch a newer checkpoint and prove all again
 * (every proof in the report is against one checkpoint).
 */
async function proveInclusion(io: CliIO, client: AuditClient, targets: Target[], showProgress: boolean): Promise<{ checkpoint: Checkpoint; proved: Proved[] }> {
  for (let attempt = 1; ; attempt++) {
    const checkpoint = await client.checkpoint();
    const progress = startProgress(io, 'inclusion proofs', { total: targets.length, unit: 'proofs', enabled: showProgress });
    let done = 0;
    const proved = await mapLimit(targets, 4, async ({ event }): Promise<Proved> => {
      const result = await proveOne(client, event, checkpoint);
      progress.tick(++done);
      return result;
    });
    progress.finish(done);
    if (attempt >= 3 || !proved.some((p) => !p.ok && p.retry)) return { checkpoint, proved };
    await sleep(300 * attempt);
  }
}

async function proveOne(client: AuditClient, event: StoredEvent, checkpoint: Checkpoint): Promise<Proved> {
  if (checkpoint.size === 0) return { ok: false, reason: 'the checkpoint is of an empty log', retry: true };
  let proof: InclusionProof;
  try {
    proof = await client.inclusionProof(event.metadata.eventId, checkpoint.size);
  } catch (error) {
    if (error instanceof HttpStatusError && (error.status === 404 || error.status === 400)) {
      return { ok: false, reason: `the server has no proof for event ${event.metadata.eventId} in the tree of size ${checkpoint.size}: ${error.detail}`, retry: true };
    }
    throw error;
  }
  const verdict = verifyInclusionAgainstCheckpoint(proof, checkpoint, { eventHash: event.metadata.hash });
  return verdict.ok ? { ok: true, proof } : { ok: false, reason: verdict.reason, retry: false };
}

/** With every event proved: leaves must be distinct, and rise with the revision within a stream. */
function leafOrder(targets: Target[], proved: Proved[]): Failure[] {
  const failures: Failure[] = [];
  const owner = new Map<number, StoredEvent>();
  const lastInStream = new Map<string, number>();
  for (const [i, result] of proved.entries()) {
    if (!result.ok) continue;
    const { event } = targets[i]!;
    const leaf = result.proof.leafIndex;
    const other = owner.get(leaf);
    if (other) failures.push({ stream: event.stream, revision: event.revision, reason: 'out-of-order', detail: `proved as leaf ${leaf}, which also proves ${other.stream} revision ${other.revision}` });
    owner.set(leaf, event);
    const previous = lastInStream.get(event.stream);
    if (previous !== undefined && leaf <= previous) failures.push({ stream: event.stream, revision: event.revision, reason: 'out-of-order', detail: `leaf ${leaf} does not come after the previous revision's leaf ${previous}` });
    lastInStream.set(event.stream, leaf);
  }
  return failures;
}

async function proveExtends(client: AuditClient, older: Checkpoint, newer: Checkpoint, trust: TrustedKey | undefined, notes: string[]): Promise<Failure[]> {
  const failures: Failure[] = [];
  const problem = signatureProblem(older, 'the kept checkpoint', trust);
  if (problem) failures.push({ stream: '$log', revision: older.size, reason: 'checkpoint-signature', detail: problem });
  const note = unsignedNote(older, 'the kept checkpoint', trust);
  if (note) notes.push(note);
  if (older.size > newer.size) {
    failures.push({ stream: '$log', revision: older.size, reason: 'checkpoint-beyond-ledger', detail: `the kept checkpoint covers ${older.size} events, the server's log now ${newer.size}: events were removed` });
    return failures;
  }
  const proof = older.size === 0 ? { from: 0, to: newer.size, proof: [] } : await client.consistencyProof(older.size, newer.size);
  const verdict = verifyConsistencyBetween(older, newer, proof);
  if (!verdict.ok) failures.push({ stream: '$log', revision: older.size, reason: 'checkpoint-not-extended', detail: verdict.reason });
  return failures;
}
