/**
 * Keyring behaviour behind master-key rotation: tokens made under an old key still open after a new
 * key is prepended, `isCurrent`/`rewrap` move them to the newest key, tampering is caught, and
 * derived keys are stable per purpose and distinct across purposes and master keys.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import { fernetDecrypt, fernetEncrypt, generateFernetKey, Keyring, parseFernetKey } from './fernet.ts';

const oldKey = parseFernetKey(generateFernetKey());
const newKey = parseFernetKey(generateFernetKey());

function tamper(token: string, byteIndex: number): string {
  const data = Buffer.from(token, 'base64url');
  data[byteIndex] = (data[byteIndex] ?? 0) ^ 0x01;
  return data.toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

describe('parseFernetKey', () => {
  it('accepts base64url and standard base64, padded or not, and yields the same key id', () => {
    const text = generateFernetKey();
    expect(text).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    const standard = text.replaceAll('-', '+').replaceAll('_', '/');
    const ids = [text, text.slice(0, -1), standard, standard.slice(0, -1)].map((t) => parseFernetKey(t).id);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses keys that are not 32 bytes without echoing them', () => {
    const short = Buffer.alloc(31, 7).toString('base64url');
    for (const text of [short, `${generateFernetKey()}AAAA`, 'not a key!', '']) {
      try {
        parseFernetKey(text);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('invalid_master_key');
        if (text !== '') expect((err as AppError).message).not.toContain(text);
      }
    }
  });
});

describe('Keyring', () => {
  it('refuses an empty key list', () => {
    expect(() => new Keyring([])).toThrow(expect.objectContaining({ code: 'invalid_master_key' }));
  });

  it('decrypts tokens from the old keyring after rotation', () => {
    const token = new Keyring([oldKey]).encrypt('totp seed');
    const rotated = new Keyring([newKey, oldKey]);
    expect(rotated.primaryId).toBe(newKey.id);
    expect(rotated.keyIds).toEqual([newKey.id, oldKey.id]);
    expect(rotated.decryptString(token)).toBe('totp seed');
    expect(rotated.decrypt(token).equals(Buffer.from('totp seed'))).toBe(true);
  });

  it('encrypts under the newest key', () => {
    const token = new Keyring([newKey, oldKey]).encrypt(Buffer.from([0, 1, 2]));
    expect(fernetDecrypt([newKey], token).key.id).toBe(newKey.id);
    expect(() => fernetDecrypt([oldKey], token)).toThrow(AppError);
  });

  it('reports whether a token is current and rewraps only old ones', () => {
    const rotated = new Keyring([newKey, oldKey]);
    const oldToken = new Keyring([oldKey]).encrypt('webhook secret');
    const newToken = rotated.encrypt('webhook secret');
    expect(rotated.isCurrent(oldToken)).toBe(false);
    expect(rotated.isCurrent(newToken)).toBe(true);
    expect(rotated.isCurrent('garbage')).toBe(false);
    expect(rotated.rewrap(newToken)).toBeNull();
    const rewrapped = rotated.rewrap(oldToken);
    expect(rewrapped).not.toBeNull();
    expect(rotated.isCurrent(rewrapped ?? '')).toBe(true);
    expect(new Keyring([newKey]).decryptString(rewrapped ?? '')).toBe('webhook secret');
  });

  it('fails on a token from an unknown key', () => {
    const stranger = new Keyring([parseFernetKey(generateFernetKey())]).encrypt('x');
    const keyring = new Keyring([newKey, oldKey]);
    expect(() => keyring.decrypt(stranger)).toThrow(expect.objectContaining({ code: 'decryption_failed' }));
    expect(() => keyring.rewrap(stranger)).toThrow(expect.objectContaining({ code: 'decryption_failed' }));
  });

  it('fails when any byte of the token is flipped', () => {
    const keyring = new Keyring([newKey]);
    const token = keyring.encrypt('ldap bind password');
    const length = Buffer.from(token, 'base64url').length;
    for (const index of [0, 1, 8, 9, 24, 25, length - 33, length - 32, length - 1]) {
      expect(() => keyring.decrypt(tamper(token, index))).toThrow(
        expect.objectContaining({ code: 'decryption_failed' }),
      );
    }
  });

  it('emits base64url tokens with padding and a fresh IV each time', () => {
    const keyring = new Keyring([newKey]);
    const a = keyring.encrypt('same');
    const b = keyring.encrypt('same');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
    expect(a.length % 4).toBe(0);
  });

  it('round-trips an empty plaintext and large binary data', () => {
    const keyring = new Keyring([newKey]);
    expect(keyring.decrypt(keyring.encrypt('')).length).toBe(0);
    const blob = Buffer.alloc(100_000, 0xab);
    expect(keyring.decrypt(keyring.encrypt(blob)).equals(blob)).toBe(true);
  });

  it('applies ttl and clock-skew checks only when a ttl is given', () => {
    const nowMs = Date.UTC(2030, 0, 1);
    const token = fernetEncrypt(newKey, 'x', { nowMs });
    expect(fernetDecrypt([newKey], token, { nowMs: nowMs + 10_000_000 }).plaintext.toString()).toBe('x');
    expect(() => fernetDecrypt([newKey], token, { nowMs: nowMs + 61_000, ttlSec: 60 })).toThrow(AppError);
    expect(fernetDecrypt([newKey], token, { nowMs: nowMs + 60_000, ttlSec: 60 }).plaintext.toString()).toBe(
      'x',
    );
    expect(() => fernetDecrypt([newKey], token, { nowMs: nowMs - 61_000, ttlSec: 60 })).toThrow(AppError);
    expect(() =>
      fernetDecrypt([newKey], token, { nowMs: nowMs - 5_000, ttlSec: 60, maxClockSkewSec: 1 }),
    ).toThrow(AppError);
  });
});

describe('Keyring.deriveKeys', () => {
  it('is stable, newest first, and distinct per purpose and per master key', () => {
    const keyring = new Keyring([newKey, oldKey]);
    const audit = keyring.deriveKeys('audit-checkpoint');
    const again = new Keyring([newKey, oldKey]).deriveKeys('audit-checkpoint');
    const other = keyring.deriveKeys('session');
    expect(audit.map((d) => d.id)).toEqual([
      `${newKey.id}:audit-checkpoint`,
      `${oldKey.id}:audit-checkpoint`,
    ]);
    expect(audit.map((d) => d.key.toString('hex'))).toEqual(again.map((d) => d.key.toString('hex')));
    expect(audit[0]?.key.length).toBe(32);
    const all = [...audit, ...other].map((d) => d.key.toString('hex'));
    expect(new Set(all).size).toBe(4);
    expect(all).not.toContain(Buffer.concat([newKey.signing, newKey.encryption]).toString('hex'));
  });

  it('hands out copies callers cannot corrupt', () => {
    const keyring = new Keyring([newKey]);
    const first = keyring.deriveKeys('audit-checkpoint')[0];
    first?.key.fill(0);
    expect(keyring.deriveKeys('audit-checkpoint')[0]?.key.equals(Buffer.alloc(32))).toBe(false);
  });

  it('refuses an empty or malformed purpose', () => {
    const keyring = new Keyring([newKey]);
    expect(() => keyring.deriveKeys('')).toThrow(RangeError);
    expect(() => keyring.deriveKeys('a:b')).toThrow(RangeError);
  });
});
