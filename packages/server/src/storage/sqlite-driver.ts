/**
 * Kysely dialect for the built-in `node:sqlite` (no native build step). Differences from Kysely's
 * better-sqlite3 driver, each deliberate:
 * - transactions start with `BEGIN IMMEDIATE`, so a second process on the same file waits on the
 *   busy timeout instead of failing on a read→write lock upgrade;
 * - prepared statements are cached (bounded LRU) because `prepare` dominates small queries;
 * - the WAL is checkpointed automatically and cut back after each checkpoint (see `init`);
 * - parameters are checked: node:sqlite stores a `Date` as NULL and throws on `undefined`, and a
 *   boolean would read back as 0/1 on SQLite but true/false on PostgreSQL. Timestamps are epoch
 *   milliseconds and flags are 0/1 integers in both dialects, so anything else is a programming error.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { UnitAwareDriver } from './unit-of-work.ts';

export interface NodeSqliteOptions {
  /** File path, or `:memory:`. */
  path: string;
  busyTimeoutMs?: number;
  statementCacheSize?: number;
  readOnly?: boolean;
}

/** Throws on parameter values that node:sqlite would store wrongly or that differ across dialects. */
export function checkSqliteParameter(value: unknown, index: number): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`SQL parameter ${index} is not a finite number`);
    return value;
  }
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) {
    throw new TypeError(`SQL parameter ${index} is a Date; store timestamps as epoch milliseconds`);
  }
  if (value === undefined) throw new TypeError(`SQL parameter ${index} is undefined`);
  if (typeof value === 'boolean') throw new TypeError(`SQL parameter ${index} is a boolean; use 0/1`);
  throw new TypeError(`SQL parameter ${index} has unsupported type ${typeof value}`);
}

class StatementCache {
  readonly #db: DatabaseSync;
  readonly #max: number;
  readonly #map = new Map<string, { stmt: StatementSync; reader: boolean }>();

  constructor(db: DatabaseSync, max: number) {
    this.#db = db;
    this.#max = max;
  }

  get(sql: string): { stmt: StatementSync; reader: boolean } {
    const hit = this.#map.get(sql);
    if (hit) {
      this.#map.delete(sql);
      this.#map.set(sql, hit);
      return hit;
    }
    const stmt = this.#db.prepare(sql);
    const entry = { stmt, reader: stmt.columns().length > 0 };
    this.#map.set(sql, entry);
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value as string;
      this.#map.delete(oldest);
    }
    return entry;
  }

  get size(): number {
    return this.#map.size;
  }
}

class NodeSqliteConnection implements DatabaseConnection {
  readonly #cache: StatementCache;

  constructor(cache: StatementCache) {
    this.#cache = cache;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const { stmt, reader } = this.#cache.get(compiled.sql);
    const params = compiled.parameters.map(checkSqliteParameter) as never[];
    if (reader) return { rows: stmt.all(...params) as R[] };
    const { changes, lastInsertRowid } = stmt.run(...params);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const { stmt } = this.#cache.get(compiled.sql);
    const params = compiled.parameters.map(checkSqliteParameter) as never[];
    for (const row of stmt.iterate(...params)) yield { rows: [row as R] };
  }
}

class NodeSqliteDriver implements Driver {
  readonly #options: NodeSqliteOptions;
  #db: DatabaseSync | undefined;
  #connection: NodeSqliteConnection | undefined;

  constructor(options: NodeSqliteOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    const db = new DatabaseSync(this.#options.path, {
      readOnly: this.#options.readOnly ?? false,
      enableForeignKeyConstraints: true,
      timeout: this.#options.busyTimeoutMs ?? 5000,
    });
    if (!this.#options.readOnly && this.#options.path !== ':memory:') {
      db.exec('PRAGMA journal_mode = WAL');
      // checkpoint the WAL into the database every ~4 MiB of commits (SQLite's default, stated so it
      // cannot drift), and cut the WAL file back to 4 MiB after a checkpoint resets it, so space a
      // burst (or a full disk's retries) took is given back; servers also run a periodic
      // wal_checkpoint(TRUNCATE) (runtime.ts)
      db.exec('PRAGMA wal_autocheckpoint = 1000');
      db.exec('PRAGMA journal_size_limit = 4194304');
    }
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    this.#db = db;
    this.#connection = new NodeSqliteConnection(
      new StatementCache(db, this.#options.statementCacheSize ?? 500),
    );
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (!this.#connection) throw new Error('sqlite driver is not initialised');
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
  }

  /** The underlying handle, for online backup. */
  get handle(): DatabaseSync | undefined {
    return this.#db;
  }
}

/**
 * SQLite has one connection per process; `UnitAwareDriver` serialises its use (so a unit of work can
 * share it with the queries it runs), hence Kysely must not add a mutex of its own.
 */
class SingleConnectionSqliteAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

/** Kysely dialect over node:sqlite. */
export class NodeSqliteDialect implements Dialect {
  readonly #options: NodeSqliteOptions;
  #driver: NodeSqliteDriver | undefined;
  #unitAware: UnitAwareDriver | undefined;

  constructor(options: NodeSqliteOptions) {
    this.#options = options;
  }

  createDriver(): Driver {
    this.#driver = new NodeSqliteDriver(this.#options);
    this.#unitAware = new UnitAwareDriver(this.#driver, { singleConnection: true });
    return this.#unitAware;
  }

  /** The driver that runs units of work (after Kysely created it). */
  get unitDriver(): UnitAwareDriver {
    if (!this.#unitAware) throw new Error('the sqlite dialect has no driver yet');
    return this.#unitAware;
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SingleConnectionSqliteAdapter();
  }

  // biome-ignore lint/suspicious/noExplicitAny: Kysely's introspector takes any database
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }

  /** The open node:sqlite handle (after the first query), for online backup. */
  get handle(): DatabaseSync | undefined {
    return this.#driver?.handle;
  }
}
