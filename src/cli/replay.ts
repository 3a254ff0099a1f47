import type { Command } from 'commander';
import { AsOf } from '../../api/schemas.js';
import { Ulid } from '../../events/index.js';
import { Disputes, FactsView, IncidentView, Timeline } from '../../projections/schemas.js';
import { CliError, emit, EXIT_OK, EXIT_USAGE, usageError, type CliContext, type CliIO } from './io.js';
import { checkLedgerFile } from './local.js';
import { configFor, withLocal, withRemote, type LocalOptions, type RemoteOptions } from './options.js';
import { clientFor, HttpStatusError, type AuditClient } from './remote.js';
import { renderReplay, type ReplayAnswer } from './table.js';

interface ReplayOptions extends LocalOptions, RemoteOptions {
  incident: string;
  asOf: string;
  table?: boolean;
}

export function replayCommand(program: Command, ctx: CliContext): void {
  withRemote(withLocal(program.command('replay')))
    .summary("an incident's timeline, facts and disputes as of an instant")
    .description(
      'print the timeline, facts and disputes of an incident as they stood at an instant: the same ReadModels code\n' +
        "as the API's ?asOf= answers. A table on a terminal, JSON otherwise (or with --json).",
    )
    .requiredOption('--incident <id>', 'the incident id (a ULID)')
    .requiredOption('--as-of <instant>', 'an ISO 8601 instant, e.g. 2021-03-11T00:00:00Z (or a date: its start, UTC)')
    .option('--table', 'a table even when stdout is not a terminal')
    .action(async (options: ReplayOptions) => {
      ctx.done(await runReplay(ctx.io, options));
    });
}

export async function runReplay(io: CliIO, options: ReplayOptions): Promise<number> {
  if (!Ulid.safeParse(options.incident).success) throw usageError(`--incident must be an incident id (a ULID), got ${JSON.stringify(options.incident)}`);
  const asOf = AsOf.safeParse(options.asOf);
  if (!asOf.success) throw usageError(`--as-of must be an ISO 8601 instant (e.g. 2021-03-11T00:00:00Z), got ${JSON.stringify(options.asOf)}`);
  const client = clientFor(options, io.env);
  const answer = client ? await remoteReplay(client, options.incident, asOf.data) : await localReplay(io, options, asOf.data);
  const asJson = options.json === true || (!io.stdout.isTTY && options.table !== true);
  return emit(io, { code: EXIT_OK, json: answer, human: renderReplay(answer) }, asJson);
}

const notFound = (id: string, asOf: Date): CliError => new CliError(EXIT_USAGE, `incident ${id} did not exist as of ${asOf.toISOString()}`);

async function localReplay(io: CliIO, options: ReplayOptions, asOf: Date): Promise<ReplayAnswer> {
  const config = configFor(io, options);
  if (config.LEDGER_STORE === 'sqlite') {
    if (config.LEDGER_DB === ':memory:') throw usageError('--db needs a ledger file: an in-memory ledger holds nothing to replay');
    checkLedgerFile(config.LEDGER_DB, { mustExist: true });
  }
  const errors: Error[] = [];
  const { openServices } = await import('../app/services.js');
  const services = await openServices({
    store: config.LEDGER_STORE,
    dbPath: config.LEDGER_DB,
    esdbConnectionString: config.ESDB_CONNECTION_STRING,
    stateDbPath: config.LEDGER_STATE_DB,
    onError: (error) => errors.push(error),
  });
  try {
    await services.ready;
    const { readModels } = services;
    const id = options.incident;
    const [incident, timeline, facts, disputes] = await Promise.all([readModels.incident(id, asOf), readModels.timeline(id, asOf), readModels.facts(id, asOf), readModels.disputes(id, asOf)]);
    if (!incident || !timeline || !facts || !disputes) throw notFound(id, asOf);
    return { incidentId: id, asOf: asOf.toISOString(), incident, timeline, facts, disputes };
  } finally {
    await services.close();
  }
}

async function remoteReplay(client: AuditClient, id: string, asOf: Date): Promise<ReplayAnswer> {
  const at = asOf.toISOString();
  try {
    const [incident, timeline, facts, disputes] = await Promise.all([
      client.get(`/api/incidents/${id}?asOf=${encodeURIComponent(at)}`, IncidentView),
      client.get(`/api/incidents/${id}/timeline?asOf=${encodeURIComponent(at)}`, Timeline),
      client.get(`/api/incidents/${id}/facts?asOf=${encodeURIComponent(at)}`, FactsView),
      client.get(`/api/incidents/${id}/disputes?asOf=${encodeURIComponent(at)}`, Disputes),
    ]);
    return { incidentId: id, asOf: at, incident, timeline, facts, disputes };
  } catch (error) {
    if (error instanceof HttpStatusError && error.status === 404) throw notFound(id, asOf);
    throw error;
  }
}
