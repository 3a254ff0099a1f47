import { hash as sha256 } from 'node:crypto';
import type { EventMetadataInput, StoredEvent } from '../../events/index.js';
import { canonicalJson } from './canonical-json.js';

/** The fields the chain hash covers: everything about the event except the hash itself. */
export interface ChainInput {
  stream: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadataInput & { prevHash: string };
}

/** One buffer for every chain hash's input: hashing runs synchronously, start to finish. */
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * SHA-256(prevHash bytes ‖ UTF-8 body), in hex. `prevHash` is decoded as Buffer.from(prevHash,
 * 'hex') decodes it (a malformed one hashes as whatever bytes that yields), so the answer is the
 * same for every input whichever path built the body.
 */
export function hashChainBody(prevHash: string, body: string): string {
  // Not a string only in a damaged event: Buffer.from decides what it hashes as, as it always has.
  if (typeof prevHash !== 'string') return sha256('sha256', Buffer.concat([Buffer.from(prevHash as never, 'hex'), Buffer.from(body, 'utf8')]), 'hex');
  const need = Math.ceil(prevHash.length / 2) + body.length * 3;
  const buffer = need <= scratch.length ? scratch : Buffer.allocUnsafe(need);
  // A huge event gets a buffer of its own rather than keeping one that size alive.
  if (buffer !== scratch && need <= 1024 * 1024) scratch = buffer;
  const head = buffer.write(prevHash, 0, 'hex');
  const length = head + buffer.write(body, head, 'utf8');
  return sha256('sha256', buffer.subarray(0, length), 'hex');
}

/**
 * canonicalJson({ stream, revision, type, data, metadata }) put together from its parts' canonical
 * texts: those five names already are in RFC 8785 order.
 */
export function chainBody(dataJson: string, metadataJson: string, revisionJson: string, streamJson: string, typeJson: string): string {
  return `{"data":${dataJson},"metadata":${metadataJson},"revision":${revisionJson},"stream":${streamJson},"type":${typeJson}}`;
}

/** hash = SHA-256(prevHash bytes ‖ canonical JSON of {stream, revision, type, data, metadata-without-hash}). */
export function chainHash(input: ChainInput): string {
  // Names in canonical order, so canonicalJson needs no copy of this object.
  const body = canonicalJson({ data: input.data, metadata: input.metadata, revision: input.revision, stream: input.stream, type: input.type });
  return hashChainBody(input.metadata.prevHash, body);
}

/** The chain hash an event's content gives, whatever hash it claims. */
export function storedEventHash(e: StoredEvent): string {
  const { hash: _claimed, ...rest } = e.metadata;
  return chainHash({ stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: rest });
}
