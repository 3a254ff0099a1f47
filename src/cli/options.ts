import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig, type Config } from '../config.js';
import { Checkpoint } from '../log/schemas.js';
import { errorMessage, usageError, type CliIO } from './io.js';

/** Options every command that reads the local store takes. */
export interface LocalOptions {
  db?: string;
  json?: boolean;
  /** False with --no-progress. */
  progress?: boolean;
}

/** Options of commands that can also talk to a running server as an outside auditor. */
export interface RemoteOptions {
  url?: string;
  token?: string;
  publicKey?: string;
}

export function withJson(cmd: Command): Command {
  return cmd.option('--json', 'machine-readable output on stdout');
}

export function withLocal(cmd: Command): Command {
  return withJson(cmd)
    .option('--db <path>', 'SQLite ledger file (default: LEDGER_DB, with LEDGER_STORE=sqlite)')
    .option('--no-progress', 'no progress bar or progress lines on stderr');
}

export function withRemote(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'audit a running server instead of the local store (trusting only what can be checked)')
    .option('--token <token>', 'bearer token with the auditor role (default: LEDGER_TOKEN)')
    .option('--public-key <file>', "the log's Ed25519 public key (PEM or raw base64) to pin: checkpoints must be signed by it");
}

/** Settings only `serve` reads (it loads its configuration itself). */
const SERVER_ONLY = ['HOST', 'PORT', 'LEDGER_TOKENS', 'LEDGER_TOKENS_FILE', 'LEDGER_PUBLIC_READ', 'LEDGER_BODY_LIMIT', 'LEDGER_CORS_ORIGINS', 'LEDGER_RATE_LIMIT'] as const;

/** The service configuration from the environment, with `--db` meaning "this SQLite file". */
export function configFor(io: CliIO, options: { db?: string | undefined }): Config {
  // An empty LEDGER_DB means "the default"; an empty --db is a mistake, not a request for it.
  if (options.db === '') throw usageError('--db needs a path');
  const env: NodeJS.ProcessEnv = { ...io.env, ...(options.db !== undefined ? { LEDGER_STORE: 'sqlite', LEDGER_DB: options.db } : {}) };
  // The HTTP server's settings mean nothing to these commands: a bad PORT must not stop a verify.
  for (const name of SERVER_ONLY) delete env[name];
  try {
    return loadConfig(env);
  } catch (error) {
    throw usageError(errorMessage(error));
  }
}

function readText(path: string, what: string): string {
  try {
    // A byte-order mark (some editors write one) is not part of the JSON or the key.
    return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw usageError(`cannot read ${what} ${path}: ${errorMessage(error)}`);
  }
}

/** A checkpoint an auditor kept: parsed strictly, so a damaged file is a usage error, not a verdict. */
export function readCheckpointFile(path: string): Checkpoint {
  const text = readText(path, 'checkpoint file');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError(`${path} is not JSON: ${errorMessage(error)}`);
  }
  const parsed = Checkpoint.safeParse(value);
  if (!parsed.success) throw usageError(`${path} is not a checkpoint {size, root, at, signature?}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** A public key file: PEM, or the raw 32 bytes in base64 (what GET /api/audit/public-key calls `raw`). */
export function readPublicKey(path: string): string {
  return readText(path, 'public key').trim();
}

/** Parses a positive integer option, or throws a usage error naming it. */
export function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value) || Number(value) < 1) throw usageError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}
