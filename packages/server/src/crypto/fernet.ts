/**
 * Fernet symmetric encryption (https://github.com/fernet/spec/blob/master/Spec.md) on node:crypto, and
 * the Keyring that encrypts secrets at rest under the master keys (ARCHITECTURE.md §5.1).
 * Token: 0x80 | 8-byte big-endian timestamp (s) | 16-byte IV | AES-128-CBC/PKCS7 ciphertext |
 * HMAC-SHA256 over everything before it, encoded as base64url with padding. Every way a token can be
 * wrong fails with the same `decryption_failed` error so a caller learns nothing about why.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { AppError } from '../errors/app-error.ts';

/** A parsed Fernet key. `id` is a fingerprint (first 16 hex chars of SHA-256 of the key) safe to log. */
export type FernetKey = { readonly id: string; readonly signing: Buffer; readonly encryption: Buffer };

export type FernetEncryptOptions = { nowMs?: number; iv?: Buffer };

export type FernetDecryptOptions = {
  /** Maximum token age in seconds. Without it no time check runs (secrets at rest never expire). */
  ttlSec?: number;
  nowMs?: number;
  /** How far in the future a token's timestamp may lie when `ttlSec` is given. Default 60 s. */
  maxClockSkewSec?: number;
};

const VERSION = 0x80;
const IV_LENGTH = 16;
const HEADER_LENGTH = 1 + 8 + IV_LENGTH;
const HMAC_LENGTH = 32;
const BLOCK_LENGTH = 16;
const DEFAULT_MAX_CLOCK_SKEW_SEC = 60;
const KEY_TEXT = /^[A-Za-z0-9_-]{43}=?$/;
const TOKEN_TEXT = /^[A-Za-z0-9_-]+={0,2}$/;
const PURPOSE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Parses a 32-byte Fernet key written in base64url or standard base64, with or without padding.
 * Throws `invalid_master_key` (without echoing the text) when it is anything else.
 *
 * @example
 * const key = parseFernetKey('cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=');
 * key.id; // '…16 hex chars…'
 */
export function parseFernetKey(text: string): FernetKey {
  const normalized = text.trim().replaceAll('+', '-').replaceAll('/', '_');
  if (!KEY_TEXT.test(normalized)) {
    throw new AppError('invalid_master_key', { detail: 'A Fernet key must be 32 bytes in base64url' });
  }
  const raw = Buffer.from(normalized, 'base64url');
  if (raw.length !== 32) {
    throw new AppError('invalid_master_key', { detail: 'A Fernet key must be 32 bytes in base64url' });
  }
  return fernetKeyFromBytes(raw);
}

function fernetKeyFromBytes(raw: Buffer): FernetKey {
  const id = createHash('sha256').update(raw).digest('hex').slice(0, 16);
  return Object.freeze({
    id,
    signing: Buffer.from(raw.subarray(0, 16)),
    encryption: Buffer.from(raw.subarray(16)),
  });
}

/** Returns a fresh random Fernet key as base64url with padding (the spec's text form). */
export function generateFernetKey(): string {
  return toBase64UrlPadded(randomBytes(32));
}

/**
 * Encrypts `plaintext` (UTF-8 when a string) into a Fernet token. `nowMs` and `iv` exist for test
 * vectors; production callers leave them to the clock and the CSPRNG.
 *
 * @example
 * const token = fernetEncrypt(key, 'webhook secret');
 */
export function fernetEncrypt(
  key: FernetKey,
  plaintext: Buffer | string,
  opts: FernetEncryptOptions = {},
): string {
  const nowMs = opts.nowMs ?? Date.now();
  if (!Number.isFinite(nowMs) || nowMs < 0)
    throw new RangeError('nowMs must be a non-negative finite number');
  const iv = opts.iv ?? randomBytes(IV_LENGTH);
  if (iv.length !== IV_LENGTH) throw new RangeError(`the IV must be ${IV_LENGTH} bytes`);

  const header = Buffer.alloc(HEADER_LENGTH);
  header[0] = VERSION;
  header.writeBigUInt64BE(BigInt(Math.floor(nowMs / 1000)), 1);
  iv.copy(header, 9);
  const cipher = createCipheriv('aes-128-cbc', key.encryption, iv);
  const body = Buffer.concat([header, cipher.update(plaintext), cipher.final()]);
  const mac = createHmac('sha256', key.signing).update(body).digest();
  return toBase64UrlPadded(Buffer.concat([body, mac]));
}

