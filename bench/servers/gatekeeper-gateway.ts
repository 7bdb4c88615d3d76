/**
 * Gatekeeper for the /authz benchmark: the real server (`serve`) on a fresh embedded database with a
 * tenant `bench`, a service client with a service token, an HMAC secret and a trust link to a JWT
 * resource server, a route granting it for api_key/hmac and one for jwt (its access token issued by
 * the server itself after start). Prints {"port":N,"token":"gk_svc_…","clientId":"…",
 * "hmacSecret":"gk_hms_…","accessToken":"ey…"} when ready.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../packages/server/src/config/load.ts';
import { generateFernetKey } from '../../packages/server/src/crypto/fernet.ts';
import { createLogger } from '../../packages/server/src/logger.ts';
import { serve, stopOnSignals } from '../../packages/server/src/main.ts';
import { createRuntime } from '../../packages/server/src/runtime.ts';
import { createServices } from '../../packages/server/src/services.ts';

const dir = mkdtempSync(join(tmpdir(), 'gk-bench-gw-'));
const loaded = loadConfig({
  env: {
    GATEKEEPER_DATA_DIR: dir,
    GATEKEEPER_PORT: '0',
    GATEKEEPER_LOG_LEVEL: 'warn',
    GATEKEEPER_MASTER_KEYS: generateFernetKey(),
    GATEKEEPER_OIDC_KEY_PUBLISH_LEAD_SECONDS: '0',
  },
});
const rt = await createRuntime(loaded, { logger: createLogger('warn'), warn: () => {} });
const s = createServices(rt);
await s.start();
const ctx = { actor: 'bench' };
const tenant = await s.tenants.create({ slug: 'bench', displayName: 'bench' }, ctx);
const { client, clientSecret } = await s.clients.create(
  tenant.id,
  { name: 'bench-svc', grantTypes: ['client_credentials'] as never, scopes: [] },
  ctx,
);
// a resource server the client is trusted for: its access tokens are what the jwt route takes
const audience = 'https://jwt.example.com/';
await s.oidc.resources.createResource(
  tenant.id,
  { identifier: audience, scopes: ['data:read'], tokenFormat: 'jwt' },
  ctx,
);
await s.oidc.resources.createTrust(
  tenant.id,
  { client: client.id, resourceServer: audience, scopes: ['data:read'] },
  ctx,
);
const jwtRoute = await s.gateway.config.createRoute(
  tenant.id,
  { host: 'jwt.example.com', path: '/v1/{resource}/*', auth: { GET: ['jwt', 'api_key'] }, audience },
  ctx,
);
await s.gateway.config.grant(
  tenant.id,
  { routeId: jwtRoute.id, subjectType: 'client', subject: client.id, methods: ['GET'] },
  ctx,
);
const token = await s.apiTokens.create(
  tenant.id,
  { owner: { type: 'client', id: client.id }, name: 'bench', scopes: ['data:read'] },
  ctx,
);
const hmac = await s.gateway.hmacSecrets.create(tenant.id, client.id, {}, ctx);
for (let i = 0; i < 50; i++)
  await s.gateway.config.createRoute(
    tenant.id,
    { host: `svc${i}.example.com`, path: '/v1/*', auth: { '*': ['api_key'] } },
    ctx,
  );
const route = await s.gateway.config.createRoute(
  tenant.id,
  { host: 'api.example.com', path: '/v1/{resource}/*', auth: { GET: ['api_key', 'hmac'] } },
  ctx,
);
await s.gateway.config.grant(
  tenant.id,
  { routeId: route.id, subjectType: 'client', subject: client.id, methods: ['GET'] },
  ctx,
);
await s.stop();
await rt.close();

const server = await serve(loaded);
stopOnSignals(server);
const port = Number(new URL(server.url).port);
const issued = await fetch(`http://127.0.0.1:${port}/t/bench/token`, {
  method: 'POST',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: `Basic ${Buffer.from(`${client.clientId}:${clientSecret}`).toString('base64')}`,
  },
  body: `grant_type=client_credentials&scope=data:read&resource=${encodeURIComponent(audience)}`,
});
const { access_token: accessToken } = (await issued.json()) as { access_token: string };
process.stdout.write(
  `${JSON.stringify({ port, token: token.secret, clientId: client.clientId, hmacSecret: hmac.secret, accessToken })}\n`,
);
