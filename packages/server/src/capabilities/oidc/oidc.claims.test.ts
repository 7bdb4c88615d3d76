/**
 * Directory claims and per-client claim mapping, over real HTTP with openid-client as the relying
 * party and jose verifying every ID token against the tenant JWKS: `groups`, `roles` and
 * `organizations` (organizations and units with the roles held there) released by their scopes;
 * a client whose claim mapping includes claims without their scope and renames claims gets them
 * under its names — in the ID token and at userinfo — and never a protocol claim renamed; a bad
 * mapping is refused by the admin API with 400 and nothing is written.
 */
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { freePort } from '../../../test/serve-process.ts';
import { PASSWORD, seedUser } from '../accounts/test-support.ts';
import { authorizeOverHttp, createHttpAgent } from './test-support.ts';

const SYSTEM = { actor: 'system' };
const REDIRECT = 'http://localhost/cb';

describe('ID token claims: groups, roles, organizations, per-client mapping', () => {
  let t: AdminTestApp;
  let base: string;
  let issuer: string;
  let tenantId: string;
  let userId: string;
  let orgId: string;
  let unitId: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createAdminTestApp({ env: { GATEKEEPER_PUBLIC_URL: base } });
    await t.app.listen({ host: '127.0.0.1', port });
    ({ tenantId, userId } = await seedUser(t.services, 'corp', 'cleo', { email: 'cleo@example.com' }));
    const group = await t.services.groups.create(tenantId, { name: 'engineers' }, SYSTEM);
    await t.services.groups.addUser(tenantId, group.id, userId, SYSTEM);
    const role = await t.services.roles.create(
      tenantId,
      { name: 'analyst', permissions: ['reports:read'] },
      SYSTEM,
    );
    await t.services.roles.assignToUser(tenantId, userId, role.id, SYSTEM);
    for (const name of ['manager', 'seller'])
      await t.services.roles.create(tenantId, { name, permissions: [] }, SYSTEM);
    const org = await t.services.organizations.create(tenantId, { name: 'Acme' }, SYSTEM);
    const unit = await t.services.organizations.create(tenantId, { name: 'Sales', parentId: org.id }, SYSTEM);
    orgId = org.id;
    unitId = unit.id;
    await t.services.organizations.addMember(tenantId, org.id, userId, ['member'], SYSTEM);
    await t.services.organizations.addMember(tenantId, unit.id, userId, ['manager', 'seller'], SYSTEM);
    issuer = t.services.oidc.issuerOf('corp');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function client(body: Record<string, unknown>) {
    const r = await t.call('POST', '/api/v1/tenants/corp/clients', {
      body: { kind: 'public', redirectUris: [REDIRECT], firstParty: true, ...body },
    });
    expect(r.statusCode, r.body).toBe(201);
    const { client: c } = r.json();
    return oauth.discovery(new URL(issuer), c.clientId, undefined, oauth.None(), {
      execute: [oauth.allowInsecureRequests],
    });
  }

  async function signIn(config: oauth.Configuration, scope: string) {
    const verifier = oauth.randomPKCECodeVerifier();
    const url = oauth.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await authorizeOverHttp(createHttpAgent(base), url.href, {
      redirectUri: REDIRECT,
      login: 'cleo',
      password: PASSWORD,
    });
    const tokens = await oauth.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${issuer}/jwks`)), {
      issuer,
      audience: config.clientMetadata().client_id,
    });
    const userinfo = await oauth.fetchUserInfo(config, tokens.access_token, userId);
    return { idToken: payload, userinfo: userinfo as JWTPayload };
  }

  const organizations = () => [
    { id: orgId, name: 'Acme', kind: 'organization', roles: ['member'] },
    { id: unitId, name: 'Sales', kind: 'unit', roles: ['manager', 'seller'] },
  ];

  it('releases groups, roles and organizations when their scopes are granted', async () => {
    const config = await client({ name: 'portal', scopes: ['openid', 'groups', 'roles', 'organizations'] });
    const { idToken, userinfo } = await signIn(config, 'openid groups roles organizations');
    for (const claims of [idToken, userinfo]) {
      expect(claims.sub).toBe(userId);
      expect(claims.groups).toEqual(['engineers']);
      expect(claims.roles).toEqual(expect.arrayContaining(['analyst']));
      expect(claims.organizations).toEqual(expect.arrayContaining(organizations()));
    }
    // without the scopes: none of them
    const plain = await signIn(config, 'openid');
    expect(plain.idToken.groups).toBeUndefined();
    expect(plain.idToken.organizations).toBeUndefined();
  });

  it("a client's claim mapping includes claims without their scope and renames claims", async () => {
    const config = await client({
      name: 'legacy wiki',
      scopes: ['openid', 'email'],
      claimMapping: {
        include: ['groups', 'organizations'],
        rename: { groups: 'memberOf', email: 'mail', organizations: 'orgs' },
      },
    });
    const { idToken, userinfo } = await signIn(config, 'openid email');
    for (const claims of [idToken, userinfo]) {
      expect(claims.sub).toBe(userId);
      expect(claims.memberOf).toEqual(['engineers']);
      expect(claims.mail).toBe('cleo@example.com');
      expect(claims.orgs).toEqual(expect.arrayContaining(organizations()));
      expect(claims.email_verified).toBeDefined();
      for (const gone of ['groups', 'email', 'organizations', 'roles']) expect(claims[gone]).toBeUndefined();
    }
    expect(idToken.iss).toBe(issuer);
  });

  it('the mapping is set and cleared through the admin API; protocol claims cannot be renamed', async () => {
    for (const claimMapping of [
      { rename: { sub: 'user_id' } },
      { rename: { groups: 'sid' } },
      { rename: { groups: 'a', roles: 'a' } },
      { include: ['email'] },
      { rename: { 'bad name': 'x' } },
    ]) {
      const r = await t.call('POST', '/api/v1/tenants/corp/clients', {
        body: {
          name: `bad ${JSON.stringify(claimMapping)}`,
          kind: 'public',
          redirectUris: [REDIRECT],
          claimMapping,
        },
      });
      expect(r.statusCode, `${JSON.stringify(claimMapping)} ${r.body}`).toBe(400);
    }
    const list = await t.call('GET', '/api/v1/tenants/corp/clients?limit=50');
    expect(list.json().items.some((c: { name: string }) => c.name.startsWith('bad '))).toBe(false);

    const created = await t.call('POST', '/api/v1/tenants/corp/clients', {
      body: {
        name: 'grafana',
        redirectUris: ['https://grafana.example.com/cb'],
        claimMapping: { include: ['roles'] },
      },
    });
    const { client: c } = created.json();
    expect(c.claimMapping).toEqual({ include: ['roles'], rename: {} });
    const cleared = await t.call('PATCH', `/api/v1/tenants/corp/clients/${c.id}`, {
      body: { claimMapping: null },
      headers: { 'if-match': created.headers.etag as string },
    });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json().claimMapping).toBeNull();
  });
});