/** base64url keeping the `=` padding, as the Fernet spec writes tokens and keys. */
function toBase64UrlPadded(data: Buffer): string {
  return data.toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

/**
 * Decrypts a Fernet token with the first of `keys` whose HMAC matches (compared in constant time).
 * Throws `decryption_failed` for every invalid token: bad base64, wrong version, too short, bad
 * HMAC, bad padding, and — when `ttlSec` is given — expired or too far in the future.
 * Time checks run only with `ttlSec`, as in the reference implementations: a secret at rest has no
 * age limit, and a node whose clock ran ahead must not make its own writes unreadable.
 *
 * @example
 * const { plaintext, key } = fernetDecrypt([newest, older], token);
 */
export function fernetDecrypt(
  keys: readonly FernetKey[],
  token: string,
  opts: FernetDecryptOptions = {},
): { plaintext: Buffer; key: FernetKey } {
  const data = decodeToken(token);
  const signed = data.subarray(0, data.length - HMAC_LENGTH);
  const mac = data.subarray(data.length - HMAC_LENGTH);
  const key = keys.find((candidate) => macMatches(candidate, signed, mac));
  if (key === undefined) throw fail('no key matches the HMAC');

  if (opts.ttlSec !== undefined) checkTimestamp(data.readBigUInt64BE(1), opts);

  const iv = data.subarray(9, HEADER_LENGTH);
  const ciphertext = data.subarray(HEADER_LENGTH, data.length - HMAC_LENGTH);
  try {
    const decipher = createDecipheriv('aes-128-cbc', key.encryption, iv);
    return { plaintext: Buffer.concat([decipher.update(ciphertext), decipher.final()]), key };
  } catch {
    throw fail('bad PKCS7 padding');
  }
}

function decodeToken(token: string): Buffer {
  if (typeof token !== 'string' || !TOKEN_TEXT.test(token)) throw fail('not base64url');
  if (token.length % 4 === 1 || (token.includes('=') && token.length % 4 !== 0))
    throw fail('bad base64 length');
  const data = Buffer.from(token, 'base64url');
  if (data.length < HEADER_LENGTH + BLOCK_LENGTH + HMAC_LENGTH) throw fail('too short');
  if (data[0] !== VERSION) throw fail('unknown version');
  if ((data.length - HEADER_LENGTH - HMAC_LENGTH) % BLOCK_LENGTH !== 0)
    throw fail('ciphertext not block-aligned');
  return data;
}

function macMatches(key: FernetKey, signed: Buffer, mac: Buffer): boolean {
  return timingSafeEqual(createHmac('sha256', key.signing).update(signed).digest(), mac);
}

function checkTimestamp(issuedSec: bigint, opts: FernetDecryptOptions): void {
  const ttlSec = opts.ttlSec ?? 0;
  const skewSec = opts.maxClockSkewSec ?? DEFAULT_MAX_CLOCK_SKEW_SEC;
  const nowSec = BigInt(Math.floor((opts.nowMs ?? Date.now()) / 1000));
  if (issuedSec + BigInt(Math.floor(ttlSec)) < nowSec) throw fail('expired');
  if (issuedSec > nowSec + BigInt(Math.floor(skewSec))) throw fail('timestamp too far in the future');
}

function fail(reason: string): AppError {
  return new AppError('decryption_failed', { cause: reason });
}

/**
 * The master keys, newest first. Encrypts with the newest; decrypts with any, so keys rotate by
 * prepending a new key and rewrapping stored tokens at leisure, without a data migration.
 *
 * @example
 * const keyring = new Keyring([parseFernetKey(newKey), parseFernetKey(oldKey)]);
 * const stored = keyring.encrypt(totpSeed);
 * keyring.decryptString(stored) === totpSeed;
 */
export class Keyring {
  /** Fingerprint of the newest key, the one new tokens are encrypted under. */
  readonly primaryId: string;
  /** Fingerprints of all keys, newest first (for diagnostics; no key material). */
  readonly keyIds: readonly string[];
  readonly #keys: readonly FernetKey[];
  readonly #primary: FernetKey;
  readonly #derived = new Map<string, { id: string; key: Buffer }[]>();

  constructor(keys: readonly FernetKey[]) {
    const primary = keys[0];
    if (primary === undefined) {
      throw new AppError('invalid_master_key', { detail: 'A keyring needs at least one master key' });
    }
    this.#keys = Object.freeze([...keys]);
    this.#primary = primary;
    this.primaryId = primary.id;
    this.keyIds = Object.freeze(keys.map((key) => key.id));
  }

  /** Encrypts under the newest key. */
  encrypt(plaintext: string | Buffer): string {
    return fernetEncrypt(this.#primary, plaintext);
  }

  /** Decrypts a token made under any key of the ring; throws `decryption_failed` otherwise. */
  decrypt(token: string): Buffer {
    return fernetDecrypt(this.#keys, token).plaintext;
  }

  /** Decrypts a token whose plaintext is UTF-8 text. */
  decryptString(token: string): string {
    return this.decrypt(token).toString('utf8');
  }

  /** True when the token verifies under the newest key, i.e. needs no rewrap. Never throws. */
  isCurrent(token: string): boolean {
    try {
      fernetDecrypt([this.#primary], token);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Re-encrypts a token under the newest key, or returns null when it already is. Throws
   * `decryption_failed` when no key of the ring opens it.
   */
  rewrap(token: string): string | null {
    const { plaintext, key } = fernetDecrypt(this.#keys, token);
    return key.id === this.primaryId ? null : this.encrypt(plaintext);
  }

  /**
   * Derives a 32-byte key per master key for `purpose` with HKDF-SHA256 (RFC 5869; IKM = signing ‖
   * encryption, empty salt, info `gatekeeper:<purpose>`), newest first. Lets a feature sign or MAC
   * with a key that never enters the database and rotates with the master keys.
   *
   * @example
   * const [current, ...older] = keyring.deriveKeys('audit-checkpoint');
   * current.id; // '<masterKeyId>:audit-checkpoint'
   */
  deriveKeys(purpose: string): { id: string; key: Buffer }[] {
    if (!PURPOSE.test(purpose)) throw new RangeError(`invalid key purpose ${JSON.stringify(purpose)}`);
    let derived = this.#derived.get(purpose);
    if (derived === undefined) {
      derived = this.#keys.map((master) => ({
        id: `${master.id}:${purpose}`,
        key: Buffer.from(
          hkdfSync(
            'sha256',
            Buffer.concat([master.signing, master.encryption]),
            Buffer.alloc(0),
            `gatekeeper:${purpose}`,
            32,
          ),
        ),
      }));
      this.#derived.set(purpose, derived);
    }
    return derived.map(({ id, key }) => ({ id, key: Buffer.from(key) }));
  }
}
