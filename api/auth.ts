import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { RetrySafety } from '../src/app/retry-safety.js';
import { HttpProblem } from './problem.js';

export const Role = z.enum(['reader', 'reporter', 'editor', 'auditor', 'admin']);
export type Role = z.infer<typeof Role>;

/** What each role may do: reader < reporter < editor; auditor = reader + audit; admin = all. */
const GRANTS: Record<Role, ReadonlySet<Role>> = {
  reader: new Set(['reader']),
  reporter: new Set(['reader', 'reporter']),
  editor: new Set(['reader', 'reporter', 'editor']),
  auditor: new Set(['reader', 'auditor']),
  admin: new Set(['reader', 'reporter', 'editor', 'auditor', 'admin']),
};
export const grants = (held: Role, needed: Role): boolean => GRANTS[held].has(needed);

export interface Identity {
  actor: string;
  role: Role;
}

interface TokenEntry extends Identity {
  /** SHA-256 of the secret: we compare digests, so a stored hash works as well as a plain secret. */
  digest: Buffer;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

const TokenLine = z
  .string()
  .transform((line) => line.trim())
  .pipe(z.string().regex(/^[^:\s]+:(reader|reporter|editor|auditor|admin):\S+$/, 'expected actor:role:secret (or actor:role:sha256:<hex>)'));

/** Parses `actor:role:secret` entries; the secret may be given as `sha256:<64 hex>` so files need not hold it in clear. */
export function parseTokens(lines: string[], origin: string): TokenEntry[] {
  return lines
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((line, i) => {
      const parsed = TokenLine.safeParse(line);
      if (!parsed.success) throw new Error(`${origin}, entry ${i + 1}: expected actor:role:secret (or actor:role:sha256:<hex>)`);
      const [actor, role, ...rest] = parsed.data.split(':');
      const secret = rest.join(':');
      const hashed = /^sha256:([0-9a-f]{64})$/i.exec(secret);
      if (!hashed && secret.length < 16) throw new Error(`${origin}, entry ${i + 1}: the secret for ${actor} is shorter than 16 characters`);
      return { actor: actor!, role: role as Role, digest: hashed ? Buffer.from(hashed[1]!, 'hex') : sha256(secret) };
    });
}

export class TokenRegistry {
  private constructor(
    private readonly entries: TokenEntry[],
    /** Set when no tokens were configured: reads are public and this admin token was generated. */
    readonly devToken?: string,
  ) {}

  static fromConfig(config: { tokens?: string; tokensFile?: string }): TokenRegistry {
    const entries = [
      ...(config.tokens ? parseTokens(config.tokens.split(','), 'LEDGER_TOKENS') : []),
      ...(config.tokensFile ? parseTokens(readFileSync(config.tokensFile, 'utf8').split('\n'), config.tokensFile) : []),
    ];
    if (entries.length > 0) return new TokenRegistry(entries);
    const devToken = `dev-${randomBytes(24).toString('base64url')}`;
    return new TokenRegistry([{ actor: 'dev-admin', role: 'admin', digest: sha256(devToken) }], devToken);
  }

  get developmentMode(): boolean {
    return this.devToken !== undefined;
  }

  /** Constant-time over every entry, so timing reveals neither which token nor how much of it matched. */
  identify(secret: string): Identity | undefined {
    const digest = sha256(secret);
    let found: TokenEntry | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest) && !found) found = entry;
    }
    return found ? { actor: found.actor, role: found.role } : undefined;
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    identity?: Identity;
    /** A bearer token was sent and is not valid: refused by refuseBadToken, after the rate limit. */
    badToken?: boolean;
    /** Set by the Idempotency-Key middleware: makes the write safe to retry after a crash. */
    retrySafety?: RetrySafety;
  }
}

/**
 * Reads the bearer token if there is one. A malformed or unknown token is a 401 even on public
 * routes, raised by refuseBadToken once the rate limit has counted the attempt, so that guessing
 * tokens is limited per IP like any other anonymous traffic.
 */
export const authenticate =
  (tokens: TokenRegistry): RequestHandler =>
  (req, _res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    const match = /^Bearer\s+(\S{1,512})$/i.exec(header);
    const identity = match ? tokens.identify(match[1]!) : undefined;
    if (!identity) req.badToken = true;
    else req.identity = identity;
    next();
  };

/** The 401 for a bad token that authenticate noted; mount it after the rate limit. */
export const refuseBadToken: RequestHandler = (req, _res, next) => {
  if (req.badToken) return next(unauthorized('the bearer token is not valid'));
  next();
};

const unauthorized = (detail: string) =>
  new HttpProblem(401, 'unauthorized', 'Unauthorized', detail, {}, { 'WWW-Authenticate': 'Bearer realm="incident-ledger"' });

export function requireRole(needed: Role, options: { publicRead: boolean }): RequestHandler {
  return (req, _res, next) => {
    if (needed === 'reader' && options.publicRead) return next();
    if (!req.identity) return next(unauthorized(`this route needs a bearer token with the ${needed} role`));
    if (!grants(req.identity.role, needed)) {
      return next(new HttpProblem(403, 'forbidden', 'Forbidden', `the ${req.identity.role} role may not do this; it needs ${needed}`));
    }
    next();
  };
}
