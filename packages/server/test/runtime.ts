/**
 * Builds a real Gatekeeper runtime (and app) for tests on a fresh database of the given dialect, with
 * in-process or Redis shared state, a generated master key and a silent logger (or a captured one).
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type App, buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/load.ts';
import { generateFernetKey } from '../src/crypto/fernet.ts';
import { createLogger } from '../src/logger.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { createServices, type Services } from '../src/services.ts';
import { createTestDatabase, type DialectLabel, type TestDatabase } from './databases.ts';

export interface TestRuntime {
  runtime: Runtime;
  services: Services;
  app: App;
  db: TestDatabase;
  /** Log lines written so far (JSON strings). */
  logs: string[];
  close(): Promise<void>;
}

export interface TestRuntimeOptions {
  dialect?: DialectLabel;
  redis?: boolean;
  env?: Record<string, string>;
  masterKeys?: string;
}

export async function createTestRuntime(options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const db = await createTestDatabase(options.dialect ?? 'sqlite', { migrate: false });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const env: Record<string, string> = {
    GATEKEEPER_DATABASE_URL: db.url,
    GATEKEEPER_DATA_DIR: mkdtempSync(join(tmpdir(), 'gk-data-')),
    GATEKEEPER_MASTER_KEYS: options.masterKeys ?? generateFernetKey(),
    GATEKEEPER_LOG_LEVEL: 'info',
    GATEKEEPER_ARGON2_MEMORY_KIB: '1024',
    GATEKEEPER_ARGON2_ITERATIONS: '1',
    ...(options.redis && process.env.GATEKEEPER_TEST_REDIS_URL
      ? {
          GATEKEEPER_REDIS_URL: process.env.GATEKEEPER_TEST_REDIS_URL,
          GATEKEEPER_REDIS_PREFIX: `gk_test_${randomBytes(4).toString('hex')}:`,
        }
      : {}),
    ...options.env,
  };
  const loaded = loadConfig({ env });
  const logger = createLogger('info', sink);
  const runtime = await createRuntime(loaded, { logger, warn: (l) => logs.push(l) });
  const services = createServices(runtime);
  await services.start();
  const app = await buildApp(runtime, services);
  return {
    runtime,
    services,
    app,
    db,
    logs,
    async close() {
      await app.close();
      await services.stop();
      await runtime.close();
      await db.cleanup();
    },
  };
}
