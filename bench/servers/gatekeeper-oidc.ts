/**
 * Gatekeeper for the OIDC benchmark: the real server (`serve`) on a fresh embedded database with a
 * tenant `rs` (RS256 keys) and a tenant `es` (ES256 keys), each with a service client trusted by a
 * JWT resource server, and in `rs` an opaque resource server with one issued token to introspect.
 * Prints {"port":N,"rs":{…},"es":{…},"introspect":{…}} when ready.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../packages/server/src/config/load.ts';
import { generateFernetKey } from '../../packages/server/src/crypto/fernet.ts';
import { createLogger } from '../../packages/server/src/logger.ts';
import { serve, stopOnSignals } from '../../packages/server/src/main.ts';
import { createRuntime } from '../../packages/server/src/runtime.ts';
import { createServices, type Services } from '../../packages/server/src/services.ts';

const dir = mkdtempSync(join(tmpdir(), 'gk-bench-oidc-'));
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

async function seed(services: Services, slug: string, alg: 'RS256' | 'ES256', format: 'jwt' | 'opaque') {
  const tenant =
    (await services.tenants.resolve(slug).catch(() => null)) ??
    (await services.tenants.create({ slug, displayName: slug }, ctx));
  if ((await services.oidc.keys.list(tenant.id))[0]?.alg !== alg)
    await services.oidc.keys.rotate(tenant.id, { alg }, ctx);
  const { client, clientSecret } = await services.clients.create(
    tenant.id,
    { name: `svc-${format}`, grantTypes: ['client_credentials'] as never, scopes: [] },
    ctx,
  );
  const audience = `https://${format}.${slug}.bench/`;
  await services.oidc.resources.createResource(
    tenant.id,
    { identifier: audience, scopes: ['read'], tokenFormat: format },
    ctx,
  );
  await services.oidc.resources.createTrust(
    tenant.id,
    { client: client.id, resourceServer: audience, scopes: ['read'] },
    ctx,
  );
  return { clientId: client.clientId, clientSecret: clientSecret!, audience };
}

const rs = await seed(s, 'rs', 'RS256', 'jwt');
const es = await seed(s, 'es', 'ES256', 'jwt');
const opaque = await seed(s, 'rs', 'RS256', 'opaque');
await s.stop();
await rt.close();

const server = await serve(loaded);
stopOnSignals(server);
const port = Number(new URL(server.url).port);
const basic = `Basic ${Buffer.from(`${opaque.clientId}:${opaque.clientSecret}`).toString('base64')}`;
const issued = await fetch(`http://127.0.0.1:${port}/t/rs/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
  body: `grant_type=client_credentials&scope=read&resource=${encodeURIComponent(opaque.audience)}`,
});
const { access_token } = (await issued.json()) as { access_token: string };
// the bench measures the introspection of a valid token: check that it is one
const answer = await fetch(`http://127.0.0.1:${port}/t/rs/token/introspection`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
  body: `token=${access_token}`,
});
const { active } = (await answer.json()) as { active?: boolean };
if (active !== true) throw new Error('the opaque token to introspect is not active');
process.stdout.write(`${JSON.stringify({ port, rs, es, introspect: { ...opaque, token: access_token } })}\n`);
