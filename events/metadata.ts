import { z } from 'zod';
import { Ulid } from './ids.js';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256');

/** What the application supplies with every new event; the store adds the chain fields. */
export const EventMetadataInput = z.strictObject({
  eventId: Ulid,
  recordedAt: z.iso.datetime(),
  actor: z.string().min(1).max(200),
  correlationId: z.string().min(1).max(200),
  causationId: z.string().min(1).max(200),
  schemaVersion: z.number().int().positive(),
});
export type EventMetadataInput = z.infer<typeof EventMetadataInput>;

/** Metadata as stored: the input plus the stream hash chain. */
export const EventMetadata = EventMetadataInput.extend({
  prevHash: Sha256Hex,
  hash: Sha256Hex,
});
export type EventMetadata = z.infer<typeof EventMetadata>;

export const ZERO_HASH = '0'.repeat(64);
