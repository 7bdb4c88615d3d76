/**
 * Opens the database named by `GATEKEEPER_DATABASE_URL`: a SQLite file through node:sqlite (embedded
 * mode) or PostgreSQL through `pg` (scale-out). Both come back as the same `Database`: a typed Kysely
 * instance plus the dialect's feature flags, a health probe and pool statistics.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Dialect, Kysely, PostgresDialect, sql } from 'kysely';
import { ConfigError } from '../errors/app-error.ts';
import { type DialectFeatures, postgresFeatures, sqliteFeatures } from './dialect.ts';
import { NodeSqliteDialect } from './sqlite-driver.ts';
import type { Tables } from './tables.ts';
import { UnitAwareDriver } from './unit-of-work.ts';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database {
  readonly db: Kysely<Tables>;
  readonly dialect: DialectFeatures;
  /**
   * Runs `fn` as one unit of work: every query it issues (through `db`, in any store) joins one
   * transaction, together with the audit events and invalidations it records (storage/unit-of-work.ts).
   * Inside another unit it joins that one. Keep slow non-database work (password hashing) outside.
   */
  write<T>(fn: () => Promise<T>): Promise<T>;
  /** Where the data lives, with any password removed (safe to log). */
  readonly location: string;
  /** SQLite file path (embedded mode only). */
  readonly sqlitePath: string | undefined;
  /** node:sqlite handle (embedded mode only), for online backup. */
  sqliteHandle(): import('node:sqlite').DatabaseSync | undefined;
  ping(): Promise<void>;
  tableExists(name: string): Promise<boolean>;
  poolStats(): PoolStats;
  /** Refreshes the planner's statistics for tables after a bulk load (ANALYZE / PRAGMA optimize). */
  refreshStatistics(tables: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const SETTING = 'GATEKEEPER_DATABASE_URL';

/** Removes `user:password@` from a connection URL so it can be shown. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}

/** True for `postgres://` and `postgresql://` URLs. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The SQLite file path of a `sqlite:` / `file:` URL, or a bare path. */
export function sqlitePathOf(url: string): string {
  if (url === ':memory:' || url === 'sqlite::memory:') return ':memory:';
  const path = url.replace(/^sqlite:(\/\/)?/i, '').replace(/^file:(\/\/)?/i, '');
  if (path.length === 0) throw new ConfigError(SETTING, 'the SQLite URL names no file');
  return resolve(path);
}

// Read int8 (bigint) as a JS number: every stored integer is an epoch ms or a counter far below 2^53.
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
}

/** A finite number as a PostgreSQL literal (safe integers only: timestamps and counters). */
function pgNumber(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`${value} is not a safe integer literal`);
  return String(value);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  // loaded only in scale-out mode, so the embedded default does not pay for pg at start-up
  const { default: pg } = await import('pg');
  const pgTypes = {
    getTypeParser(oid: number, format?: string) {
      if (oid === 20) return parseInt8;
      // biome-ignore lint/suspicious/noExplicitAny: pg's overloaded signature
      return (pg.types.getTypeParser as any)(oid, format);
    },
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    types: pgTypes,
  });
  // A pool emits errors for idle clients that die; they are retried on the next checkout.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => {});
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(SETTING, `cannot connect to PostgreSQL at ${redactUrl(url)}: ${reason}`);
  }
  const pgDialect = new PostgresDialect({ pool });
  let unitDriver: UnitAwareDriver | undefined;
  const dialect: Dialect = {
    createAdapter: () => pgDialect.createAdapter(),
    createQueryCompiler: () => pgDialect.createQueryCompiler(),
    createIntrospector: (k) => pgDialect.createIntrospector(k),
    createDriver: () => {
      unitDriver = new UnitAwareDriver(pgDialect.createDriver(), {
        singleConnection: false,
        // every query is a round trip: rows buffered by a unit go with its COMMIT
        literal: (value) =>
          value === null ? 'null' : typeof value === 'number' ? pgNumber(value) : pg.escapeLiteral(value),
      });
      return unitDriver;
    },
  };
  const db = new Kysely<Tables>({ dialect });
  return {
    db,
    dialect: postgresFeatures,
    write: (fn) => unitDriver!.runUnit(fn),
    location: redactUrl(url),
    sqlitePath: undefined,
    sqliteHandle: () => undefined,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async tableExists(name) {
      const r = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
        where table_schema = current_schema() and table_name = ${name}`.execute(db);
      return (r.rows[0]?.n ?? 0) > 0;
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async refreshStatistics(tables) {
      for (const table of tables) await sql`analyze ${sql.table(table)}`.execute(db);
    },
    async close() {
      await db.destroy();
      // Kysely ends the pool only if a query ran through it; the probe above did not, so a start-up
      // that fails before its first query would otherwise keep an idle client (and the process) for
      // idleTimeoutMillis
      if (!pool.ending) await pool.end();
    },
  };
}

async function openSqlite(url: string, readOnly: boolean): Promise<Database> {
  const path = sqlitePathOf(url);
  if (path !== ':memory:' && !readOnly) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw new ConfigError(SETTING, `cannot create the directory for ${path}: ${(err as Error).message}`);
    }
  }
  const dialect = new NodeSqliteDialect({ path, readOnly });
  const db = new Kysely<Tables>({ dialect });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => {});
    throw new ConfigError(SETTING, `cannot open the SQLite database ${path}: ${(err as Error).message}`);
  }
  return {
    db,
    dialect: sqliteFeatures,
    write: (fn) => dialect.unitDriver.runUnit(fn),
    location: path,
    sqlitePath: path === ':memory:' ? undefined : path,
    sqliteHandle: () => dialect.handle,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async tableExists(name) {
      const r = await sql<{ n: number }>`select count(*) as n from sqlite_master
        where type = 'table' and name = ${name}`.execute(db);
      return (r.rows[0]?.n ?? 0) > 0;
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    async refreshStatistics() {
      await sql`pragma optimize`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/** Opens and probes the database; a failure is a `ConfigError` naming GATEKEEPER_DATABASE_URL. */
export async function openDatabase(
  url: string,
  options: { poolSize?: number; readOnly?: boolean } = {},
): Promise<Database> {
  if (isPostgresUrl(url)) return openPostgres(url, options.poolSize ?? 10);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^(sqlite|file):/i.test(url)) {
    throw new ConfigError(
      SETTING,
      `unsupported database URL scheme in ${redactUrl(url)} (use sqlite: or postgres://)`,
    );
  }
  return openSqlite(url, options.readOnly ?? false);
}
