/**
 * TOTP and HOTP against the RFC vectors (fixtures/otp, copied from the shared vectors: RFC 6238
 * Appendix B with the errata's seed lengths, RFC 4226 Appendix D), through the same `otpauth`
 * library our totp.ts uses; then our defaults (SHA-1, 6 digits, 30 s), the ±1-step window and the
 * refusal of anything that is not six digits.
 */
import { readFileSync } from 'node:fs';
import { HOTP, Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { matchTotpStep, totpCode, totpStep, totpUri } from './totp.ts';

const load = <T>(name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/otp/${name}`, import.meta.url), 'utf8')) as T;
const totpVectors = load<{
  vectors: {
    time: number;
    algorithm: string;
    secret_hex: string;
    digits: number;
    period: number;
    otp: string;
    T: number;
  }[];
}>('rfc6238_totp.json');
const hotpVectors = load<{ secret_ascii: string; digits: number; vectors: { count: number; otp: string }[] }>(
  'rfc4226_hotp.json',
);

describe('RFC 6238 TOTP vectors', () => {
  it('has all 18', () => expect(totpVectors.vectors).toHaveLength(18));
  it.each(totpVectors.vectors)('$algorithm at $time s → $otp', (v) => {
    const code = TOTP.generate({
      secret: Secret.fromHex(v.secret_hex),
      algorithm: v.algorithm,
      digits: v.digits,
      period: v.period,
      timestamp: v.time * 1000,
    });
    expect(code).toBe(v.otp);
    expect(totpStep(v.time * 1000)).toBe(v.T);
  });
});

describe('RFC 4226 HOTP vectors', () => {
  it.each(hotpVectors.vectors)('count $count → $otp', (v) => {
    const code = HOTP.generate({
      secret: Secret.fromLatin1(hotpVectors.secret_ascii),
      digits: hotpVectors.digits,
      counter: v.count,
    });
    expect(code).toBe(v.otp);
  });
});

describe('our TOTP defaults', () => {
  const sha1 = totpVectors.vectors.find((v) => v.algorithm === 'SHA1' && v.time === 1111111109)!;
  const secret = Secret.fromHex(sha1.secret_hex).base32;
  const at = sha1.time * 1000;

  it('is the 6-digit tail of the RFC SHA-1 value (dynamic truncation mod 10^6)', () => {
    expect(totpCode(secret, at)).toBe(sha1.otp.slice(-6));
  });

  it('matches the current step and one either way, nothing further', () => {
    const code = totpCode(secret, at);
    expect(matchTotpStep(secret, code, at)).toBe(totpStep(at));
    expect(matchTotpStep(secret, code, at + 30_000)).toBe(totpStep(at));
    expect(matchTotpStep(secret, code, at - 30_000)).toBe(totpStep(at));
    expect(matchTotpStep(secret, code, at + 60_000)).toBeNull();
    expect(matchTotpStep(secret, code, at - 60_000)).toBeNull();
  });

  it('refuses what is not six digits without comparing', () => {
    for (const bad of ['', '12345', '1234567', '12345a', ' 123456', '１２３４５６', '123\u0000456'])
      expect(matchTotpStep(secret, bad, at)).toBeNull();
  });

  it('writes an otpauth URI authenticator apps read (SHA1, 6 digits, 30 s)', () => {
    const uri = new URL(totpUri(secret, 'Acme', 'ada@example.test'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(uri.searchParams.get('issuer')).toBe('Acme');
  });
});
