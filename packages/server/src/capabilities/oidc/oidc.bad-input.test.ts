/**
 * The negative list of the OIDC issue, each case by name: every malformed or hostile authorization
 * and token request gets oidc-provider's own spec-conformant OAuth error (never a 500, never a
 * Gatekeeper problem document, never a stack trace).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import type { OidcService } from './service.ts';
import { type ServiceSetup, setUpService } from './test-support.ts';

type AnyProvider = NonNullable<Awaited<ReturnType<OidcService['providerFor']>>>['provider'];

const SYSTEM = { actor: 'system' };
const REDIRECT = 'https://app.example.com/cb';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('hostile authorization and token requests get OAuth errors', () => {
  let t: TestRuntime;
  let s: ServiceSetup;
  let provider: AnyProvider;
  let publicId: string;
  let webId: string;
  let webSecret: string;
  let userId: string;

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const token = (body: string, auth?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/t/neg/token',
      headers: { ...FORM, ...(auth ? { authorization: auth } : {}) },
      payload: body,
    });
  const authorize = (query: Record<string, string>) =>
    t.app.inject({ url: `/t/neg/auth?${new URLSearchParams(query)}` });
  const redirectError = (location: string | undefined) =>
    location ? new URL(location).searchParams.get('error') : null;

  /** An authorization code for the web client, as the provider would issue it after sign-in. */
  async function issueCode(options: { verifier?: string; ttl?: number } = {}) {
    const grant = new provider.Grant({ accountId: userId, clientId: webId });
    grant.addOIDCScope('openid offline_access');
    const grantId = await grant.save();
    const code = new provider.AuthorizationCode({
      accountId: userId,
      clientId: webId,
      grantId,
      redirectUri: REDIRECT,
      scope: 'openid offline_access',
      authTime: Math.floor(Date.now() / 1000),
      ...(options.verifier ? { codeChallenge: options.verifier, codeChallengeMethod: 'S256' } : {}),
    } as never);
    if (options.ttl !== undefined) (code as unknown as { expiresIn: number }).expiresIn = options.ttl;
    return { code: await code.save(), grantId };
  }

  beforeAll(async () => {
    t = await createTestRuntime();
    s = await setUpService(t.services, { slug: 'neg', tokenFormat: 'opaque' });
    const pub = await t.services.clients.create(
      s.tenantId,
      { name: 'spa', kind: 'public', redirectUris: [REDIRECT] },
      SYSTEM,
    );
    publicId = pub.client.clientId;
    const web = await t.services.clients.create(
      s.tenantId,
      { name: 'web', redirectUris: [REDIRECT], scopes: ['openid', 'offline_access'] },
      SYSTEM,
    );
    webId = web.client.clientId;
    webSecret = web.clientSecret!;
    userId = (await t.services.users.create(s.tenantId, { username: 'dana' }, SYSTEM)).id;
    provider = (await t.services.oidc.providerFor('neg'))!.provider;
  });
  afterAll(async () => t?.close());

  it('unregistered redirect URI: refused on the error page, never redirected to', async () => {
    const r = await authorize({
      client_id: publicId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'https://evil.example/cb',
    });
    expect(r.statusCode).toBe(400);
    expect(r.headers.location).toBeUndefined();
    expect(r.body).toContain('redirect_uri did not match any of the client');
  });

  it('lookalike redirect URI (prefix, trailing slash, other case, extra query): refused', async () => {
    for (const uri of [
      `${REDIRECT}/`,
      `${REDIRECT}x`,
      'https://APP.example.com/cb',
      `${REDIRECT}?next=1`,
      'https://app.example.com.evil.example/cb',
    ]) {
      const r = await authorize({
        client_id: publicId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: uri,
      });
      expect(r.statusCode, uri).toBe(400);
      expect(r.headers.location, uri).toBeUndefined();
    }
  });

  it('missing PKCE on a public client: invalid_request', async () => {
    const r = await authorize({
      client_id: publicId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: REDIRECT,
    });
    expect(r.statusCode).toBe(303);
    expect(redirectError(r.headers.location as string)).toBe('invalid_request');
    expect(new URL(r.headers.location as string).searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('plain PKCE on a public client: invalid_request (only S256)', async () => {
    const r = await authorize({
      client_id: publicId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: REDIRECT,
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'plain',
    });
    expect(redirectError(r.headers.location as string)).toBe('invalid_request');
  });

  it('code replay: invalid_grant, and the tokens the code issued are revoked', async () => {
    const { code } = await issueCode();
    const first = await token(
      `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      basic(webId, webSecret),
    );
    expect(first.statusCode, first.body).toBe(200);
    const { access_token } = first.json();
    const replay = await token(
      `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      basic(webId, webSecret),
    );
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error).toBe('invalid_grant');
    const intro = await t.app.inject({
      method: 'POST',
      url: '/t/neg/token/introspection',
      headers: { ...FORM, authorization: basic(webId, webSecret) },
      payload: `token=${access_token}`,
    });
    expect(intro.json().active).toBe(false);
  });

  it('expired code: invalid_grant', async () => {
    const { code } = await issueCode({ ttl: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    const r = await token(
      `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      basic(webId, webSecret),
    );
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toBe('invalid_grant');
  });

  it('wrong client secret and a rotated-out (revoked) secret: invalid_client', async () => {
    const wrong = await token('grant_type=client_credentials', basic(s.clientId, `${s.clientSecret}x`));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('invalid_client');
    const added = await t.services.clients.addSecret(s.tenantId, s.clientRecordId, {}, SYSTEM);
    expect((await token('grant_type=client_credentials', basic(s.clientId, added.secret))).statusCode).toBe(
      200,
    );
    await t.services.clients.revokeSecret(s.tenantId, s.clientRecordId, added.credential.id, SYSTEM);
    const revoked = await token('grant_type=client_credentials', basic(s.clientId, added.secret));
    expect(revoked.json().error).toBe('invalid_client');
    // the first secret still works: several secrets live at once for rotation
    expect((await token('grant_type=client_credentials', basic(s.clientId, s.clientSecret))).statusCode).toBe(
      200,
    );
  });

  it('audience without a trust link: invalid_target', async () => {
    const r = await token(
      `grant_type=client_credentials&resource=${encodeURIComponent('https://other.example/')}`,
      basic(s.clientId, s.clientSecret),
    );
    expect(r.json().error).toBe('invalid_target');
  });

  it('scope escalation through refresh: invalid_scope', async () => {
    const { code } = await issueCode();
    const first = await token(
      `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      basic(webId, webSecret),
    );
    const { refresh_token } = first.json();
    expect(refresh_token).toBeTypeOf('string');
    const r = await token(
      `grant_type=refresh_token&refresh_token=${refresh_token}&scope=openid%20profile`,
      basic(webId, webSecret),
    );
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toBe('invalid_scope');
  });

  it('a disabled user: refresh refused and access tokens inactive', async () => {
    const { code } = await issueCode();
    const first = (
      await token(
        `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
        basic(webId, webSecret),
      )
    ).json();
    await t.services.users.update(s.tenantId, userId, { status: 'disabled' }, undefined, SYSTEM);
    const refresh = await token(
      `grant_type=refresh_token&refresh_token=${first.refresh_token}`,
      basic(webId, webSecret),
    );
    expect(refresh.statusCode).toBe(400);
    expect(refresh.json().error).toBe('invalid_grant');
    const intro = await t.app.inject({
      method: 'POST',
      url: '/t/neg/token/introspection',
      headers: { ...FORM, authorization: basic(webId, webSecret) },
      payload: `token=${first.access_token}`,
    });
    expect(intro.json().active).toBe(false);
    await t.services.users.update(s.tenantId, userId, { status: 'active' }, undefined, SYSTEM);
  });

  it('oversize parameters: an OAuth error, not a 500', async () => {
    const r = await authorize({
      client_id: 'x'.repeat(100_000),
      response_type: 'code',
      scope: 'openid',
      redirect_uri: REDIRECT,
    });
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    expect(r.statusCode).toBeLessThan(500);
    const big = await token(
      `grant_type=client_credentials&scope=${'a'.repeat(200_000)}`,
      basic(s.clientId, s.clientSecret),
    );
    expect(big.statusCode).toBeGreaterThanOrEqual(400);
    expect(big.statusCode).toBeLessThan(500);
  });

  it('duplicated parameters: invalid_request', async () => {
    const r = await t.app.inject({
      url: `/t/neg/auth?client_id=${publicId}&client_id=${publicId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    });
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatch(/invalid_request/);
    const t2 = await token(
      'grant_type=client_credentials&grant_type=client_credentials',
      basic(s.clientId, s.clientSecret),
    );
    expect(t2.json().error).toBe('invalid_request');
  });

  it('a NUL byte in a protocol parameter gets the OAuth error, not our problem document', async () => {
    const r = await token('grant_type=client_credentials&scope=%00', basic(s.clientId, s.clientSecret));
    expect(r.statusCode).toBeLessThan(500);
    expect(r.headers['content-type']).not.toMatch(/problem\+json/);
    const unknown = await token(`grant_type=urn:nope&x=${randomUUID()}`, basic(s.clientId, s.clientSecret));
    expect(unknown.json().error).toBe('unsupported_grant_type');
  });
});
