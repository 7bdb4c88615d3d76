/**
 * Runs the Fernet specification's own vectors (fixtures/fernet, see SOURCE.md there): every
 * `generate` case must produce the exact token, every `verify` case must decrypt, and every
 * `invalid` case must fail with `decryption_failed`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import { fernetDecrypt, fernetEncrypt, parseFernetKey } from './fernet.ts';

type GenerateVector = { token: string; now: string; iv: number[]; src: string; secret: string };
type VerifyVector = { token: string; now: string; ttl_sec: number; src: string; secret: string };
type InvalidVector = { desc: string; token: string; now: string; ttl_sec: number; secret: string };

function loadVectors<T>(name: string): T[] {
  return JSON.parse(readFileSync(new URL(`./fixtures/fernet/${name}.json`, import.meta.url), 'utf8')) as T[];
}

const generate = loadVectors<GenerateVector>('generate');
const verify = loadVectors<VerifyVector>('verify');
const invalid = loadVectors<InvalidVector>('invalid');

describe('Fernet spec vectors', () => {
  it('has vectors in every file', () => {
    expect(generate.length).toBeGreaterThan(0);
    expect(verify.length).toBeGreaterThan(0);
    expect(invalid.length).toBeGreaterThan(0);
  });

  it.each(generate.map((vector, index) => ({ ...vector, name: `generate #${index + 1}` })))(
    '$name produces the exact token',
    (vector) => {
      const token = fernetEncrypt(parseFernetKey(vector.secret), vector.src, {
        nowMs: Date.parse(vector.now),
        iv: Buffer.from(vector.iv),
      });
      expect(token).toBe(vector.token);
    },
  );

  it.each(verify.map((vector, index) => ({ ...vector, name: `verify #${index + 1}` })))(
    '$name decrypts to its source',
    (vector) => {
      const key = parseFernetKey(vector.secret);
      const { plaintext, key: used } = fernetDecrypt([key], vector.token, {
        ttlSec: vector.ttl_sec,
        nowMs: Date.parse(vector.now),
      });
      expect(plaintext.toString('utf8')).toBe(vector.src);
      expect(used.id).toBe(key.id);
    },
  );

  it.each(invalid)('invalid: $desc is refused', (vector) => {
    const attempt = () =>
      fernetDecrypt([parseFernetKey(vector.secret)], vector.token, {
        ttlSec: vector.ttl_sec,
        nowMs: Date.parse(vector.now),
      });
    expect(attempt).toThrow(AppError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'decryption_failed' }));
  });
});
