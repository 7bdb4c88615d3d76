/**
 * Argon2id password hashing: round trip, wrong passwords, rehash detection when the policy changes,
 * malformed stored hashes, and the dummy verification for unknown users. Low costs keep it fast;
 * one case runs the OWASP parameters for real.
 */
import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { createPasswordHasher, OWASP_ARGON2ID, verifyAgainstDummy } from './password.ts';

const FAST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

describe('createPasswordHasher', () => {
  const hasher = createPasswordHasher(FAST);

  it('hashes into an argon2id PHC string with a random salt and verifies it', async () => {
    const phc = await hasher.hash('correct horse battery staple');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await hasher.hash('correct horse battery staple')).not.toBe(phc);
    expect(await hasher.verify(phc, 'correct horse battery staple')).toEqual({
      ok: true,
      needsRehash: false,
    });
  });

  it('rejects a wrong password', async () => {
    const phc = await hasher.hash('correct horse battery staple');
    expect(await hasher.verify(phc, 'correct horse battery stapler')).toEqual({
      ok: false,
      needsRehash: false,
    });
    expect(await hasher.verify(phc, '')).toEqual({ ok: false, needsRehash: false });
  });

  it('handles non-ASCII passwords', async () => {
    const phc = await hasher.hash('pässwörd 🔑');
    expect((await hasher.verify(phc, 'pässwörd 🔑')).ok).toBe(true);
    expect((await hasher.verify(phc, 'passwörd 🔑')).ok).toBe(false);
  });

  it('asks for a rehash when memory, time or parallelism changed', async () => {
    const phc = await hasher.hash('pw');
    for (const params of [
      { ...FAST, memoryCost: 2048 },
      { ...FAST, timeCost: 2 },
      { ...FAST, parallelism: 2 },
    ]) {
      expect(await createPasswordHasher(params).verify(phc, 'pw')).toEqual({ ok: true, needsRehash: true });
    }
  });

  it('asks for a rehash of a correct argon2i hash', async () => {
    const argon2i = await hash('pw', { ...FAST, algorithm: 1 });
    expect(argon2i.startsWith('$argon2i$')).toBe(true);
    expect(await hasher.verify(argon2i, 'pw')).toEqual({ ok: true, needsRehash: true });
  });

  it('returns ok false for malformed hashes instead of throwing', async () => {
    const phc = await hasher.hash('pw');
    for (const bad of [
      '',
      'plaintext',
      '$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234',
      '$argon2id$v=19$m=1024,t=1,p=1$xx$yy',
      phc.slice(0, -10),
      `${phc}$extra`,
      `${phc.slice(0, 40)}${'A'.repeat(10_000)}`,
    ]) {
      expect(await hasher.verify(bad, 'pw')).toEqual({ ok: false, needsRehash: false });
    }
  });

  it('refuses invalid parameters', () => {
    expect(() => createPasswordHasher({ ...FAST, timeCost: 0 })).toThrow(RangeError);
    expect(() => createPasswordHasher({ ...FAST, memoryCost: Number.NaN })).toThrow(RangeError);
    expect(() => createPasswordHasher({ ...FAST, parallelism: 256 })).toThrow(RangeError);
  });

  it('verifies against a dummy hash without failing', async () => {
    await expect(hasher.verifyAgainstDummy('anything')).resolves.toBeUndefined();
    await expect(verifyAgainstDummy('anything', FAST)).resolves.toBeUndefined();
  });
});

describe('OWASP_ARGON2ID', () => {
  it('uses 19 MiB, 2 passes, 1 lane and round-trips', async () => {
    expect(OWASP_ARGON2ID).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const hasher = createPasswordHasher(OWASP_ARGON2ID);
    const phc = await hasher.hash('correct horse battery staple');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(phc, 'correct horse battery staple')).toEqual({
      ok: true,
      needsRehash: false,
    });
    expect((await hasher.verify(phc, 'wrong')).ok).toBe(false);
    await expect(verifyAgainstDummy('wrong')).resolves.toBeUndefined();
  });
});
