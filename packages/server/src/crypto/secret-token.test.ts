/**
 * The `gk_<kind>_<body><checksum>` secret format: round trip, typo detection by checksum, shape
 * and length limits, stable digests, display prefixes that reveal little, and constant-time compare.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import {
  digestSecret,
  generateSecret,
  MAX_SECRET_LENGTH,
  parseSecret,
  randomToken,
  requireSecret,
  safeEqual,
} from './secret-token.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('generateSecret / parseSecret', () => {
  it('round-trips every kind length', () => {
    for (const kind of ['pa', 'pat', 'scim', 'enroll', 'abcdefgh']) {
      const { secret, digest } = generateSecret(kind);
      expect(secret).toMatch(new RegExp(`^gk_${kind}_[0-9A-Za-z]{49}$`));
      expect(secret.length).toBeLessThanOrEqual(MAX_SECRET_LENGTH);
      expect(parseSecret(secret)).toEqual({ kind, secret });
      expect(digest).toBe(digestSecret(secret));
    }
  });

  it('issues distinct secrets', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => generateSecret('pat').secret));
    expect(secrets.size).toBe(200);
  });

  it('catches any single-character typo in the body or checksum', () => {
    const { secret } = generateSecret('svc');
    for (let index = 'gk_svc_'.length; index < secret.length; index++) {
      const original = secret[index] ?? '0';
      const replacement = BASE62[(BASE62.indexOf(original) + 1 + index) % 62] ?? '0';
      const typo = secret.slice(0, index) + replacement + secret.slice(index + 1);
      expect(parseSecret(typo), `typo at ${index}`).toBeNull();
    }
  });

  it('catches swapped kinds, truncation and extension', () => {
    const { secret } = generateSecret('pat');
    expect(parseSecret(secret.replace('gk_pat_', 'gk_pak_'))).toBeNull();
    expect(parseSecret(secret.slice(0, -1))).toBeNull();
    expect(parseSecret(`${secret}0`)).toBeNull();
  });

  it('rejects malformed shapes', () => {
    const body = generateSecret('pat').secret.slice('gk_pat_'.length);
    for (const text of [
      '',
      `gk_p_${body}`,
      `gk_PAT_${body}`,
      `gk_pat1_${body}`,
      `gk_abcdefghi_${body}`,
      `xx_pat_${body}`,
      `gk_pat-${body}`,
      ` gk_pat_${body}`,
      `gk_pat_${body.slice(0, -1)}+`,
    ]) {
      expect(parseSecret(text), text).toBeNull();
    }
  });

  it('rejects overly long input before matching', () => {
    expect(parseSecret(`gk_pat_${'a'.repeat(1_000_000)}`)).toBeNull();
    expect(parseSecret('x'.repeat(MAX_SECRET_LENGTH + 1))).toBeNull();
  });

  it('refuses to generate an invalid kind', () => {
    for (const kind of ['', 'a', 'ABC', 'pat1', 'abcdefghi', 'p_t']) {
      expect(() => generateSecret(kind), kind).toThrow(RangeError);
    }
  });

  it('shows a prefix of the kind plus 6 body characters only', () => {
    const { secret, prefix } = generateSecret('pat');
    expect(prefix).toMatch(/^gk_pat_[0-9A-Za-z]{6}$/);
    expect(secret.startsWith(prefix)).toBe(true);
    expect(secret.slice(prefix.length).length).toBe(43 - 6 + 6);
  });
});

describe('requireSecret', () => {
  it('returns a valid secret of the expected kind and throws invalid_secret_format otherwise', () => {
    const { secret } = generateSecret('scim');
    expect(requireSecret(secret, 'scim')).toEqual({ kind: 'scim', secret });
    expect(requireSecret(secret)).toEqual({ kind: 'scim', secret });
    expect(() => requireSecret(secret, 'pat')).toThrow(
      expect.objectContaining({ code: 'invalid_secret_format' }),
    );
    expect(() => requireSecret('nope')).toThrow(AppError);
  });
});

describe('digestSecret', () => {
  it('is a stable SHA-256 hex digest', () => {
    expect(digestSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const { secret } = generateSecret('pat');
    expect(digestSecret(secret)).toBe(digestSecret(secret));
    expect(digestSecret(secret)).not.toBe(digestSecret(generateSecret('pat').secret));
  });
});

describe('safeEqual', () => {
  it('compares contents regardless of length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});

describe('randomToken', () => {
  it('returns base64url of the requested size', () => {
    expect(randomToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(randomToken(16), 'base64url').length).toBe(16);
    expect(randomToken()).not.toBe(randomToken());
    expect(() => randomToken(0)).toThrow(RangeError);
  });
});
