import { z } from 'zod';

/** Crockford base32 ULID, as produced by the `ulid` package. */
export const Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a ULID (26 Crockford base32 characters)');
export type Ulid = z.infer<typeof Ulid>;

export const incidentStream = (id: string): string => `incident-${id}`;
export const sourceStream = (id: string): string => `source-${id}`;

export interface ParsedStream {
  readonly kind: 'incident' | 'source';
  readonly id: string;
}

const STREAM = /^(incident|source)-([0-9A-HJKMNP-TV-Z]{26})$/;
// Every fold asks this of every event, and a ledger names a bounded set of streams: remember
// the answers (bounded: a flood of distinct names only costs re-parsing).
const MAX_REMEMBERED = 100_000;
const parsed = new Map<string, ParsedStream | null>();

/** Splits `incident-<ulid>` / `source-<ulid>` back into kind and id. */
export function parseStream(stream: string): ParsedStream | undefined {
  let hit = parsed.get(stream);
  if (hit === undefined) {
    const m = STREAM.exec(stream);
    hit = m ? { kind: m[1] as ParsedStream['kind'], id: m[2]! } : null;
    if (parsed.size >= MAX_REMEMBERED) parsed.clear();
    parsed.set(stream, hit);
  }
  return hit ?? undefined;
}
