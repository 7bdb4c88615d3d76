/**
 * A second Gatekeeper instance on the same database and shared state as a test app: what the
 * "every instance within a second" tests need. Returns its app and a close function.
 */
import { type App, buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/logger.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { createServices, type Services } from '../src/services.ts';
import type { TestRuntime } from './runtime.ts';

export interface SecondInstance {
  app: App;
  runtime: Runtime;
  services: Services;
  close(): Promise<void>;
}

export async function openSecondInstance(
  first: TestRuntime,
  extraEnv: Record<string, string> = {},
): Promise<SecondInstance> {
  const c = first.runtime.loaded.config;
  const env: Record<string, string> = {
    GATEKEEPER_DATABASE_URL: first.db.url,
    GATEKEEPER_MASTER_KEYS: c.masterKeys,
    GATEKEEPER_DATA_DIR: c.dataDir,
    GATEKEEPER_ARGON2_MEMORY_KIB: '1024',
    GATEKEEPER_ARGON2_ITERATIONS: '1',
    ...(c.redisUrl ? { GATEKEEPER_REDIS_URL: c.redisUrl, GATEKEEPER_REDIS_PREFIX: c.redisPrefix } : {}),
    ...extraEnv,
  };
  const runtime = await createRuntime(loadConfig({ env }), { logger: createLogger('silent') });
  const services = createServices(runtime);
  await services.start();
  const app = await buildApp(runtime, services);
  return {
    app,
    runtime,
    services,
    async close() {
      await app.close();
      await services.stop();
      await runtime.close();
    },
  };
}

/** Polls `probe` until it returns true or `ms` pass; resolves with the time it took (or -1). */
export async function within(ms: number, probe: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > ms) return -1;
    await new Promise((r) => setTimeout(r, 10));
  }
}
