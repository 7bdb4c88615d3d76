/**
 * Gatekeeper for write benchmarks: like gatekeeper.ts, but first issues a root admin API token through
 * the same services the CLI uses, then serves. Prints {"port":N,"token":"gk_adm_…"} when ready.
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

const dir = process.env.GATEKEEPER_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'gk-bench-'));
const loaded = loadConfig({
  env: {
    GATEKEEPER_DATA_DIR: dir,
    GATEKEEPER_PORT: '0',
    GATEKEEPER_LOG_LEVEL: 'warn',
    GATEKEEPER_MASTER_KEYS: process.env.GATEKEEPER_MASTER_KEYS ?? generateFernetKey(),
    ...(process.env.GATEKEEPER_DATABASE_URL
      ? { GATEKEEPER_DATABASE_URL: process.env.GATEKEEPER_DATABASE_URL }
      : {}),
    ...(process.env.GATEKEEPER_REDIS_URL ? { GATEKEEPER_REDIS_URL: process.env.GATEKEEPER_REDIS_URL } : {}),
  },
});
const rt = await createRuntime(loaded, { logger: createLogger('warn'), warn: () => {} });
const services = createServices(rt);
await services.start();
const { secret } = await services.credentials.issue(
  { kind: 'adm', tenantId: null, ownerType: 'system', name: 'bench', abilities: ['*'] },
  { actor: 'bench' },
);
await services.stop();
await rt.close();

const server = await serve(loaded);
stopOnSignals(server);
process.stdout.write(`${JSON.stringify({ port: Number(new URL(server.url).port), token: secret })}\n`);
