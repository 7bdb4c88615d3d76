/**
 * The one format of every secret token Gatekeeper issues (admin API, personal, service, enrollment,
 * SCIM…): `gk_<kind>_<body><checksum>`. The body is 256 random bits in base62; the checksum (CRC32,
 * base62) catches typos and truncation before any database lookup, and the `gk_` prefix lets secret
 * scanners recognise a leaked token. Only the SHA-256 digest is stored (ARCHITECTURE.md §5.1): a
 * 256-bit random secret needs no salt or slow hash, and is found by its digest.
 */
import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AppError } from '../errors/app-error.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_BYTES = 32;
/** 62^43 > 2^256, so 43 base62 digits hold any 32-byte body. */
const BODY_LENGTH = 43;
/** 62^6 > 2^32, so 6 base62 digits hold any CRC32. */
const CHECKSUM_LENGTH = 6;
/** How much of the body a display prefix shows: 36 bits, enough to tell tokens apart in a list. */
const PREFIX_BODY_LENGTH = 6;
const KIND = /^[a-z]{2,8}$/;
const SECRET = /^gk_([a-z]{2,8})_([0-9A-Za-z]{49})$/;
/** Longest well-formed secret: `gk_` + 8-letter kind + `_` + body + checksum. */
export const MAX_SECRET_LENGTH = 3 + 8 + 1 + BODY_LENGTH + CHECKSUM_LENGTH;

/** A freshly issued secret: show `secret` once, store `digest`, display `prefix`. */
export type GeneratedSecret = { secret: string; digest: string; prefix: string };

/**
 * Issues a new secret of `kind` (2–8 lowercase letters, e.g. `adm`, `pat`, `svc`, `scim`).
 *
 * @example
 * const { secret, digest, prefix } = generateSecret('pat');
 * // secret: 'gk_pat_3fK…' (shown once), digest: stored, prefix: 'gk_pat_3fK9aZ' (safe to display)
 */
export function generateSecret(kind: string): GeneratedSecret {
  if (!KIND.test(kind))
    throw new RangeError(`a secret kind is 2 to 8 lowercase letters, not ${JSON.stringify(kind)}`);
  const head = `gk_${kind}_${toBase62(randomBytes(BODY_BYTES), BODY_LENGTH)}`;
  const secret = head + checksumOf(head);
  return {
    secret,
    digest: digestSecret(secret),
    prefix: head.slice(0, 4 + kind.length + PREFIX_BODY_LENGTH),
  };
}

/**
 * Checks a presented secret's shape and checksum without any lookup. Returns null for anything that
 * is not a Gatekeeper secret (too long, wrong shape, bad checksum).
 *
 * @example
 * const parsed = parseSecret(bearer); // { kind: 'pat', secret: bearer } | null
 */
export function parseSecret(text: string): { kind: string; secret: string } | null {
  if (typeof text !== 'string' || text.length > MAX_SECRET_LENGTH) return null;
  const match = SECRET.exec(text);
  if (match === null) return null;
  const kind = match[1] ?? '';
  const head = text.slice(0, text.length - CHECKSUM_LENGTH);
  // a plain comparison: the checksum is a function of the presented head alone, so how much of it
  // matches tells a caller nothing it did not send (the secret is compared by its digest's lookup)
  if (checksumOf(head) !== text.slice(-CHECKSUM_LENGTH)) return null;
  return { kind, secret: text };
}

/**
 * Like `parseSecret` but throws `invalid_secret_format` (401) when the text is not a Gatekeeper
 * secret, or not of `expectedKind` when one is given.
 *
 * @example
 * const { secret } = requireSecret(header, 'scim');
 */
export function requireSecret(text: string, expectedKind?: string): { kind: string; secret: string } {
  const parsed = parseSecret(text);
  if (parsed === null) throw new AppError('invalid_secret_format');
  if (expectedKind !== undefined && parsed.kind !== expectedKind) {
    throw new AppError('invalid_secret_format', { detail: `Expected a gk_${expectedKind}_ secret` });
  }
  return parsed;
}

/** The SHA-256 hex digest a secret is stored and looked up by. */
export function digestSecret(secret: string): string {
  return hash('sha256', secret, 'hex'); // one-shot: no Hash object per lookup (the /authz hot path)
}

/**
 * Compares two strings in constant time. Both are hashed first, so neither their contents nor their
 * lengths leak through timing.
 */
export function safeEqual(a: string, b: string): boolean {
  const digestA = createHash('sha256').update(a, 'utf8').digest();
  const digestB = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(digestA, digestB);
}

/** Random base64url string of `bytes` bytes (nonces, state values, CSRF tokens). */
export function randomToken(bytes = 32): string {
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new RangeError('randomToken needs a positive byte count');
  return randomBytes(bytes).toString('base64url');
}

function checksumOf(head: string): string {
  return toBase62(crc32(head), CHECKSUM_LENGTH);
}

/** Big-endian base62 of `value`, left-padded with '0' to exactly `length` digits. */
function toBase62(value: Buffer | number, length: number): string {
  if (typeof value === 'number') return smallToBase62(value, length);
  let n = typeof value === 'number' ? BigInt(value) : BigInt(`0x${value.toString('hex') || '0'}`);
  let digits = '';
  while (n > 0n) {
    digits = BASE62[Number(n % 62n)] + digits;
    n /= 62n;
  }
  if (digits.length > length) throw new RangeError('value does not fit the base62 width');
  return digits.padStart(length, '0');
}

/** `toBase62` of a safe integer (a CRC32) without BigInt: the checksum of every presented token. */
function smallToBase62(value: number, length: number): string {
  let n = value;
  let digits = '';
  while (n > 0) {
    digits = BASE62[n % 62] + digits;
    n = Math.floor(n / 62);
  }
  if (digits.length > length) throw new RangeError('value does not fit the base62 width');
  return digits.padStart(length, '0');
}
