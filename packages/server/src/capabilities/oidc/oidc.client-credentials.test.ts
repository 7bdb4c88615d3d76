/**
 * Client credentials through a trust link, with openid-client as the client and jose verifying the
 * RFC 9068 access token against the tenant's JWKS; introspection and revocation of opaque tokens;
 * deleting the trust link ends its outstanding tokens.
 */
import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { injectFetch, type ServiceSetup, setUpService } from './test-support.ts';

describe('client credentials through a trust link', () => {
  let t: TestRuntime;
  let s: ServiceSetup;
  let config: oauth.Configuration;
  let fetchImpl: typeof fetch;

  beforeAll(async () => {
    t = await createTestRuntime();
    s = await setUpService(t.services, { slug: 'acme' });
    fetchImpl = injectFetch(t.app);
    config = await oauth.discovery(new URL(s.issuer), s.clientId, s.clientSecret, undefined, {
      [oauth.customFetch]: fetchImpl,
      execute: [oauth.allowInsecureRequests],
    });
    config[oauth.customFetch] = fetchImpl;
  });
  afterAll(async () => t?.close());

  it('serves discovery and RFC 8414 metadata at the issuer', async () => {
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(s.issuer);
    expect(meta.token_endpoint).toBe(`${s.issuer}/token`);
    expect(meta.grant_types_supported).toContain('client_credentials');
    const rfc8414 = await t.app.inject({ url: '/t/acme/.well-known/oauth-authorization-server' });
    expect(rfc8414.statusCode).toBe(200);
    expect(rfc8414.json().issuer).toBe(s.issuer);
    const inserted = await t.app.inject({ url: '/.well-known/oauth-authorization-server/t/acme' });
    expect(inserted.json().issuer).toBe(s.issuer);
  });

  it('issues an at+jwt for the trusted audience that verifies against the JWKS', async () => {
    const tokens = await oauth.clientCredentialsGrant(config, { resource: s.audience, scope: 'orders:read' });
    const jwks = createRemoteJWKSet(new URL(`${s.issuer}/jwks`), { [customFetch]: fetchImpl });
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: s.issuer,
      audience: s.audience,
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.client_id).toBe(s.clientId);
    expect(payload.scope).toBe('orders:read');
    expect(typeof payload.jti).toBe('string');
  });

  it('defaults the audience to the only trust link', async () => {
    const tokens = await oauth.clientCredentialsGrant(config, {});
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');
  });

  it('narrows scopes to the trust link (a scope it does not grant is never issued)', async () => {
    const tokens = await oauth.clientCredentialsGrant(config, {
      resource: s.audience,
      scope: 'orders:read orders:write',
    });
    expect(decodeJwt(tokens.access_token).scope).toBe('orders:read');
  });

  it('refuses an audience without a trust link (invalid_target)', async () => {
    const err = await oauth
      .clientCredentialsGrant(config, { resource: 'https://elsewhere.example/' })
      .catch((e: unknown) => e);
    expect((err as { error?: string }).error).toBe('invalid_target');
  });

  it('refuses a wrong client secret (invalid_client)', async () => {
    const wrong = new oauth.Configuration(config.serverMetadata(), s.clientId, `${s.clientSecret}x`);
    wrong[oauth.customFetch] = fetchImpl;
    oauth.allowInsecureRequests(wrong);
    const err = await oauth.clientCredentialsGrant(wrong, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oauth.ResponseBodyError);
    expect((err as oauth.ResponseBodyError).error).toBe('invalid_client');
  });

  it('answers an unknown tenant and a suspended tenant without the provider', async () => {
    const unknown = await t.app.inject({ url: '/t/no-such-tenant/.well-known/openid-configuration' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('invalid_request');
    await t.services.tenants.create({ slug: 'frozen', displayName: 'Frozen' }, { actor: 'system' });
    await t.services.tenants.update('frozen', { status: 'suspended' }, undefined, { actor: 'system' });
    const suspended = await t.app.inject({ url: '/t/frozen/.well-known/openid-configuration' });
    expect(suspended.statusCode).toBe(403);
    expect(suspended.json().error).toBe('access_denied');
  });
});
