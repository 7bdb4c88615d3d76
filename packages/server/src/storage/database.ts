/**
 * Opens the database named by `GATEKEEPER_DATABASE_URL`: a SQLite file through node:sqlite (embedded
 * mode) or PostgreSQL through `pg` (scale-out). Both come back as the same `Database`: a typed Kysely
 * instance plus the dialect's feature flags, a health probe and pool statistics.
 *
 * Faults (issue 7): every pg client has an error handler, idle or in use, so a PostgreSQL restart
 * fails only the queries the dropped connections carried (the pool replaces them on the next
 * checkout) and never kills the process. Every unit of work that fails because a dependency is
 * unavailable marks writes as failing until one succeeds again (`writeHealth`, read by /readyz).
 * The embedded data directory is created 0700 and the database file (and so its WAL and SHM, which
 * SQLite creates with the database's mode) 0600, whatever the umask.
 */
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Dialect, Kysely, PostgresDialect, sql } from 'kysely';
import { ConfigError } from '../errors/app-error.ts';
import { unavailableDependency } from '../errors/dependency.ts';
import { type DialectFeatures, postgresFeatures, sqliteFeatures } from './dialect.ts';
import { NodeSqliteDialect } from './sqlite-driver.ts';
import type { Tables } from './tables.ts';
import { UnitAwareDriver } from './unit-of-work.ts';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** Whether the last write this process attempted could commit (see `Database.writeHealth`). */
export interface WriteHealth {
  ok: boolean;
  /** When writes started failing (epoch ms). */
  failingSince?: number;
  /** `database` or `disk`. */
  dependency?: string;
  /** The driver's message (no secrets: connection URLs never appear in it). */
  reason?: string;
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
  /**
   * Whether the most recent unit of work of this process committed, or failed because the database
   * or its disk is unavailable (then until a later one commits). Bugs and bad input do not count.
   */
  writeHealth(): WriteHealth;
  /**
   * Commits a transaction that needs fresh pages (a change-feed row written and deleted again): how
   * readiness finds out whether writes work again. Updates `writeHealth`; rejects when it fails.
   */
  probeWrite(): Promise<void>;
  /**
   * SQLite: copies the WAL into the database and truncates it (`wal_checkpoint(TRUNCATE)`); servers
   * run it periodically so the WAL never grows without bound. PostgreSQL: nothing.
   */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

/** Options of `openDatabase`. */
export interface OpenDatabaseOptions {
  poolSize?: number;
  readOnly?: boolean;
  /** Errors of connections nobody was waiting on (a dropped idle or in-use pg client). Default: ignored. */
  onError?: (err: unknown) => void;
}

/** Tracks `writeHealth` over the units of work of one database. */
function createWriteTracker(): {
  health(): WriteHealth;
  run<T>(write: <R>(fn: () => Promise<R>) => Promise<R>, fn: () => Promise<T>): Promise<T>;
} {
  let failing: Required<Omit<WriteHealth, 'ok'>> | undefined;
  return {
    health: () => (failing ? { ok: false, ...failing } : { ok: true }),
    async run(write, fn) {
      try {
        const result = await write(fn);
        failing = undefined;
        return result;
      } catch (err) {
        const dependency = unavailableDependency(err);
        if (dependency) {
          failing = {
            failingSince: failing?.failingSince ?? Date.now(),
            dependency,
            reason: (err instanceof Error ? err.message : String(err)).slice(0, 200),
          };
        }
        throw err;
      }
    },
  };
}

const PROBE_CHANNEL = 'health';

/** Creates `dir` (and missing parents) 0700, whatever the umask; an existing directory is left alone. */
export function ensurePrivateDir(path: string): void {
  const dir = resolve(path);
  const first = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (first !== undefined) {
    // mkdir's mode is filtered by the umask: set it explicitly on everything this call created
    for (let d = dir; d.length >= first.length; d = dirname(d)) {
      chmodSync(d, 0o700);
      if (d === first) break;
    }
  }
}

/** Creates `path` 0600 if missing, and tightens it (and its -wal/-shm) to 0600 when looser. */
function ensurePrivateDatabaseFiles(path: string): void {
  if (!existsSync(path)) {
    const fd = openSync(path, 'a', 0o600);
    try {
      fchmodSync(fd, 0o600);
    } finally {
      closeSync(fd);
    }
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch {
      // absent (-wal/-shm before the first write) or not ours to change: SQLite reports real problems
    }
  }
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

async function openPostgres(
  url: string,
  poolSize: number,
  onError: (err: unknown) => void,
): Promise<Database> {
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
  // A pool emits errors for idle clients that die (a restart, pg_terminate_backend); the pool drops
  // them and connects anew on the next checkout. A client that is checked out has no listener of the
  // pool's, and an 'error' event without one kills the process: every client gets its own. The
  // query it carried rejects (→ 503); pg-pool discards the broken client when it is released.
  pool.on('error', onError);
  pool.on('connect', (client) => {
    client.on('error', onError);
  });
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
  const writes = createWriteTracker();
  const write = <T>(fn: () => Promise<T>) => writes.run((f) => unitDriver!.runUnit(f), fn);
  return {
    db,
    dialect: postgresFeatures,
    write,
    writeHealth: writes.health,
    probeWrite: () => write(() => insertProbe(db)),
    async checkpoint() {},
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
      ensurePrivateDir(dirname(path));
      ensurePrivateDatabaseFiles(path);
    } catch (err) {
      if (unavailableDependency(err) === 'disk') throw diskFull(path, err);
      throw new ConfigError(SETTING, `cannot create the directory for ${path}: ${(err as Error).message}`);
    }
  }
  const dialect = new NodeSqliteDialect({ path, readOnly });
  const db = new Kysely<Tables>({ dialect });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => {});
    if (unavailableDependency(err) === 'disk') throw diskFull(path, err);
    throw new ConfigError(SETTING, `cannot open the SQLite database ${path}: ${(err as Error).message}`);
  }
  const writes = createWriteTracker();
  const write = <T>(fn: () => Promise<T>) => writes.run((f) => dialect.unitDriver.runUnit(f), fn);
  return {
    db,
    dialect: sqliteFeatures,
    write,
    writeHealth: writes.health,
    probeWrite: () => write(() => insertProbe(db)),
    async checkpoint() {
      if (path !== ':memory:' && !readOnly) await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
    },
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

/**
 * The readiness probe's write: a change-feed row big enough to need fresh pages (a tiny row would fit
 * in a page that already has room, and commit on a disk that refuses every real write), deleted in
 * the same transaction, so nothing stays behind and no process ever sees it.
 */
async function insertProbe(db: Kysely<Tables>): Promise<void> {
  const row = await db
    .insertInto('change_feed')
    .values({ ts: Date.now(), channel: PROBE_CHANNEL, key: 'p'.repeat(16_384), origin: 'readiness' })
    .returning('seq')
    .executeTakeFirstOrThrow();
  await db.deleteFrom('change_feed').where('seq', '=', row.seq).execute();
}

/** The one line a start-up on a full disk prints. */
export function diskFull(path: string, cause: unknown): ConfigError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ConfigError(
    'GATEKEEPER_DATA_DIR',
    `the disk holding ${dirname(path)} is full (${reason}); free some space and start again`,
  );
}

/** Opens and probes the database; a failure is a `ConfigError` naming GATEKEEPER_DATABASE_URL. */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  if (isPostgresUrl(url)) return openPostgres(url, options.poolSize ?? 10, options.onError ?? (() => {}));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^(sqlite|file):/i.test(url)) {
    throw new ConfigError(
      SETTING,
      `unsupported database URL scheme in ${redactUrl(url)} (use sqlite: or postgres://)`,
    );
  }
  return openSqlite(url, options.readOnly ?? false);
}
