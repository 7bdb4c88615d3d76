/**
 * A tenant decides which Client ID Metadata Document clients it accepts (registration.ts): any https
 * client_id by default; only those matching its client_id patterns (a document outside them is not
 * even fetched); none at all (discovery then stops announcing them); and never a blocked one. A
 * block takes effect at once for a client already in use: its next authorization request, its
 * refresh token and its JWT access token at `/authz` are all refused; unblocked, it works again. Bad policy input is a 400 that writes nothing. A real HTTPS server on loopback
 * serves the documents; openid-client is the relying party.
 */
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { type MetadataDocumentServer, serveMetadataDocuments } from '../../../test/metadata-documents.ts';
import { freePort } from '../../../test/serve-process.ts';
import { PASSWORD, seedUser } from '../accounts/test-support.ts';
import { askNginx } from '../gateway/test-support.ts';
import { authorizeWithPkce } from './test-support.ts';

const SYSTEM = { actor: 'system' };
const REDIRECT = 'http://127.0.0.1:4567/cb';
const AUDIENCE = 'https://tools.example/';

describe('which Client ID Metadata Document clients a tenant accepts', () => {
  let t: AdminTestApp;
  let docs: MetadataDocumentServer | undefined;
  let docsBase: string;
  let base: string;
  let issuer: string;
  let agentId: string;
  let fetched: string[] = [];

  beforeAll(async () => {
    docs = await serveMetadataDocuments({
      '/agent.json': (self) => ({
        client_id: self,
        client_name: 'Metadata agent',
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      }),
      '/other.json': (self) => ({
        client_id: self,
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
      }),
    });
    ({ base: docsBase, fetched } = docs);
    agentId = `${docsBase}/agent.json`;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createAdminTestApp({
      env: {
        GATEKEEPER_PUBLIC_URL: base,
        GATEKEEPER_OIDC_OUTBOUND_CA_FILE: docs.certFile,
        GATEKEEPER_OIDC_OUTBOUND_ALLOW_PRIVATE_ADDRESSES: 'true',
        GATEKEEPER_OIDC_KEY_PUBLISH_LEAD_SECONDS: '0',
      },
    });
    await t.app.listen({ host: '127.0.0.1', port });
    const { tenantId, userId } = await seedUser(t.services, 'mcp', 'mia', { email: 'mia@example.com' });
    issuer = t.services.oidc.issuerOf('mcp');
    await t.services.oidc.resources.createResource(
      tenantId,
      { identifier: AUDIENCE, scopes: ['tools:run'], tokenFormat: 'jwt' },
      SYSTEM,
    );
    const route = await t.services.gateway.config.createRoute(
      tenantId,
      { host: 'tools.example.com', path: '/tools/*', auth: { GET: ['jwt'] }, audience: AUDIENCE },
      SYSTEM,
    );
    await t.services.gateway.config.grant(
      tenantId,
      { routeId: route.id, subjectType: 'user', subject: userId, methods: ['GET'] },
      SYSTEM,
    );
  });
  afterAll(async () => {
    await t?.close();
    await docs?.close();
  });

  const policy = async (body?: Record<string, unknown>) => {
    const r = body
      ? await t.call('PUT', '/api/v1/tenants/mcp/client-registration', { body })
      : await t.call('GET', '/api/v1/tenants/mcp/client-registration');
    return { status: r.statusCode, body: r.json() };
  };
  const configFor = (clientId: string) =>
    oauth.discovery(new URL(issuer), clientId, undefined, oauth.None(), {
      execute: [oauth.allowInsecureRequests],
    });
  /** The authorization endpoint's status and body for a client (the library's error page when refused). */
  async function authorizeStatus(clientId: string) {
    const url = new URL(`${issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    }).toString();
    const r = await fetch(url, { redirect: 'manual' });
    return { status: r.status, text: await r.text() };
  }
  async function signIn(config: oauth.Configuration) {
    const { callback, verifier } = await authorizeWithPkce(config, {
      base,
      redirectUri: REDIRECT,
      login: 'mia',
      password: PASSWORD,
      params: { scope: 'openid offline_access tools:run', resource: AUDIENCE, prompt: 'consent' },
    });
    return oauth.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: verifier },
      { resource: AUDIENCE },
    );
  }
  const atAuthz = async (token: string) => {
    const r = await askNginx(t.app, 'mcp', {
      host: 'tools.example.com',
      uri: '/tools/x',
      headers: { authorization: `Bearer ${token}` },
    });
    return r.statusCode === 200 ? 'allowed' : String(r.headers['x-authz-reason']);
  };

  it('accepts any https client_id by default, and says so in discovery and the policy', async () => {
    const current = await policy();
    expect(current.body).toMatchObject({
      metadataDocuments: true,
      metadataDocumentPatterns: [],
      blockedMetadataClients: [],
    });
    const meta = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(meta.client_id_metadata_document_supported).toBe(true);
    expect((await authorizeStatus(`${docsBase}/other.json`)).status).toBe(303);
  });

  it('a block ends a client in use at once — authorization, refresh, /authz — and an unblock restores it', async () => {
    const config = await configFor(agentId);
    const tokens = await signIn(config);
    expect(await atAuthz(tokens.access_token)).toBe('allowed');
    const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token!, { resource: AUDIENCE });

    const blocked = await policy({ blockedMetadataClients: [agentId] });
    expect(blocked.status).toBe(200);
    expect(blocked.body.blockedMetadataClients).toEqual([agentId]);

    const refused = await authorizeStatus(agentId);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('invalid_client');
    const refresh = await oauth
      .refreshTokenGrant(config, refreshed.refresh_token!, { resource: AUDIENCE })
      .catch((e: unknown) => e);
    expect((refresh as oauth.ResponseBodyError).error).toBe('invalid_client');
    expect(await atAuthz(refreshed.access_token)).toBe('client_disabled');
    // another metadata-document client is not touched
    expect((await authorizeStatus(`${docsBase}/other.json`)).status).toBe(303);

    expect((await policy({ blockedMetadataClients: [] })).status).toBe(200);
    expect(await atAuthz(refreshed.access_token)).toBe('allowed');
    expect((await authorizeStatus(agentId)).status).toBe(303);
  });

  it('only client_ids under the patterns are fetched at all', async () => {
    expect((await policy({ metadataDocumentPatterns: ['https://agents.example.com/*'] })).status).toBe(200);
    const before = fetched.length;
    const r = await authorizeStatus(`${docsBase}/other.json?fresh=1`);
    expect(r.status).toBe(400);
    expect(r.text).toContain('invalid_client');
    expect(fetched.length).toBe(before);
    const port = new URL(docsBase).port;
    const host = new URL(docsBase).hostname;
    expect((await policy({ metadataDocumentPatterns: [`https://${host}:${port}/other*`] })).status).toBe(200);
    expect((await authorizeStatus(`${docsBase}/other.json`)).status).toBe(303);
    expect((await authorizeStatus(agentId)).status).toBe(400);
    expect((await policy({ metadataDocumentPatterns: [] })).status).toBe(200);
  });

  it('refused altogether: no client, and discovery stops announcing them', async () => {
    expect((await policy({ metadataDocuments: false })).status).toBe(200);
    expect((await authorizeStatus(agentId)).status).toBe(400);
    const meta = (await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(meta.client_id_metadata_document_supported).toBeUndefined();
    expect((await policy({ metadataDocuments: true })).status).toBe(200);
    expect((await authorizeStatus(agentId)).status).toBe(303);
  });

  it('refuses bad policy input with 400 and writes nothing', async () => {
    const { version } = (await policy()).body as { version: number };
    for (const body of [
      { metadataDocumentPatterns: ['http://agents.example.com/*'] },
      { metadataDocumentPatterns: ['https://*.example.com/'] },
      { metadataDocumentPatterns: ['not a pattern'] },
      { blockedMetadataClients: ['http://agents.example.com/a.json'] },
      { blockedMetadataClients: ['agents.example.com'] },
      { blockedMetadataClients: ['https://agents.example.com/a.json#x'] },
      { blockedMetadataClients: [`https://a.example/${'x'.repeat(2100)}`] },
      { metadataDocuments: 'yes' },
    ]) {
      const r = await policy(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code, JSON.stringify(body)).toBe('validation_failed');
    }
    expect((await policy()).body.version).toBe(version);
  });
});
