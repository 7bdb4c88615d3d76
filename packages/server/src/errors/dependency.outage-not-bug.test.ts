/**
 * The errors each real driver raises in an outage are told apart from bugs and bad input (and map to
 * a 503 with Retry-After at the HTTP edge): pg on a killed connection (57P01) and on a refused port,
 * node:sqlite on a full database, ioredis on a stopped and on a paused server. A constraint violation
 * or a plain bug is not an outage.
 */
import { DatabaseSync } from 'node:sqlite';
import Fastify from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectAvailable, type TestDatabase } from '../../test/databases.ts';
import { type PrivateRedis, startPrivateRedis, terminateConnections } from '../../test/faults.ts';
import { freePort } from '../../test/serve-process.ts';
import { registerProblemHandlers } from '../http/problem.ts';
import { createRedisState } from '../state/redis-state.ts';
import { DependencyError, unavailableDependency } from './dependency.ts';

async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('outages are told apart from bugs', () => {
  it('node:sqlite: a full database is the disk; a constraint violation is not an outage', async () => {
    const db = new DatabaseSync(':memory:');
    db.exec('create table t (x text unique)');
    db.exec('pragma max_page_count = 3');
    const full = await caught(() => {
      for (let i = 0; i < 1000; i++) db.prepare('insert into t values (?)').run('x'.repeat(1000) + i);
    });
    expect(unavailableDependency(full)).toBe('disk');
    db.exec('pragma max_page_count = 1000');
    db.exec("insert into t values ('same')");
    expect(
      unavailableDependency(await caught(() => db.exec("insert into t values ('same')"))),
    ).toBeUndefined();
    db.close();
  });

  it('plain bugs, and an outage wrapped as a cause', () => {
    expect(unavailableDependency(new TypeError('x is undefined'))).toBeUndefined();
    expect(unavailableDependency(new Error('boom', { cause: new DependencyError('redis', 'down') }))).toBe(
      'redis',
    );
    expect(unavailableDependency(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))).toBe('disk');
  });

  describe.skipIf(!dialectAvailable('postgres'))('pg', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase('postgres', { migrate: false });
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it('a connection killed mid-query (57P01) and a refused connect are the database', async () => {
      const client = new pg.Client({ connectionString: t.url });
      await client.connect();
      client.on('error', () => {});
      const running = caught(() => client.query('select pg_sleep(5)'));
      await new Promise((r) => setTimeout(r, 100));
      await terminateConnections(new URL(t.url).pathname.slice(1));
      expect(unavailableDependency(await running)).toBe('database');
      await client.end().catch(() => {});
      const refused = new pg.Client({
        connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/x`,
      });
      expect(unavailableDependency(await caught(() => refused.connect()))).toBe('database');
      const unique = new pg.Client({ connectionString: t.url });
      await unique.connect();
      await unique.query('create table u (x int primary key)');
      await unique.query('insert into u values (1)');
      expect(
        unavailableDependency(await caught(() => unique.query('insert into u values (1)'))),
      ).toBeUndefined();
      await unique.end();
    });

    it('the pool of openDatabase survives its connections being killed, idle or in use', async () => {
      const other = await t.openAnother();
      const { sql } = await import('kysely');
      await sql`select 1`.execute(other.db);
      const inUse = caught(() => sql`select pg_sleep(5)`.execute(other.db));
      await new Promise((r) => setTimeout(r, 100));
      expect(await terminateConnections(new URL(t.url).pathname.slice(1))).toBeGreaterThan(0);
      expect(unavailableDependency(await inUse)).toBe('database');
      await new Promise((r) => setTimeout(r, 100));
      // the process is still here, and the next query reconnects
      expect((await sql<{ n: number }>`select 1 as n`.execute(other.db)).rows[0]?.n).toBe(1);
    });
  });

  describe('ioredis', () => {
    let redis: PrivateRedis;
    beforeAll(async () => {
      redis = await startPrivateRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    it('a paused server (command timeout) and a stopped one (no offline queue) are Redis', async () => {
      const state = await createRedisState({ url: redis.url, prefix: 'gk-dep:', commandTimeoutMs: 200 });
      try {
        redis.pause();
        expect(unavailableDependency(await caught(() => state.get('k')))).toBe('redis');
        redis.resume();
        await redis.stop();
        await new Promise((r) => setTimeout(r, 100));
        expect(unavailableDependency(await caught(() => state.get('k')))).toBe('redis');
      } finally {
        await state.close();
        await redis.start();
      }
    });
  });

  it('the HTTP edge answers an outage 503 problem+json with Retry-After, a bug 500', async () => {
    const app = Fastify();
    registerProblemHandlers(app);
    app.get('/down', async () => {
      throw new DependencyError('database', 'Connection terminated unexpectedly');
    });
    app.get('/full', async () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 });
    });
    app.get('/bug', async () => {
      throw new TypeError('x is undefined');
    });
    const down = await app.inject('/down');
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('1');
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.json()).toMatchObject({ code: 'service_unavailable', dependency: 'database' });
    const full = await app.inject('/full');
    expect(full.statusCode).toBe(503);
    expect(full.headers['retry-after']).toBe('5');
    expect((await app.inject('/bug')).statusCode).toBe(500);
    await app.close();
  });
});
