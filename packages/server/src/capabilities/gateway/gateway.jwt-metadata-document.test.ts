/**
 * The `jwt` mode through `/authz` for a client known only by its Client ID Metadata Document (no
 * client record; its client_id is the https URL of its metadata): a user's access token of such a
 * client is allowed while the tenant's provider accepts the document — served by a real HTTPS server
 * on loopback with an openssl self-signed certificate, fetched through the outbound fetch — and names
 * the URL as X-Client-ID. A URL that serves no document, a document naming another client_id, and a
 * service token (sub = client_id) of a metadata document client are `client_disabled`.
 */
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetadataDocumentServer, serveMetadataDocuments } from '../../../test/metadata-documents.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { seedUser } from '../accounts/test-support.ts';
import { type ServiceSetup, setUpService } from '../oidc/test-support.ts';
import { askNginx, ctx } from './test-support.ts';

describe('/authz jwt: Client ID Metadata Document clients', () => {
  let t: TestRuntime;
  let s: ServiceSetup;
  let docs: MetadataDocumentServer | undefined;
  let docsBase: string;
  let userId: string;
  let fetched: string[] = [];

  beforeAll(async () => {
    docs = await serveMetadataDocuments({
      '/agent.json': (self) => ({
        client_id: self,
        client_name: 'Metadata agent',
        redirect_uris: ['http://127.0.0.1:4567/cb'],
        token_endpoint_auth_method: 'none',
      }),
      '/mismatch.json': (_self, server) => ({
        client_id: `${server}/agent.json`,
        redirect_uris: ['http://127.0.0.1:4567/cb'],
        token_endpoint_auth_method: 'none',
      }),
    });
    ({ base: docsBase, fetched } = docs);

    t = await createTestRuntime({
      env: {
        GATEKEEPER_OIDC_OUTBOUND_CA_FILE: docs.certFile,
        GATEKEEPER_OIDC_OUTBOUND_ALLOW_PRIVATE_ADDRESSES: 'true',
      },
    });
    s = await setUpService(t.services, { slug: 'mcp' });
    ({ userId } = await seedUser(t.services, 'mcp', 'mia'));
    const route = await t.services.gateway.config.createRoute(
      s.tenantId,
      { host: 'tools.example.com', path: '/tools/*', auth: { GET: ['jwt'] }, audience: s.audience },
      ctx,
    );
    await t.services.gateway.config.grant(
      s.tenantId,
      { routeId: route.id, subjectType: 'user', subject: userId, methods: ['GET'] },
      ctx,
    );
  });
  afterAll(async () => {
    await t?.close();
    await docs?.close();
  });

  /** An access token as the tenant issues it (its current key, `at+jwt`), for the route's audience. */
  const token = async (claims: Record<string, unknown>) => {
    const keySet = await t.services.oidc.keys.keySet(s.tenantId);
    const jwk = keySet.keys[0]!;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: s.issuer,
      aud: s.audience,
      sub: userId,
      scope: 'orders:read',
      jti: `j${Math.random()}`,
      iat: now,
      exp: now + 300,
      ...claims,
    })
      .setProtectedHeader({ alg: keySet.alg, typ: 'at+jwt', kid: jwk.kid })
      .sign(await importJWK(jwk, keySet.alg));
  };
  const ask = async (bearer: string) =>
    askNginx(t.app, s.slug, {
      host: 'tools.example.com',
      uri: '/tools/search',
      headers: { authorization: `Bearer ${bearer}` },
    });

  it("allows a user's token of a metadata document client and names its URL as the client", async () => {
    const clientId = `${docsBase}/agent.json`;
    expect(await t.services.clients.byClientId(s.tenantId, clientId)).toBeNull();
    const r = await ask(await token({ client_id: clientId }));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['x-client-id']).toBe(clientId);
    expect(r.headers['x-user-id']).toBe(userId);
    expect(fetched).toContain('/agent.json');
    // the document is cached as its Cache-Control says: a second request fetches nothing
    const before = fetched.length;
    expect((await ask(await token({ client_id: clientId }))).statusCode).toBe(200);
    expect(fetched.length).toBe(before);
  });

  it('refuses a URL serving no document, and a document naming another client_id (client_disabled)', async () => {
    for (const path of ['/missing.json', '/mismatch.json']) {
      const r = await ask(await token({ client_id: `${docsBase}${path}` }));
      expect(r.statusCode, path).toBe(401);
      expect(r.headers['x-authz-reason'], path).toBe('client_disabled');
    }
  });

  it('refuses a service token of a metadata document client: service tokens need a client record', async () => {
    const clientId = `${docsBase}/agent.json`;
    const r = await ask(await token({ client_id: clientId, sub: clientId }));
    expect(r.statusCode).toBe(401);
    expect(r.headers['x-authz-reason']).toBe('client_disabled');
    const delegated = await ask(await token({ client_id: clientId, act: { sub: 'someone' } }));
    expect(delegated.headers['x-authz-reason']).toBe('client_disabled');
  });
});
