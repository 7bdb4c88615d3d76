/**
 * Issue 6 §1: the audit log loses nothing a crash interrupts. Two real `gatekeeper serve` processes
 * on one PostgreSQL database and Redis take thousands of concurrent user creations; one is killed
 * with SIGKILL mid-burst. Every creation answered 201 — by either process, up to the last
 * millisecond before the kill — has exactly one audit event (matched by username and request id; the
 * survivor chains what the dead process left in the outbox), every stored user has one, the chain
 * verifies and is one chain: seq contiguous from 1, one genesis.
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
import { issueRootToken, spawnQuietServe, userCreationLoad } from '../faults.ts';
import { freshPostgresDatabase, freshRedisPrefix, type ServeProcess } from '../serve-process.ts';

const redisUrl = process.env.GATEKEEPER_TEST_REDIS_URL;

describe.skipIf(!dialectAvailable('postgres'))('kill -9 of one instance mid-burst', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  const procs: ServeProcess[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await db?.drop();
  });

  it('leaves every acknowledged change with exactly one audit event in one verifiable chain', async () => {
    db = await freshPostgresDatabase();
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
        GATEKEEPER_DATA_DIR: mkdtempSync(join(tmpdir(), `gk-crash-${i}-`)),
      });
      procs.push(server);
      ports.push(port);
    }
    const token = await issueRootToken(env);

    const load = userCreationLoad({ ports, token, concurrency: 8, maxPerInstance: 1500, prefix: 'crash' });
    // kill the first instance once it has acknowledged a few hundred writes, with its 8 loops in flight
    const acked = () => load.shots.filter((s) => s.instance === 0 && s.status === 201).length;
    const until = Date.now() + 120_000; // a loaded machine: the kill waits for the acks, not a clock
    while (acked() < 300 && Date.now() < until) await sleep(10);
    procs[0]!.child.kill('SIGKILL');
    const killedAt = performance.now() - load.startedAt;
    await procs[0]!.exited;
    await load.done;

    const acknowledged = load.shots.filter((s) => s.status === 201);
    const byInstance = [0, 1].map((i) => acknowledged.filter((s) => s.instance === i).length);
    expect(byInstance[0]).toBeGreaterThanOrEqual(300);
    expect(byInstance[1]).toBe(1500);
    expect(acknowledged.length).toBeGreaterThanOrEqual(1800);
    // nothing but 201 and (for the dead one) connection errors
    expect(load.shots.filter((s) => s.status !== 201 && s.status !== 0)).toEqual([]);

    // the survivor chains what the dead process committed (its outbox poll runs every second)
    const outboxEmpty = async () =>
      Number((await db!.query<{ n: number }>('select count(*)::int as n from audit_outbox'))[0]!.n) === 0;
    for (let i = 0; i < 100 && !(await outboxEmpty()); i++) await sleep(100);
    expect(await outboxEmpty()).toBe(true);

    const events = await db!.query<{ data: string; request_id: string | null }>(
      "select data, request_id from audit_log where action = 'user.created'",
    );
    const eventsOf = new Map<string, string[]>();
    for (const e of events) {
      const username = (JSON.parse(e.data) as { username: string }).username;
      eventsOf.set(username, [...(eventsOf.get(username) ?? []), e.request_id ?? '']);
    }
    const missing = acknowledged.filter((s) => eventsOf.get(s.key)?.length !== 1);
    expect(missing.map((s) => s.key)).toEqual([]);
    for (const s of acknowledged) expect(eventsOf.get(s.key)).toEqual([s.requestId]);
    const users = await db!.query<{ username: string }>(
      "select username from users where username like 'crash-%'",
    );
    for (const u of users) expect(eventsOf.get(u.username)?.length, u.username).toBe(1);
    expect(eventsOf.size).toBe(users.length);

    // one chain: contiguous seq from 1, one genesis, verified
    const seqs = await db!.query<{ min: number; max: number; n: number; genesis: number }>(
      "select min(seq)::int as min, max(seq)::int as max, count(*)::int as n, count(*) filter (where action = 'audit.genesis')::int as genesis from audit_log",
    );
    expect(seqs[0]).toMatchObject({ min: 1, genesis: 1 });
    expect(seqs[0]!.max).toBe(seqs[0]!.n);
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
      expect(report.headSeq).toBe(seqs[0]!.max);
    } finally {
      await rt.close();
    }
    const inFlight = load.shots.filter((s) => s.instance === 0 && s.status === 0).length;
    console.info(
      `crash figures: ${JSON.stringify({
        acknowledged: byInstance,
        killedAtMs: Math.round(killedAt),
        inFlightAtKill: inFlight,
        storedButUnacknowledged: users.length - acknowledged.length,
        chainEntries: seqs[0]!.n,
      })}`,
    );
  }, 240_000);
});
