/**
 * Issue 7, PostgreSQL: two real `gatekeeper serve` processes under concurrent user creations while
 * their database "restarts" (new connections refused and every open one killed with
 * pg_terminate_backend for two seconds, as clients see a restart: 57P01, then refused connects).
 * Both processes stay up; requests in the gap get 503 problem+json `service_unavailable` with
 * Retry-After, never a 500; writes succeed again right after; every acknowledged write has exactly
 * one audit event (and every stored user too); the chain verifies. A valid token presented for the
 * first time during the outage gets 503s, never counts as a failed authentication, and works after.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/capabilities/audit/verify.ts';
import { loadConfig } from '../../src/config/load.ts';
import { generateFernetKey } from '../../src/crypto/fernet.ts';
import { createLogger } from '../../src/logger.ts';
import { createRuntime } from '../../src/runtime.ts';
import { dialectAvailable } from '../databases.ts';
import { issueRootToken, restartDatabase, spawnQuietServe, userCreationLoad } from '../faults.ts';
import { freshPostgresDatabase, freshRedisPrefix, type ServeProcess } from '../serve-process.ts';

const redisUrl = process.env.GATEKEEPER_TEST_REDIS_URL;
const GAP_MS = 2000;

describe.skipIf(!dialectAvailable('postgres'))('a PostgreSQL restart under load', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  const procs: ServeProcess[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await db?.drop();
  });

  it('two instances stay up, answer 503 in the gap and 2xx after, and audit every acknowledged write', async () => {
    db = await freshPostgresDatabase();
    const name = new URL(db!.url).pathname.slice(1);
    const env = {
      GATEKEEPER_DATABASE_URL: db!.url,
      GATEKEEPER_MASTER_KEYS: generateFernetKey(),
      ...(redisUrl ? { GATEKEEPER_REDIS_URL: redisUrl, GATEKEEPER_REDIS_PREFIX: freshRedisPrefix() } : {}),
    };
    // two instances, started one after the other (the first migrates), at log level warn
    const ports: number[] = [];
    for (let i = 0; i < 2; i++) {
      const { server, port } = await spawnQuietServe({
        ...env,
        GATEKEEPER_DATA_DIR: mkdtempSync(join(tmpdir(), `gk-pg-${i}-`)),
      });
      procs.push(server);
      ports.push(port);
    }
    const token = await issueRootToken(env);
    const fresh = await issueRootToken(env); // never used before the outage: not cached anywhere

    const load = userCreationLoad({ ports, token, concurrency: 3, maxPerInstance: 50_000, prefix: 'pg' });
    await sleep(1000);
    const gapStart = performance.now() - load.startedAt;
    const restart = restartDatabase(name, GAP_MS);
    await sleep(GAP_MS / 3);
    const freshDuringGap = await Promise.all(
      Array.from({ length: 25 }, async () => {
        const r = await fetch(`http://127.0.0.1:${ports[0]}/api/v1/tenants`, {
          headers: { authorization: `Bearer ${fresh}` },
        });
        return r.status;
      }),
    );
    await restart;
    const gapEnd = performance.now() - load.startedAt;
    await sleep(2000);
    load.stop();
    await load.done;

    // both processes are still up
    for (const p of procs) expect(p.child.exitCode, p.stderr().slice(-2000)).toBeNull();
    const statuses = new Map<number, number>();
    for (const s of load.shots) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
    expect([...statuses.keys()].sort()).toEqual([201, 503]);
    for (const s of load.shots.filter((x) => x.status === 503)) {
      expect(s.code).toBe('service_unavailable');
      expect(Number(s.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // the valid token looked up during the outage: 503, not 401, and not counted as a failure
    expect(freshDuringGap).toContain(503);
    expect(freshDuringGap.filter((st) => st !== 503 && st !== 200)).toEqual([]); // (200: answered after the gap)
    for (const port of ports) {
      const after = await fetch(`http://127.0.0.1:${port}/api/v1/tenants`, {
        headers: { authorization: `Bearer ${fresh}` },
      });
      expect(after.status).toBe(200);
    }
    // recovery: each instance acknowledges writes again shortly after the gap
    const recovery = ports.map((_, i) => {
      const first = load.shots.find((s) => s.instance === i && s.status === 201 && s.at >= gapEnd);
      return first ? Math.round(first.at + first.ms - gapEnd) : -1;
    });
    for (const ms of recovery) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(5000);
    }

    // every acknowledged write — and every stored user — has exactly one audit event
    const outboxEmpty = async () =>
      Number((await db!.query<{ n: number }>('select count(*)::int as n from audit_outbox'))[0]!.n) === 0;
    for (let i = 0; i < 100 && !(await outboxEmpty()); i++) await sleep(100);
    expect(await outboxEmpty()).toBe(true);
    const events = await db!.query<{ data: string; request_id: string | null }>(
      "select data, request_id from audit_log where action = 'user.created'",
    );
    const eventsOf = new Map<string, number>();
    for (const e of events) {
      const username = (JSON.parse(e.data) as { username: string }).username;
      eventsOf.set(username, (eventsOf.get(username) ?? 0) + 1);
    }
    const acknowledged = load.shots.filter((s) => s.status === 201);
    for (const s of acknowledged) expect(eventsOf.get(s.key), s.key).toBe(1);
    const users = await db!.query<{ username: string }>(
      "select username from users where username like 'pg-%'",
    );
    for (const u of users) expect(eventsOf.get(u.username), u.username).toBe(1);
    expect(eventsOf.size).toBe(users.length);

    const rt = await createRuntime(
      loadConfig({ env: { ...env, GATEKEEPER_DATA_DIR: mkdtempSync(join(tmpdir(), 'gk-verify-')) } }),
      { logger: createLogger('silent'), role: 'read-only', migrate: false },
    );
    try {
      const report = await verifyChain({
        database: rt.database,
        checkpointKeys: rt.keyring.deriveKeys('audit-checkpoint'),
      });
      expect(report.ok, JSON.stringify(report.problem)).toBe(true);
    } finally {
      await rt.close();
    }

    const inGap = load.shots.filter((s) => s.at >= gapStart && s.at <= gapEnd);
    console.info(
      `postgres restart figures: ${JSON.stringify({
        requests: load.shots.length,
        statuses: Object.fromEntries(statuses),
        acknowledged: acknowledged.length,
        unacknowledgedButStored: users.length - acknowledged.length,
        gapMs: Math.round(gapEnd - gapStart),
        worstLatencyMs: Math.round(Math.max(...load.shots.map((s) => s.ms))),
        worstLatencyInGapMs: Math.round(Math.max(0, ...inGap.map((s) => s.ms))),
        recoveryAfterGapMs: recovery,
        freshTokenDuringGap: [...new Set(freshDuringGap)],
      })}`,
    );
  }, 60_000);
});
