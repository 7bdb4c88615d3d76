/**
 * Gatekeeper for benchmarks: the real server (`serve`) on an embedded database (a fresh temp dir unless
 * GATEKEEPER_DATA_DIR names one),
 * on a free port, logging at warn. Prints {"port":N} when ready.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../packages/server/src/config/load.ts';
import { generateFernetKey } from '../../packages/server/src/crypto/fernet.ts';
import { serve, stopOnSignals } from '../../packages/server/src/main.ts';

const dir = process.env.GATEKEEPER_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'gk-bench-'));
const loaded = loadConfig({
  env: {
    GATEKEEPER_DATA_DIR: dir,
    GATEKEEPER_PORT: '0',
    GATEKEEPER_LOG_LEVEL: process.env.GATEKEEPER_LOG_LEVEL ?? 'info',
    GATEKEEPER_MASTER_KEYS: process.env.GATEKEEPER_MASTER_KEYS ?? generateFernetKey(),
    ...(process.env.GATEKEEPER_DATABASE_URL
      ? { GATEKEEPER_DATABASE_URL: process.env.GATEKEEPER_DATABASE_URL }
      : {}),
  },
});
const server = await serve(loaded);
stopOnSignals(server);
process.stdout.write(`${JSON.stringify({ port: Number(new URL(server.url).port) })}\n`);
