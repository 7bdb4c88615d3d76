/**
 * A tenant's signing keys as oidc-provider `ExternalSigningKey`s (its `externalSigningSupport`
 * feature, the extension point meant for KMS and HSM signers): each private JWK is imported into a
 * node:crypto KeyObject once per key set (on its first signature), and every JWT the Provider issues
 * (access tokens, ID tokens, logout tokens, JWT responses) is signed by node:crypto with it.
 *
 * Why not the library's default (jose, through WebCrypto): Node's WebCrypto ECDSA returns IEEE P1363
 * signatures through a conversion that costs more than the signature itself, so an ES256 signature
 * there costs about twice node:crypto's DER signature converted here. RSA signatures run on libuv's
 * thread pool, off the event loop. The JWKS the Provider publishes is built from the public half.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from 'jose';
import { ExternalSigningKey } from 'oidc-provider';
import type { KeySet, SigningAlg } from './signing-keys.ts';

const signAsync = promisify(sign);

/** An ECDSA signature from DER (SEQUENCE of two INTEGERs) to JWS's R || S, each `size` bytes. */
export function derToJose(der: Uint8Array, size: number): Buffer {
  const out = Buffer.alloc(2 * size);
  if (der[0] !== 0x30) throw new Error('not a DER ECDSA signature');
  let at = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  for (let part = 0; part < 2; part++) {
    if (der[at] !== 0x02) throw new Error('not a DER ECDSA signature');
    const length = der[at + 1]!;
    let start = at + 2;
    let n = length;
    // an INTEGER has a leading zero when its high bit is set; the fixed-size form has none
    while (n > size && der[start] === 0) {
      start++;
      n--;
    }
    if (n > size) throw new Error('ECDSA signature integer too long');
    out.set(der.subarray(start, start + n), part * size + (size - n));
    at += 2 + length;
  }
  return out;
}

class NodeCryptoSigningKey extends ExternalSigningKey {
  readonly #jwk: JWK;
  readonly #alg: SigningAlg;
  #privateKey: KeyObject | undefined;
  #publicKey: KeyObject | undefined;

  constructor(jwk: JWK & { kid: string; alg: SigningAlg }) {
    super();
    if (!['RS256', 'ES256', 'EdDSA'].includes(jwk.alg))
      throw new Error(`unsupported signing algorithm ${String(jwk.alg)}`);
    // the library's class has setters for both (its typings declare only the getters)
    const self = this as unknown as { kid: string; alg: string };
    self.kid = jwk.kid;
    self.alg = jwk.alg;
    this.#jwk = jwk;
    this.#alg = jwk.alg;
  }

  // The public members the Provider publishes in JWKS, read from the JWK: a Provider that never
  // signs (a tenant only asked for its discovery document) imports no key.
  override get kty() {
    return this.#jwk.kty!;
  }
  override get crv() {
    return this.#jwk.crv;
  }
  override get x() {
    return this.#jwk.x;
  }
  override get y() {
    return this.#jwk.y;
  }
  override get n() {
    return this.#jwk.n;
  }
  override get e() {
    return this.#jwk.e;
  }
  override get pub() {
    return undefined;
  }

  #private(): KeyObject {
    this.#privateKey ??= createPrivateKey({ key: this.#jwk as never, format: 'jwk' });
    return this.#privateKey;
  }

  override keyObject(): KeyObject {
    this.#publicKey ??= createPublicKey(this.#private());
    return this.#publicKey;
  }

  override sign(data: Uint8Array): Promise<Uint8Array> | Uint8Array {
    const key = this.#private();
    switch (this.#alg) {
      case 'RS256':
        return signAsync('sha256', data, key);
      case 'ES256':
        return derToJose(sign('sha256', data, key), 32);
      default:
        return sign(null, data, key);
    }
  }
}

const imported = new WeakMap<KeySet, ExternalSigningKey[]>();

/** The key set as the Provider's `jwks.keys`, imported once per key set. */
export function signingKeysOf(keySet: KeySet): ExternalSigningKey[] {
  let keys = imported.get(keySet);
  if (!keys) {
    keys = keySet.keys.map((jwk) => new NodeCryptoSigningKey(jwk as JWK & { kid: string; alg: SigningAlg }));
    imported.set(keySet, keys);
  }
  return keys;
}
