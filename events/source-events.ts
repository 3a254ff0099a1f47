import { z } from 'zod';
import { Ulid } from './ids.js';
import { HttpUrl, LanguageTag } from './values.js';

export const SourceRegistered = z.strictObject({
  sourceId: Ulid,
  name: z.string().trim().min(1).max(300),
  /** Free text by design ("agency", "company", "newspaper", "person", …): the world has more kinds than we can list. */
  kind: z.string().trim().min(1).max(64),
  url: HttpUrl.optional(),
  language: LanguageTag.optional(),
});
