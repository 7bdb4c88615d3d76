/**
 * Client ID Metadata Documents (the MCP authorization specification's preferred registration): a
 * client_id that is an https URL serving the client's metadata needs no registration. A real HTTPS
 * server on loopback with a self-signed certificate (made by openssl) serves the documents; the
 * provider fetches them through its outbound fetch, trusting that certificate
 * (`oidcOutboundCaFile`) and loopback (`oidcOutboundAllowPrivateAddresses`). The code flow with PKCE
 * completes, the ID token verifies with jose and the access token introspects as active; a document whose client_id differs from its URL, a
 * redirect URI the document does not list, an oversize document, a secret-holding client and a
 * non-https client_id are refused with the library's errors. Without the private-address setting,
 * the outbound fetch refuses loopback (SSRF protection).
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetadataDocumentServer, serveMetadataDocuments } from '../../../test/metadata-documents.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { freePort } from '../../../test/serve-process.ts';
import { PASSWORD, seedUser } from '../accounts/test-support.ts';
import { createOutboundFetch, isSpecialUseAddress } from './outbound-fetch.ts';
import { authorizeOverHttp, createHttpAgent } from './test-support.ts';

const REDIRECT = 'http://127.0.0.1:4567/cb';

describe('client ID metadata documents', () => {
  let t: TestRuntime;
  let docs: MetadataDocumentServer | undefined;
  let docsBase: string;
  let base: string;
  let issuer: string;
  let userId: string;
  let certFile: string;
  let fetched: string[] = [];

  beforeAll(async () => {
    docs = await serveMetadataDocuments({
      '/agent.json': (self) => ({
        client_id: self,
        client_name: 'Metadata agent',
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      }),
      '/mismatch.json': (_self, server) => ({
        client_id: `${server}/agent.json`,
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
      }),
      '/oversize.json': (self) => ({
        client_id: self,
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        client_name: 'x'.repeat(6 * 1024),
      }),
      '/secret.json': (self) => ({
        client_id: self,
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'client_secret_basic',
      }),
    });
    ({ base: docsBase, fetched, certFile } = docs);

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createTestRuntime({
      env: {
        GATEKEEPER_PUBLIC_URL: base,
        GATEKEEPER_OIDC_OUTBOUND_CA_FILE: certFile,
        GATEKEEPER_OIDC_OUTBOUND_ALLOW_PRIVATE_ADDRESSES: 'true',
      },
    });
    await t.app.listen({ host: '127.0.0.1', port });
    ({ userId } = await seedUser(t.services, 'mcp', 'mia', { email: 'mia@example.com' }));
    issuer = t.services.oidc.issuerOf('mcp');
  });
  afterAll(async () => {
    await t?.close();
    await docs?.close();
  });

  /** The authorization endpoint's answer for a client_id (the library's error page on a bad client). */
  async function authorize(clientId: string, redirectUri = REDIRECT) {
    const url = new URL(`${issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid',
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    }).toString();
    return url;
  }

  it('discovery says so, and an https client_id serving its metadata completes code + PKCE', async () => {
    const meta = (await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(meta.client_id_metadata_document_supported).toBe(true);
    const clientId = `${docsBase}/agent.json`;
    const config = await oauth.discovery(new URL(issuer), clientId, undefined, oauth.None(), {
      execute: [oauth.allowInsecureRequests],
    });
    const verifier = oauth.randomPKCECodeVerifier();
    const url = oauth.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await authorizeOverHttp(createHttpAgent(base), url.href, {
      redirectUri: REDIRECT,
      login: 'mia',
      password: PASSWORD,
    });
    expect(fetched).toContain('/agent.json');
    const tokens = await oauth.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${issuer}/jwks`)), {
      issuer,
      audience: clientId,
    });
    expect(payload).toMatchObject({ sub: userId, email: 'mia@example.com' });
    // its own token introspects as active (a public client may introspect its own tokens)
    const introspected = await oauth.tokenIntrospection(config, tokens.access_token);
    expect(introspected).toMatchObject({ active: true, client_id: clientId, sub: userId });
  });

  it('refuses a redirect URI the document does not list', async () => {
    const r = await fetch(await authorize(`${docsBase}/agent.json`, 'http://127.0.0.1:4567/elsewhere'), {
      redirect: 'manual',
    });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('invalid_redirect_uri');
  });

  it('refuses a document whose client_id is not its URL, an oversize one, and a secret-holding client', async () => {
    for (const [path, error] of [
      ['/mismatch.json', 'client_id metadata document client_id does not match'],
      ['/oversize.json', 'invalid_client'],
      ['/secret.json', 'must not use shared-secret token endpoint authentication'],
      ['/missing.json', 'invalid_client'],
    ] as const) {
      const r = await fetch(await authorize(`${docsBase}${path}`), { redirect: 'manual' });
      expect(r.status, path).toBe(400);
      expect(await r.text(), path).toContain(error);
    }
    expect(fetched).toEqual(expect.arrayContaining(['/mismatch.json', '/oversize.json', '/secret.json']));
  });

  it('does not treat a non-https client_id as a metadata document', async () => {
    const before = fetched.length;
    const r = await fetch(await authorize(`http://127.0.0.1:${new URL(docsBase).port}/agent.json`), {
      redirect: 'manual',
    });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('invalid_client');
    expect(fetched.length).toBe(before);
  });

  it('without oidcOutboundAllowPrivateAddresses the outbound fetch refuses loopback (SSRF)', async () => {
    expect(isSpecialUseAddress('127.0.0.1')).toBe(true);
    expect(isSpecialUseAddress('10.1.2.3')).toBe(true);
    expect(isSpecialUseAddress('::1')).toBe(true);
    expect(isSpecialUseAddress('93.184.215.14')).toBe(false);
    const guarded = createOutboundFetch({ caFile: certFile, allowPrivateAddresses: false })!;
    await expect(guarded(`${docsBase}/agent.json`, {})).rejects.toThrow(/special-use/);
    await expect(guarded(`https://localhost:${new URL(docsBase).port}/agent.json`, {})).rejects.toThrow();
    const open = createOutboundFetch({ caFile: certFile, allowPrivateAddresses: true })!;
    expect((await open(`${docsBase}/agent.json`, {})).status).toBe(200);
    expect(createOutboundFetch({ caFile: '', allowPrivateAddresses: false })).toBeUndefined();
  });
});
