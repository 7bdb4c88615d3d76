/**
 * The client package's `createAccessTokenVerifier` against real Gatekeeper tokens: a client
 * credentials JWT verifies (issuer, audience, typ, JWKS); wrong audience, a missing header and a
 * missing scope are refused with their RFC 6750 codes; a token signed by a rotated-in key verifies
 * (unknown kid → JWKS refetched); a DPoP-bound token (RFC 9449) needs a matching proof. Plus the
 * RFC 9728 metadata document and WWW-Authenticate value.
 */
import { createHash } from 'node:crypto';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessTokenError,
  createAccessTokenVerifier,
  protectedResourceMetadata,
  wwwAuthenticate,
} from '../../../../client/src/access-token.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { injectFetch, type ServiceSetup, setUpService } from './test-support.ts';

describe('verifyAccessToken (client package) against Gatekeeper tokens', () => {
  let t: TestRuntime;
  let s: ServiceSetup;
  let config: oauth.Configuration;
  let fetchImpl: typeof fetch;

  beforeAll(async () => {
    t = await createTestRuntime({ env: { GATEKEEPER_OIDC_KEY_PUBLISH_LEAD_SECONDS: '0' } });
    s = await setUpService(t.services, { slug: 'verify' });
    fetchImpl = injectFetch(t.app);
    config = await oauth.discovery(new URL(s.issuer), s.clientId, s.clientSecret, undefined, {
      [oauth.customFetch]: fetchImpl,
      execute: [oauth.allowInsecureRequests],
    });
    config[oauth.customFetch] = fetchImpl;
  });
  afterAll(async () => t?.close());

  const verifier = (extra: { requiredScopes?: string[]; audience?: string } = {}) =>
    createAccessTokenVerifier({
      issuer: s.issuer,
      audience: extra.audience ?? s.audience,
      fetch: fetchImpl,
      ...extra,
    });
  const issue = async () =>
    (await oauth.clientCredentialsGrant(config, { resource: s.audience, scope: 'orders:read' })).access_token;
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => (e as AccessTokenError).code,
    );

  it('verifies a token and refuses the wrong audience, no header and a missing scope', async () => {
    const token = await issue();
    const claims = await verifier().verify(`Bearer ${token}`);
    expect(claims).toMatchObject({ client_id: s.clientId, scope: 'orders:read', aud: s.audience });
    expect(await refusal(verifier({ audience: 'https://other.example/' }).verify(`Bearer ${token}`))).toBe(
      'invalid_token',
    );
    expect(await refusal(verifier().verify(undefined))).toBe('invalid_request');
    expect(await refusal(verifier({ requiredScopes: ['orders:write'] }).verify(`Bearer ${token}`))).toBe(
      'insufficient_scope',
    );
    expect(await refusal(verifier().verify(`Bearer ${token.slice(0, -4)}AAAA`))).toBe('invalid_token');
  });

  it('verifies tokens signed by a rotated-in key with the same verifier (unknown kid → refetch)', async () => {
    const v = createAccessTokenVerifier({
      issuer: s.issuer,
      audience: s.audience,
      fetch: fetchImpl,
      cooldownSeconds: 0,
    });
    const before = await issue();
    await v.verify(`Bearer ${before}`);
    const rotated = await t.services.oidc.keys.rotate(s.tenantId, { alg: 'EdDSA' }, { actor: 'system' });
    await new Promise((r) => setTimeout(r, 50));
    const after = await issue();
    const header = JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString());
    expect(header).toMatchObject({ kid: rotated.kid, alg: 'EdDSA' });
    expect((await v.verify(`Bearer ${after}`)).client_id).toBe(s.clientId);
    expect((await v.verify(`Bearer ${before}`)).client_id).toBe(s.clientId);
  });

  it('a DPoP-bound token needs a proof for this request signed by the bound key', async () => {
    const keyPair = await generateKeyPair('ES256');
    const dpop = oauth.getDPoPHandle(config, keyPair);
    const { access_token } = await oauth.clientCredentialsGrant(
      config,
      { resource: s.audience, scope: 'orders:read' },
      { DPoP: dpop },
    );
    expect((decodeJwt(access_token).cnf as { jkt?: string }).jkt).toBeTypeOf('string');
    const url = 'https://api.verify.example/orders';
    const proof = async (method: string, key = keyPair) =>
      new SignJWT({
        htm: method,
        htu: url,
        ath: createHash('sha256').update(access_token).digest('base64url'),
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(key.publicKey) })
        .setIssuedAt()
        .setJti(crypto.randomUUID())
        .sign(key.privateKey);
    const v = verifier();
    expect(
      (await v.verify(`DPoP ${access_token}`, { dpop: await proof('GET'), method: 'GET', url })).sub,
    ).toBe(s.clientId);
    expect(await refusal(v.verify(`DPoP ${access_token}`, { method: 'GET', url }))).toBe('invalid_token');
    expect(
      await refusal(v.verify(`DPoP ${access_token}`, { dpop: await proof('POST'), method: 'GET', url })),
    ).toBe('invalid_token');
    const other = await generateKeyPair('ES256');
    expect(
      await refusal(
        v.verify(`DPoP ${access_token}`, { dpop: await proof('GET', other), method: 'GET', url }),
      ),
    ).toBe('invalid_token');
  });

  it('builds RFC 9728 metadata and the WWW-Authenticate that points to it', () => {
    const meta = protectedResourceMetadata({
      resource: s.audience,
      issuer: s.issuer,
      scopes: ['orders:read'],
    });
    expect(meta).toEqual({
      resource: s.audience,
      authorization_servers: [s.issuer],
      bearer_methods_supported: ['header'],
      scopes_supported: ['orders:read'],
    });
    const header = wwwAuthenticate(
      'https://api.verify.example/.well-known/oauth-protected-resource',
      new AccessTokenError('invalid_token', 'expired "x"'),
    );
    expect(header).toBe(
      'Bearer resource_metadata="https://api.verify.example/.well-known/oauth-protected-resource", error="invalid_token", error_description="expired x"',
    );
  });
});
