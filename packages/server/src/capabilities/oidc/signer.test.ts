/**
 * The node:crypto signers behind every Provider: each algorithm's JWS verifies with jose against the
 * public JWK the signer publishes (never a private member), keys are imported once per key set, and
 * the DER → R || S conversion handles the integers DER pads or shortens.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { derToJose, signingKeysOf } from './signer.ts';
import type { KeySet, SigningAlg } from './signing-keys.ts';

async function keySetOf(alg: SigningAlg): Promise<KeySet> {
  const { privateKey } = await generateKeyPair(alg === 'EdDSA' ? 'Ed25519' : alg, { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `k-${alg}`, alg, use: 'sig' };
  return { keys: [jwk], alg, kid: jwk.kid, nextChangeAt: null };
}

const b64u = (x: string | Uint8Array) => Buffer.from(x).toString('base64url');

describe('node:crypto signing keys', () => {
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    it(`${alg}: a JWS it signs verifies with jose against its public JWK`, async () => {
      const keySet = await keySetOf(alg);
      const [key] = signingKeysOf(keySet);
      expect(key!.kid).toBe(`k-${alg}`);
      expect(key!.alg).toBe(alg);
      const publicJwk = (await key!.keyObject()).export({ format: 'jwk' }) as JWK;
      expect(Object.keys(publicJwk).some((k) => ['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(k))).toBe(false);
      const input = `${b64u(JSON.stringify({ alg, kid: key!.kid }))}.${b64u(JSON.stringify({ sub: 'x' }))}`;
      const signature = await key!.sign(Buffer.from(input));
      const jws = `${input}.${b64u(signature)}`;
      const verified = await compactVerify(jws, await importJWK(publicJwk, alg));
      expect(JSON.parse(Buffer.from(verified.payload).toString())).toEqual({ sub: 'x' });
      await expect(
        compactVerify(`${jws.slice(0, -4)}AAAA`, await importJWK(publicJwk, alg)),
      ).rejects.toThrow();
    });
  }

  it('imports a key set once (the same signers for the same set)', async () => {
    const keySet = await keySetOf('ES256');
    expect(signingKeysOf(keySet)[0]).toBe(signingKeysOf(keySet)[0]);
    expect(signingKeysOf({ ...keySet })[0]).not.toBe(signingKeysOf(keySet)[0]);
  });

  it('converts DER signatures with padded and short integers to 64 bytes', () => {
    // r with its high bit set (DER adds a zero byte), s of 30 bytes (DER drops leading zeros)
    const r = Buffer.alloc(32, 0xab);
    const s = Buffer.concat([Buffer.alloc(2), Buffer.alloc(30, 0x11)]);
    const der = Buffer.concat([
      Buffer.from([0x30, 2 + 33 + 2 + 30, 0x02, 33, 0x00]),
      r,
      Buffer.from([0x02, 30]),
      s.subarray(2),
    ]);
    expect(derToJose(der, 32)).toEqual(Buffer.concat([r, s]));
    expect(() => derToJose(Buffer.from([0x31, 0]), 32)).toThrow();
    // and a real one: node's own DER signature verifies as R || S
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = Buffer.from('data');
    const p1363 = derToJose(sign('sha256', data, privateKey), 32);
    expect(p1363).toHaveLength(64);
    expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, p1363)).toBe(true);
  });
});
