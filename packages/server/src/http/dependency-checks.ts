/**
 * The health checks of each dependency (see health.ts for what /readyz and /healthz?full do with
 * them, docs/deployment.md "Outages" for the operator's view):
 * - `database` (required): the database answers; and when this instance's last write failed for
 *   lack of database or disk, a probe row commits again — so an embedded instance on a full disk is
 *   unready while its writes fail and ready again once they work, without a restart;
 * - `redis` (not required): Redis answers PING; while it does not, rate limits count in process and
 *   invalidations arrive through the change-feed poll, so the instance keeps serving;
 * - `disk` (embedded, not required): free space where the SQLite file lives, degraded below 64 MiB.
 */
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SharedState } from '../state/state.ts';
import type { Database } from '../storage/database.ts';
import type { ReadinessCheck } from './health.ts';

const LOW_DISK_BYTES = 64 * 1024 * 1024;

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB free`;
}

/** The checks for `database` and `state` (in that order). */
export function dependencyChecks(database: Database, state: SharedState): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [
    {
      name: 'database',
      async check() {
        await database.ping();
        const writes = database.writeHealth();
        if (writes.ok) return undefined;
        // writes failed since the last success: does one commit now?
        try {
          await database.probeWrite();
        } catch (err) {
          const since = new Date(writes.failingSince ?? Date.now()).toISOString();
          throw new Error(
            `writes fail since ${since} (${writes.dependency}): ${err instanceof Error ? err.message : String(err)}`,
          );
        }
        return 'writes work again';
      },
    },
  ];
  if (state.kind === 'redis') checks.push({ name: 'redis', required: false, check: () => state.ping() });
  const path = database.sqlitePath;
  if (path !== undefined) {
    checks.push({
      name: 'disk',
      required: false,
      async check() {
        const s = await statfs(dirname(path));
        const free = s.bavail * s.bsize;
        if (free < LOW_DISK_BYTES)
          throw new Error(`${mib(free)} where the database lives (${dirname(path)})`);
        return mib(free);
      },
    });
  }
  return checks;
}
