/**
 * Gatekeeper for the /authz benchmark: the real server (`serve`) on a fresh embedded database with a
 * tenant `bench`, a service client with a service token and an HMAC secret, and a route granting it.
 * Prints {"port":N,"token":"gk_svc_…","clientId":"…","hmacSecret":"gk_hms_…"} when ready.
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
  },
});
const rt = await createRuntime(loaded, { logger: createLogger('warn'), warn: () => {} });
const s = createServices(rt);
await s.start();
const ctx = { actor: 'bench' };
const tenant = await s.tenants.create({ slug: 'bench', displayName: 'bench' }, ctx);
const { client } = await s.clients.create(tenant.id, { name: 'bench-svc' }, ctx);
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
process.stdout.write(
  `${JSON.stringify({ port: Number(new URL(server.url).port), token: token.secret, clientId: client.clientId, hmacSecret: hmac.secret })}\n`,
);
