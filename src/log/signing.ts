import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson } from '../store/hash-chain.js';
import type { Checkpoint, CheckpointBody } from './schemas.js';

/** Signs checkpoints; the log holds one when LEDGER_SIGNING_KEY is configured. */
export interface CheckpointSigner {
  /** Base64 Ed25519 signature over checkpointMessage(body). */
  sign(body: CheckpointBody): string;
  /** SPKI PEM, for verifiers that take PEM. */
  readonly publicKeyPem: string;
  /** The 32 raw public key bytes, base64, for verifiers that take raw Ed25519 keys. */
  readonly publicKeyRaw: string;
}

/** The exact bytes signed: RFC 8785 canonical JSON of {size, root, at} and nothing else. */
export function checkpointMessage(body: CheckpointBody): Buffer {
  return Buffer.from(canonicalJson({ size: body.size, root: body.root, at: body.at }), 'utf8');
}

function requireEd25519(key: KeyObject, type: 'private' | 'public'): KeyObject {
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`expected an Ed25519 ${type} key, got a ${key.asymmetricKeyType ?? 'symmetric'} ${key.type} key`);
  }
  return key;
}

/** An Ed25519 private key from a PEM file (PKCS#8) or an already loaded KeyObject. */
export function loadSigningKey(source: string | KeyObject): KeyObject {
  const key = typeof source === 'string' ? createPrivateKey(readFileSync(source, 'utf8')) : source;
  return requireEd25519(key, 'private');
}

export function publicKeyPem(key: KeyObject): string {
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}

export function publicKeyRaw(key: KeyObject): string {
  const { x } = createPublicKey(key).export({ format: 'jwk' });
  if (x === undefined) throw new TypeError('not an Ed25519 key');
  return Buffer.from(x, 'base64url').toString('base64');
}

export function signCheckpoint(body: CheckpointBody, privateKey: KeyObject): string {
  return sign(null, checkpointMessage(body), requireEd25519(privateKey, 'private')).toString('base64');
}

export function checkpointSigner(source: string | KeyObject): CheckpointSigner {
  const key = loadSigningKey(source);
  return {
    sign: (body) => signCheckpoint(body, key),
    publicKeyPem: publicKeyPem(key),
    publicKeyRaw: publicKeyRaw(key),
  };
}

/** A fresh key as PKCS#8 PEM, for development setups and tests. */
export function generateSigningKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * An Ed25519 public key from SPKI PEM (a private key's PEM gives its public half), the raw 32
 * bytes in base64, or a KeyObject; throws a TypeError saying why when it is none of those, so a
 * tool can reject a bad key up front instead of reporting every signature as forged.
 */
export function loadPublicKey(key: string | KeyObject): KeyObject {
  if (typeof key !== 'string') return requireEd25519(key.type === 'private' ? createPublicKey(key) : key, 'public');
  if (key.includes('-----BEGIN')) {
    let parsed: KeyObject;
    try {
      parsed = createPublicKey(key);
    } catch {
      throw new TypeError('the PEM text is not a key Node can read');
    }
    return requireEd25519(parsed, 'public');
  }
  const raw = strictBase64(key.trim());
  if (raw?.length !== 32) throw new TypeError('expected an Ed25519 public key as SPKI PEM, or its raw 32 bytes in base64');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** loadPublicKey, or undefined when the key is not one: to a verifier, an unreadable key verifies nothing. */
function parsePublicKey(key: string | KeyObject): KeyObject | undefined {
  try {
    return loadPublicKey(key);
  } catch {
    return undefined;
  }
}

/** Node's base64 decoder skips junk; a signature check must not. */
function strictBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** True when the checkpoint carries a valid Ed25519 signature by `publicKey` over {size, root, at}. */
export function verifyCheckpointSignature(checkpoint: Checkpoint, publicKey: string | KeyObject): boolean {
  if (typeof checkpoint.signature !== 'string') return false;
  const signature = strictBase64(checkpoint.signature);
  const key = parsePublicKey(publicKey);
  if (signature?.length !== 64 || key === undefined) return false;
  try {
    return verify(null, checkpointMessage(checkpoint), key, signature);
  } catch {
    // A checkpoint whose fields have no canonical JSON form is simply not validly signed.
    return false;
  }
}
