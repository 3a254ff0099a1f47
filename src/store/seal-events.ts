import type { EventMetadata, EventMetadataInput } from '../../events/index.js';
import { canonicalJson, canonicalMemberJson, stringJson } from './canonical-json.js';
import { flatMembers, joinMembers, withMember } from './canonical-members.js';
import { chainBody, chainHash, hashChainBody } from './chain-hash.js';

type Unsealed = { type: string; data: unknown; metadata: EventMetadataInput };

/** A sealed event with the RFC 8785 texts its hash was computed from: what a store keeping JSON text writes. */
export interface SealedEventJson {
  stream: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  /** canonicalJson(data) */
  dataJson: string;
  /** canonicalJson(metadata), hash included */
  metadataJson: string;
}

/**
 * Seals new events onto the end of a stream whose last hash is `prevHash` (ZERO_HASH for a new
 * stream), serialising each event's data and metadata once: the chain hash's body is put
 * together from those texts, and the texts are what the store keeps. Throws on data that has no
 * JSON text.
 */
export function sealEventsJson(stream: string, firstRevision: number, prevHash: string, events: ReadonlyArray<Unsealed>): SealedEventJson[] {
  const streamJson = canonicalJson(stream);
  const sealed = new Array<SealedEventJson>(events.length);
  let prev = prevHash;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const revision = firstRevision + i;
    const dataJson = canonicalMemberJson(e.data);
    if (dataJson === undefined) throw new TypeError('event data and metadata must be JSON values');
    const texts = metadataTexts(e.metadata, prev, (unsealedJson) =>
      hashChainBody(prev, chainBody(dataJson, unsealedJson, canonicalJson(revision), streamJson, stringJson(e.type))),
    );
    const metadata: EventMetadata = { ...e.metadata, prevHash: prev, hash: texts.hash };
    sealed[i] = { stream, revision, type: e.type, data: e.data, metadata, dataJson, metadataJson: texts.metadataJson };
    prev = texts.hash;
  }
  return sealed;
}

/**
 * The metadata's canonical text without the hash (what `hashOf` hashes) and with it (what is
 * stored). Metadata is flat, so its members are written once and the hash member inserted among
 * them; anything else is written out twice.
 */
function metadataTexts(input: EventMetadataInput, prevHash: string, hashOf: (unsealedJson: string) => string): { hash: string; metadataJson: string } {
  const members = flatMembers(input);
  if (members) {
    const unsealed = withMember(members, 'prevHash', prevHash);
    const hash = hashOf(joinMembers(unsealed));
    return { hash, metadataJson: joinMembers(withMember(unsealed, 'hash', hash)) };
  }
  const unsealed = { ...input, prevHash };
  const hash = hashOf(canonicalJson(unsealed));
  return { hash, metadataJson: canonicalJson({ ...unsealed, hash }) };
}

/** Seals new events onto the end of a stream whose last hash is `prevHash` (ZERO_HASH for a new stream). */
export function sealEvents(
  stream: string,
  firstRevision: number,
  prevHash: string,
  events: ReadonlyArray<Unsealed>,
): Array<{ stream: string; revision: number; type: string; data: unknown; metadata: EventMetadata }> {
  let prev = prevHash;
  return events.map((e, i) => {
    const revision = firstRevision + i;
    const metadata = { ...e.metadata, prevHash: prev };
    const hash = chainHash({ stream, revision, type: e.type, data: e.data, metadata });
    prev = hash;
    return { stream, revision, type: e.type, data: e.data, metadata: Object.assign(metadata, { hash }) };
  });
}
