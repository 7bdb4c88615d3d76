/**
 * The request signer against the shared vectors (RFC 9421 Appendix B.2.5 hmac-sha256, RFC 9530
 * Content-Digest) and the upstream's body check.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentDigest, signRequest, signRfc9421, verifyContentDigest } from './request-signer.ts';

const vectors = JSON.parse(
  readFileSync(new URL('../../../../shared/vectors/httpsig/rfc9421_hmac.json', import.meta.url), 'utf8'),
) as {
  test_request: { method: string; target_uri: string; headers: Record<string, string>; body: string };
  content_digest: { 'sha-256': string; 'sha-512': string };
  b2_5_hmac_sha256: {
    key_id: string;
    key_b64: string;
    covered_components: string[];
    created: number;
    signature_input_header: string;
    signature_header: string;
  };
};

describe('request signer vectors', () => {
  const req = vectors.test_request;

  it('computes the RFC 9530 Content-Digest', () => {
    expect(contentDigest(req.body)).toBe(vectors.content_digest['sha-256']);
  });

  it('reproduces RFC 9421 B.2.5 (hmac-sha256)', async () => {
    const v = vectors.b2_5_hmac_sha256;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, val]) => [k.toLowerCase(), val]));
    const signed = await signRfc9421(
      { method: req.method, url: req.target_uri, headers },
      { keyId: v.key_id, secret: Buffer.from(v.key_b64, 'base64') },
      { fields: v.covered_components, created: new Date(v.created * 1000), label: 'sig-b25' },
    );
    expect(signed['signature-input']).toBe(v.signature_input_header);
    expect(signed.signature).toBe(v.signature_header);
  });

  it('verifies a body against its digest and refuses a changed one', () => {
    expect(verifyContentDigest(vectors.content_digest['sha-256'], req.body)).toBe(true);
    expect(verifyContentDigest(vectors.content_digest['sha-512'], req.body)).toBe(true);
    expect(verifyContentDigest(vectors.content_digest['sha-256'], `${req.body} `)).toBe(false);
    expect(verifyContentDigest('sha-256=:bm90IGEgZGlnZXN0:', req.body)).toBe(false);
    expect(verifyContentDigest('garbage', req.body)).toBe(false);
    expect(verifyContentDigest(undefined, req.body)).toBe(false);
  });

  it('signs the gateway profile with created, keyid and nonce', async () => {
    const h = await signRequest(
      { method: 'POST', url: 'https://api.example.com/v1/items?x=1', body: '{}' },
      { keyId: 'client-1', secret: 'gk_hms_secret' },
      { now: new Date(1_700_000_000_000), nonce: 'n'.repeat(20) },
    );
    expect(h['signature-input']).toBe(
      'sig=("@method" "@authority" "@path" "@query" "content-digest");created=1700000000;keyid="client-1";nonce="nnnnnnnnnnnnnnnnnnnn"',
    );
    expect(h.signature).toMatch(/^sig=:[A-Za-z0-9+/]{43}=:$/);
    const hm = await signRequest(
      { method: 'GET', url: 'https://api.example.com/a?b=c' },
      { keyId: 'client-1', secret: 'gk_hms_secret' },
      { scheme: 'hmac', now: new Date(1_700_000_000_000), nonce: 'n'.repeat(20) },
    );
    expect(hm.authorization).toMatch(
      /^HMAC client_id="client-1",timestamp="1700000000",nonce="n{20}",signature="[0-9a-f]{64}"$/,
    );
  });
});
