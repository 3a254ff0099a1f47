import { z } from 'zod';

/** Crockford base32 ULID, as produced by the `ulid` package. */
export const Ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a ULID (26 Crockford base32 characters)');
export type Ulid = z.infer<typeof Ulid>;

export const incidentStream = (id: string): string => `incident-${id}`;
export const sourceStream = (id: string): string => `source-${id}`;

/** Splits `incident-<ulid>` / `source-<ulid>` back into kind and id. */
export function parseStream(stream: string): { kind: 'incident' | 'source'; id: string } | undefined {
  const m = /^(incident|source)-([0-9A-HJKMNP-TV-Z]{26})$/.exec(stream);
  return m ? { kind: m[1] as 'incident' | 'source', id: m[2]! } : undefined;
}
