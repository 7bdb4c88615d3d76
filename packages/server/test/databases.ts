/**
 * Test harness: every store conformance suite runs against each dialect, on a fresh database per run.
 * SQLite always runs (a temp file). PostgreSQL runs when GATEKEEPER_TEST_POSTGRES_URL is set; under CI
 * (`CI` set) a missing URL is an error, so the PostgreSQL half can never be skipped silently.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { type Database, openDatabase } from '../src/storage/database.ts';
import { migrations } from '../src/storage/migrations/index.ts';
import { migrate } from '../src/storage/migrator.ts';

export interface TestDatabase {
  readonly url: string;
  readonly database: Database;
  /** Opens a second, independent connection (another "process") to the same database. */
  openAnother(): Promise<Database>;
  cleanup(): Promise<void>;
}

export type DialectLabel = 'sqlite' | 'postgres';

const pgUrl = process.env.GATEKEEPER_TEST_POSTGRES_URL;

/** Whether a dialect runs in this test run (throws under CI if PostgreSQL is not configured). */
export function dialectAvailable(label: DialectLabel): boolean {
  if (label === 'sqlite') return true;
  if (pgUrl) return true;
  if (process.env.CI) throw new Error('GATEKEEPER_TEST_POSTGRES_URL must be set under CI');
  return false;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates a fresh, migrated database of the given dialect. */
export async function createTestDatabase(label: DialectLabel, options: { migrate?: boolean } = {}) {
  let url: string;
  let drop: () => Promise<void>;
  if (label === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gk-test-'));
    url = `sqlite:${join(dir, 'gatekeeper.db')}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `gk_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    url = withDatabase(pgUrl!, name);
    drop = async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  const database = await openDatabase(url);
  if (options.migrate !== false) await migrate(database, migrations);
  const others: Database[] = [];
  const t: TestDatabase = {
    url,
    database,
    async openAnother() {
      const d = await openDatabase(url);
      others.push(d);
      return d;
    },
    async cleanup() {
      for (const d of others) await d.close().catch(() => {});
      await database.close().catch(() => {});
      await drop();
    },
  };
  return t;
}

/**
 * `describe` once per available dialect, with a fresh migrated database for the block.
 * The callback receives a getter because the database exists only after `beforeAll`.
 */
export function describeEachDialect(
  title: string,
  body: (get: () => TestDatabase, label: DialectLabel) => void,
) {
  for (const label of ['sqlite', 'postgres'] as const) {
    const run = dialectAvailable(label);
    (run ? describe : describe.skip)(`${title} [${label}]`, () => {
      let t: TestDatabase | undefined;
      beforeAll(async () => {
        t = await createTestDatabase(label);
      });
      afterAll(async () => {
        await t?.cleanup();
      });
      body(() => {
        if (!t) throw new Error('test database not ready');
        return t;
      }, label);
    });
  }
}
