/**
 * Dynamic client registration (RFC 7591) over real HTTP, with openid-client registering as an MCP
 * agent would: off by default (no `registration_endpoint` in discovery, `/reg` unknown); behind an
 * initial access token (none or a wrong one is the library's invalid_token / invalid_request); a
 * redirect URI outside the tenant's patterns is invalid_redirect_uri; a secret-holding client is
 * refused unless the policy allows confidential clients — then its secret is Gatekeeper's, shown once
 * at registration, never at a read, kept by an update, and it authenticates with it; a registered client completes authorization code + PKCE through the hosted sign-in and
 * its ID token verifies with jose; the registration is audited; unused registered clients are swept;
 * initial access tokens are listed and revoked through the admin API, and a revoked one is the
 * library's invalid_token at /reg. RFC 7592: the registration answer carries a registration access
 * token and URI; with it the client reads itself, updates itself under the same policy (the token is
 * replaced each time; a secret-holding or out-of-policy update is refused) and deletes itself; the
 * token of one client reaches no other, and no other token reaches it.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { freePort } from '../../../test/serve-process.ts';
import { toListOptions } from '../../http/pagination.ts';
import { PASSWORD, seedUser } from '../accounts/test-support.ts';
import { authorizeWithPkce } from './test-support.ts';

const SYSTEM = { actor: 'system' };
const json = async (r: Response) => (await r.json()) as Record<string, unknown>;

describe('dynamic client registration (RFC 7591)', () => {
  let t: AdminTestApp;
  let base: string;
  let issuer: string;
  let tenantId: string;
  let userId: string;
  const events: { type: string; data?: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createAdminTestApp({ env: { GATEKEEPER_PUBLIC_URL: base } });
    await t.app.listen({ host: '127.0.0.1', port });
    ({ tenantId, userId } = await seedUser(t.services, 'agents', 'ada', { email: 'ada@example.com' }));
    issuer = t.services.oidc.issuerOf('agents');
    t.runtime.bus.subscribe((e) => {
      events.push(e as never);
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const register = (body: unknown, token?: string) =>
    fetch(`${issuer}/reg`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  const agentMetadata = {
    client_name: 'Claude-like agent',
    redirect_uris: ['http://127.0.0.1:33418/callback'],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
  };

  /** Authorization code + PKCE through the hosted sign-in as ada, to the registered redirect URI. */
  async function codeFlow(config: oauth.Configuration, scope: string) {
    const { callback, verifier } = await authorizeWithPkce(config, {
      base,
      redirectUri: agentMetadata.redirect_uris[0]!,
      login: 'ada',
      password: PASSWORD,
      params: { scope },
    });
    return { tokens: await oauth.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier }) };
  }

  it('is off by default: discovery does not announce it and /reg is refused', async () => {
    const meta = await json(await fetch(`${issuer}/.well-known/oauth-authorization-server`));
    expect(meta.registration_endpoint).toBeUndefined();
    // the admin API mints an initial access token (shown once, stored as a digest) even while off
    const minted = await t.call('POST', '/api/v1/tenants/agents/client-registration/tokens', {
      body: { ttlSeconds: 3600 },
    });
    expect(minted.statusCode).toBe(201);
    const { token, registrationEndpoint } = minted.json();
    expect(registrationEndpoint).toBe(`${issuer}/reg`);
    const rows = await t.runtime.database.db.selectFrom('oidc_payloads').select('payload').execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    const r = await register(agentMetadata, token);
    expect(r.status).toBe(404);
    expect((await json(r)).error).toBe('invalid_request');
    expect(
      (await t.services.clients.list(tenantId, toListOptions({ limit: 50 }, 'name'))).items,
    ).toHaveLength(0);
  });

  it('refuses without an initial access token, or with a wrong one', async () => {
    const off = await t.call('GET', '/api/v1/tenants/agents/client-registration');
    expect(off.json()).toMatchObject({
      enabled: false,
      redirectUriPatterns: ['http://127.0.0.1:*', 'http://localhost:*', 'http://[::1]:*'],
    });
    const bad = await t.call('PUT', '/api/v1/tenants/agents/client-registration', {
      body: { enabled: true, redirectUriPatterns: ['http://intranet.example/*'] },
    });
    expect(bad.statusCode).toBe(400);
    const on = await t.call('PUT', '/api/v1/tenants/agents/client-registration', { body: { enabled: true } });
    expect(on.statusCode).toBe(200);
    expect(on.json().enabled).toBe(true);
    const meta = await json(await fetch(`${issuer}/.well-known/openid-configuration`));
    expect(meta.registration_endpoint).toBe(`${issuer}/reg`);
    const none = await register(agentMetadata);
    expect(none.status).toBe(401);
    expect(await json(none)).toMatchObject({
      error: 'invalid_token',
      error_description: 'no access token provided',
    });
    const wrong = await register(agentMetadata, 'not-a-token-at-all-not-a-token-at-all-000');
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).error).toBe('invalid_token');
    expect(wrong.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('refuses a redirect URI outside the policy (invalid_redirect_uri) and a secret-holding client', async () => {
    const { token } = await t.services.oidc.registration.issueToken(tenantId, 'agents', {}, SYSTEM);
    const outside = await register({ ...agentMetadata, redirect_uris: ['https://evil.example/cb'] }, token);
    expect(outside.status).toBe(400);
    expect(await json(outside)).toMatchObject({ error: 'invalid_redirect_uri' });
    const wildcard = await register({ ...agentMetadata, redirect_uris: ['http://127.0.0.1:*/cb'] }, token);
    expect((await json(wildcard)).error).toBe('invalid_redirect_uri');
    const confidential = await register(
      { ...agentMetadata, token_endpoint_auth_method: 'client_secret_basic' },
      token,
    );
    expect(confidential.status).toBe(400);
    expect((await json(confidential)).error).toBe('invalid_client_metadata');
    const serviceGrant = await register({ ...agentMetadata, grant_types: ['client_credentials'] }, token);
    expect((await json(serviceGrant)).error).toBe('invalid_client_metadata');
    // a listed https origin is allowed once the policy says so
    await t.services.oidc.registration.setPolicy(
      tenantId,
      { redirectUriPatterns: ['http://127.0.0.1:*', 'https://agent.example.com/oauth/*'] },
      undefined,
      SYSTEM,
    );
    const listed = await register(
      { ...agentMetadata, redirect_uris: ['https://agent.example.com/oauth/callback'] },
      token,
    );
    expect(listed.status).toBe(201);
    const sibling = await register(
      { ...agentMetadata, redirect_uris: ['https://agent.example.com/other'] },
      token,
    );
    expect((await json(sibling)).error).toBe('invalid_redirect_uri');
  });

  it('a registered client completes authorization code + PKCE; the ID token verifies with jose', async () => {
    const { token } = await t.services.oidc.registration.issueToken(
      tenantId,
      'agents',
      { ttlSeconds: 600 },
      SYSTEM,
    );
    const before = events.length;
    const config = await oauth.dynamicClientRegistration(
      new URL(issuer),
      { ...agentMetadata, scope: 'openid email' },
      oauth.None(),
      { initialAccessToken: token, execute: [oauth.allowInsecureRequests] },
    );
    const clientId = config.clientMetadata().client_id;
    expect(config.clientMetadata().client_secret).toBeUndefined();
    const stored = await t.services.clients.byClientId(tenantId, clientId);
    expect(stored).toMatchObject({ kind: 'public', dynamic: true, authMethod: 'none' });
    const registered = events.slice(before).find((e) => e.type === 'oidc.client_registered');
    expect(registered?.data).toMatchObject({ clientId, redirectUris: agentMetadata.redirect_uris });
    expect(JSON.stringify(events.slice(before))).not.toContain(token);

    const redirectUri = agentMetadata.redirect_uris[0]!;
    const { tokens } = await codeFlow(config, 'openid email');
    const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${issuer}/jwks`)), {
      issuer,
      audience: clientId,
    });
    expect(payload).toMatchObject({ sub: userId, email: 'ada@example.com' });
    // the use is recorded, so the sweep keeps it
    const view = await t.services.clients.resolve(tenantId, clientId);
    expect(view.lastUsedAt).not.toBeNull();

    // without PKCE the public client is refused by the library
    const noPkce = oauth.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid' });
    const refused = await fetch(noPkce, { redirect: 'manual' });
    const to = new URL(refused.headers.get('location') ?? '', issuer);
    expect(to.searchParams.get('error')).toBe('invalid_request');
  });

  it('where the policy allows confidential clients, one registers with a secret Gatekeeper issues, shown once, and uses it', async () => {
    await t.services.oidc.registration.setPolicy(tenantId, { confidentialClients: true }, undefined, SYSTEM);
    try {
      const { token } = await t.services.oidc.registration.issueToken(tenantId, 'agents', {}, SYSTEM);
      for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
        const created = await register(
          { ...agentMetadata, client_name: `backend ${method}`, token_endpoint_auth_method: method },
          token,
        );
        expect(created.status).toBe(201);
        const body = await json(created);
        const clientId = String(body.client_id);
        const secret = String(body.client_secret);
        expect(secret).toMatch(/^gk_cls_/);
        expect(body.client_secret_expires_at).toBe(0);
        expect(body.token_endpoint_auth_method).toBe(method);
        const stored = await t.services.clients.byClientId(tenantId, clientId);
        expect(stored).toMatchObject({ kind: 'confidential', dynamic: true, authMethod: method });
        // stored as a digest: the secret is nowhere in the database or the audit log
        const rows = await t.runtime.database.db.selectFrom('credentials').selectAll().execute();
        expect(JSON.stringify(rows)).not.toContain(secret);
        expect(JSON.stringify(events)).not.toContain(secret);

        // authorization code with the secret (openid-client authenticates the way it registered)
        const auth =
          method === 'client_secret_basic' ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
        const config = await oauth.discovery(new URL(issuer), clientId, undefined, auth, {
          execute: [oauth.allowInsecureRequests],
        });
        const { tokens } = await codeFlow(config, 'openid');
        expect(tokens.id_token).toBeDefined();
        // a wrong secret is the library's invalid_client
        const wrong = await fetch(`${issuer}/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${clientId}:gk_cls_nope`).toString('base64')}`,
          },
          body: 'grant_type=refresh_token&refresh_token=x',
        });
        expect(wrong.status).toBe(401);
        expect((await json(wrong)).error).toBe('invalid_client');

        // RFC 7592: a read never shows the secret again; an update keeps it and the client's kind
        const uri = String(body.registration_client_uri);
        const read = await json(
          await fetch(uri, {
            headers: { authorization: `Bearer ${String(body.registration_access_token)}` },
          }),
        );
        expect(read.client_secret).toBeUndefined();
        expect(JSON.stringify(read)).not.toContain('verified-by-digest');
        const rat = String(read.registration_access_token);
        const put = (bearer: string, payload: unknown) =>
          fetch(uri, {
            method: 'PUT',
            headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
            body: JSON.stringify(payload),
          });
        const toPublic = await put(rat, {
          ...agentMetadata,
          client_id: clientId,
          token_endpoint_auth_method: 'none',
        });
        expect(toPublic.status).toBe(400);
        expect(await json(toPublic)).toMatchObject({ error: 'invalid_client_metadata' });
        const renamed = await put(rat, {
          ...agentMetadata,
          client_id: clientId,
          client_name: 'renamed backend',
          token_endpoint_auth_method: method,
        });
        expect(renamed.status).toBe(200);
        const renamedBody = await json(renamed);
        expect(renamedBody.client_secret).toBeUndefined();
        // an update that names the secret is refused (only its digest is held), and changes nothing
        const withSecret = await put(String(renamedBody.registration_access_token), {
          ...agentMetadata,
          client_id: clientId,
          client_secret: secret,
          token_endpoint_auth_method: method,
        });
        expect(withSecret.status).toBe(400);
        // the secret still authenticates after the update (the spent code is then the refusal)
        const again = await fetch(`${issuer}/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...(method === 'client_secret_basic'
              ? { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` }
              : {}),
          },
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: 'not-a-refresh-token',
            ...(method === 'client_secret_post' ? { client_id: clientId, client_secret: secret } : {}),
          }).toString(),
        });
        expect((await json(again)).error).toBe('invalid_grant');
        await t.services.clients.delete(tenantId, stored!.id, undefined, SYSTEM);
      }
    } finally {
      await t.services.oidc.registration.setPolicy(
        tenantId,
        { confidentialClients: false },
        undefined,
        SYSTEM,
      );
    }
  });

  it('a client that asks for no scope gets the default scopes; unused registered clients are swept', async () => {
    await t.services.oidc.registration.setPolicy(
      tenantId,
      { defaultScopes: ['openid', 'profile'], unusedClientDays: 1 },
      undefined,
      SYSTEM,
    );
    const { token } = await t.services.oidc.registration.issueToken(tenantId, 'agents', {}, SYSTEM);
    const r = await register({ ...agentMetadata, client_name: 'idle agent' }, token);
    expect(r.status).toBe(201);
    const body = await json(r);
    expect(body.scope).toBe('openid profile');
    expect(await t.services.oidc.registration.sweep(Date.now())).toBe(0);
    const used = (await t.services.clients.list(tenantId, toListOptions({ limit: 50 }, 'name'))).items.filter(
      (c) => c.dynamic && c.lastUsedAt !== null,
    );
    expect(used).toHaveLength(1);
    const swept = await t.services.oidc.registration.sweep(Date.now() + 2 * 86_400_000);
    expect(swept).toBeGreaterThanOrEqual(2);
    expect(await t.services.clients.byClientId(tenantId, String(body.client_id))).toBeNull();
    expect(events.some((e) => e.type === 'oidc.registered_client_expired')).toBe(true);
  });

  it('lists initial access tokens and revokes one: /reg then answers invalid_token (admin API)', async () => {
    const minted = await t.call('POST', '/api/v1/tenants/agents/client-registration/tokens', {
      body: { ttlSeconds: 3600 },
    });
    expect(minted.statusCode).toBe(201);
    const { id, token } = minted.json() as { id: string; token: string };
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const kept = (
      await t.call('POST', '/api/v1/tenants/agents/client-registration/tokens', { body: {} })
    ).json().token as string;
    const listed = await t.call('GET', '/api/v1/tenants/agents/client-registration/tokens');
    expect(listed.statusCode).toBe(200);
    const items = listed.json().items as { id: string; issuedAt: string; expiresAt: string }[];
    const mine = items.find((i) => i.id === id);
    expect(mine).toBeDefined();
    expect(Date.parse(mine!.expiresAt) - Date.parse(mine!.issuedAt)).toBeGreaterThan(3590_000);
    expect(JSON.stringify(listed.json())).not.toContain(token);

    // usable before (more than once), refused after
    expect((await register({ ...agentMetadata, client_name: 'first' }, token)).status).toBe(201);
    expect((await register({ ...agentMetadata, client_name: 'second' }, token)).status).toBe(201);
    const before = events.length;
    const revoked = await t.call('DELETE', `/api/v1/tenants/agents/client-registration/tokens/${id}`);
    expect(revoked.statusCode).toBe(204);
    const refused = await register({ ...agentMetadata, client_name: 'third' }, token);
    expect(refused.status).toBe(401);
    expect((await json(refused)).error).toBe('invalid_token');
    expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
    const audit = events.slice(before).find((e) => e.type === 'oidc.registration_token_revoked');
    expect(audit?.data).toMatchObject({ tokenId: id });
    // the other token still works; the revoked one is gone from the list and cannot be revoked twice
    expect((await register({ ...agentMetadata, client_name: 'fourth' }, kept)).status).toBe(201);
    const after = (await t.call('GET', '/api/v1/tenants/agents/client-registration/tokens')).json().items as {
      id: string;
    }[];
    expect(after.map((i) => i.id)).not.toContain(id);
    const again = await t.call('DELETE', `/api/v1/tenants/agents/client-registration/tokens/${id}`);
    expect(again.statusCode).toBe(404);
    expect(again.json().code ?? again.json().error).toBe('not_found');
    const garbage = await t.call('DELETE', '/api/v1/tenants/agents/client-registration/tokens/not-an-id');
    expect(garbage.statusCode).toBe(404);
  });

  it("a tenant cannot list or revoke another tenant's initial access tokens", async () => {
    const { tenantId: otherId } = await seedUser(t.services, 'others', 'bob');
    const { id, token } = await t.services.oidc.registration.issueToken(tenantId, 'agents', {}, SYSTEM);
    expect((await t.services.oidc.registration.listTokens(otherId)).map((i) => i.id)).not.toContain(id);
    const cross = await t.call('DELETE', `/api/v1/tenants/others/client-registration/tokens/${id}`);
    expect(cross.statusCode).toBe(404);
    expect((await register({ ...agentMetadata, client_name: 'still fine' }, token)).status).toBe(201);
  });
  it('RFC 7592: a registered client reads, updates and deletes itself with its registration access token', async () => {
    const { token } = await t.services.oidc.registration.issueToken(tenantId, 'agents', {}, SYSTEM);
    const created = await register({ ...agentMetadata, client_name: 'managed agent' }, token);
    expect(created.status).toBe(201);
    const body = await json(created);
    const clientId = String(body.client_id);
    const uri = String(body.registration_client_uri);
    let rat = String(body.registration_access_token);
    expect(uri).toBe(`${issuer}/reg/${clientId}`);
    expect(rat.length).toBeGreaterThan(20);
    const call = (method: string, bearer: string, payload?: unknown) =>
      fetch(uri, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        ...(payload ? { body: JSON.stringify(payload) } : {}),
      });

    const read = await call('GET', rat);
    expect(read.status).toBe(200);
    const readBody = await json(read);
    expect(readBody.client_id).toBe(clientId);
    expect(String(readBody.client_name)).toContain('managed agent'); // the Gatekeeper name, suffixed with the id
    expect((await call('GET', 'not-the-token')).status).toBe(401);
    // the initial access token is not a registration access token
    expect((await call('GET', token)).status).toBe(401);

    // an update under the same policy; the answer carries a new token, the old one is spent
    const update = {
      client_id: clientId,
      client_name: 'managed agent v2',
      redirect_uris: ['http://127.0.0.1:33419/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
    };
    const updated = await call('PUT', rat, update);
    expect(updated.status).toBe(200);
    const after = await json(updated);
    expect(after.redirect_uris).toEqual(['http://127.0.0.1:33419/callback']);
    expect(after.registration_access_token).not.toBe(rat);
    expect((await call('GET', rat)).status).toBe(401);
    rat = String(after.registration_access_token);
    const record = await t.services.clients.byClientId(tenantId, clientId);
    expect(record).toMatchObject({ dynamic: true, redirectUris: ['http://127.0.0.1:33419/callback'] });
    expect(record?.name).toContain('managed agent v2');

    // what the policy refuses at registration it refuses at an update, and nothing changes
    const secretHolding = await call('PUT', rat, {
      ...update,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(secretHolding.status).toBe(400);
    expect((await json(secretHolding)).error).toBe('invalid_client_metadata');
    const outside = await call('PUT', rat, { ...update, redirect_uris: ['https://evil.example/cb'] });
    expect(outside.status).toBe(400);
    expect((await t.services.clients.byClientId(tenantId, clientId))?.redirectUris).toEqual([
      'http://127.0.0.1:33419/callback',
    ]);

    // one client's token reaches no other client (and the library spends a token so misused)
    const other = await json(
      await register(
        { ...agentMetadata, client_name: 'other agent' },
        (await t.services.oidc.registration.issueToken(tenantId, 'agents', {}, SYSTEM)).token,
      ),
    );
    const otherUri = String(other.registration_client_uri);
    const otherRat = String(other.registration_access_token);
    const reach = (u: string, bearer: string) => fetch(u, { headers: { authorization: `Bearer ${bearer}` } });
    expect((await reach(uri, otherRat)).status).toBe(401);
    expect((await reach(otherUri, otherRat)).status).toBe(401);
    expect(await t.services.clients.byClientId(tenantId, String(other.client_id))).not.toBeNull();
    const deleted = await call('DELETE', rat);
    expect(deleted.status).toBe(204);
    expect(await t.services.clients.byClientId(tenantId, clientId)).toBeNull();
    expect((await call('GET', rat)).status).toBe(401);
  });
});
