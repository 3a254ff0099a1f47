import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));

/** Every setting the service reads from its environment, validated once at start. */
export const Config = z.object({
  LEDGER_STORE: z.enum(['sqlite', 'esdb']).default('sqlite'),
  LEDGER_DB: z.string().min(1).default('./data/ledger.db'),
  /** With EventStoreDB: local file for the ledger log, projection checkpoints and idempotency keys. */
  LEDGER_STATE_DB: z.string().min(1).default('./data/state.db'),
  ESDB_CONNECTION_STRING: z.string().optional(),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LEDGER_TOKENS: z.string().optional(),
  LEDGER_TOKENS_FILE: z.string().optional(),
  LEDGER_PUBLIC_READ: bool.optional(),
  LEDGER_SIGNING_KEY: z.string().optional(),
  LEDGER_BODY_LIMIT: z.string().default('64kb'),
  LEDGER_SEED_DEMO: bool.default(true),
  LEDGER_CORS_ORIGINS: z.string().optional(),
  LEDGER_RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  /**
   * Which proxies in front of the server to believe about the client's address (X-Forwarded-For),
   * as express's "trust proxy" reads it: `true`, a number of hops, or addresses and subnets
   * (`loopback`, `10.0.0.0/8`, …). Unset: none, and every client is the address it connects from.
   */
  LEDGER_TRUST_PROXY: z.string().optional(),
  /** Connections the server holds at once (each a file descriptor); 0 for no limit. */
  LEDGER_MAX_CONNECTIONS: z.coerce.number().int().min(0).default(1_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type Config = z.infer<typeof Config>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Config.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid configuration:\n${lines}`);
  }
  if (parsed.data.LEDGER_STORE === 'esdb' && !parsed.data.ESDB_CONNECTION_STRING) {
    throw new Error('invalid configuration:\n  ESDB_CONNECTION_STRING: required when LEDGER_STORE=esdb');
  }
  return parsed.data;
}
