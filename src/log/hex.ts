/** Lowercase hex, as every hash in the public contract is written. */
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const isSha256Hex = (value: unknown): value is string => typeof value === 'string' && SHA256_HEX.test(value);

/**
 * Strict parse of a 32-byte lowercase hex hash; undefined for anything else. Buffer.from(…, 'hex')
 * alone would silently truncate at the first bad character, which a verifier must never accept.
 */
export function parseSha256Hex(value: unknown): Buffer | undefined {
  return isSha256Hex(value) ? Buffer.from(value, 'hex') : undefined;
}
