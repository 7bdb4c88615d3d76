/**
 * Units of work: a change, the audit event that records it and the cache invalidations it causes
 * commit in ONE transaction, or not at all (the transactional outbox). `database.write(fn)` opens a
 * transaction and runs `fn` with it as the ambient connection (AsyncLocalStorage), so stores keep
 * using the plain `db` and every query they issue joins the unit without being passed a handle.
 * Capabilities never call this module directly; infrastructure buffers its rows with `collect`
 * (written just before COMMIT, on the unit's connection) and runs `afterCommit` hooks once the commit
 * is durable. After-commit hooks never throw into the caller: nothing that can fail runs after a commit.
 *
 * How queries find the unit: the dialect's driver is wrapped (`UnitAwareDriver`). Inside a unit,
 * `acquireConnection` returns the unit's connection and begin/commit/rollback of a nested
 * `db.transaction()` are no-ops (the nested block joins the outer one; a nested rollback marks the
 * unit rollback-only). Outside a unit nothing changes. For SQLite — one connection per process — the
 * wrapper owns the connection mutex (Kysely's would deadlock a unit against its own queries).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, type DatabaseConnection, type Driver, type TransactionSettings } from 'kysely';

type CommitHook = () => void;

/** Renders one SQL value as a literal (the dialect's own escaping). */
export type SqlLiteral = (value: string | number | null) => string;

/** Turns buffered items into SQL statements whose values are literals, sent with COMMIT. */
export type CommitRenderer<T> = (items: T[], literal: SqlLiteral) => string;

/** The running unit of work, as infrastructure sees it. */
export interface UnitOfWork {
  /**
   * Buffers `item` under `key`; the first call for a key registers `flush`, which receives every item
   * buffered under that key and runs on the unit's connection right before COMMIT. With `render`,
   * a dialect where every query is a network round trip (PostgreSQL) instead sends the rendered
   * statements in the same round trip as COMMIT; a failing statement then aborts the transaction
   * just the same.
   */
  collect<T>(key: string, item: T, flush: (items: T[]) => Promise<void>, render?: CommitRenderer<T>): void;
  /** Runs once the unit committed (in registration order); errors go to the unit's error reporter. */
  afterCommit(hook: CommitHook): void;
}

interface UnitState extends UnitOfWork {
  readonly driver: UnitAwareDriver;
  readonly connection: DatabaseConnection;
  done: boolean;
  rollbackOnly: boolean;
}

const ambient = new AsyncLocalStorage<UnitState>();

/** The statement `lockInTransaction` sends on PostgreSQL, its name a literal (dialect.ts). */
const ADVISORY_LOCK = /^select pg_advisory_xact_lock\(hashtext\('(?:[^']|'')*'\)\)$/;

/** The unit of work the caller runs in, if any (whichever database it belongs to). */
export function currentUnit(): UnitOfWork | undefined {
  const unit = ambient.getStore();
  return unit && !unit.done ? unit : undefined;
}

/** A FIFO lock for the single SQLite connection. */
class ConnectionLock {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  async acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }
}

/**
 * Wraps a dialect's driver so units of work can share their connection with the queries they run.
 * `singleConnection` (SQLite) makes the wrapper serialise connection use itself; the dialect must then
 * declare `supportsMultipleConnections: true` so Kysely does not add a second mutex.
 */
export class UnitAwareDriver implements Driver {
  readonly #inner: Driver;
  readonly #lock: ConnectionLock | undefined;
  readonly #onHookError: (err: unknown) => void;
  readonly #literal: SqlLiteral | undefined;

  constructor(
    inner: Driver,
    options: {
      singleConnection: boolean;
      onHookError?: (err: unknown) => void;
      /** Given: buffered rows with a renderer are sent with COMMIT as literal SQL (one round trip). */
      literal?: SqlLiteral;
    },
  ) {
    this.#inner = inner;
    this.#lock = options.singleConnection ? new ConnectionLock() : undefined;
    this.#onHookError = options.onHookError ?? (() => {});
    this.#literal = options.literal;
  }

  #unitOf(connection?: DatabaseConnection): UnitState | undefined {
    const unit = ambient.getStore();
    if (!unit || unit.done || unit.driver !== this) return undefined;
    return connection === undefined || connection === unit.connection ? unit : undefined;
  }

  #initialised: Promise<void> | undefined;

  init(): Promise<void> {
    this.#initialised ??= this.#inner.init();
    return this.#initialised;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const unit = this.#unitOf();
    if (unit) return unit.connection;
    return this.#acquireOwn();
  }

  async #acquireOwn(): Promise<DatabaseConnection> {
    await this.#lock?.acquire();
    try {
      return await this.#inner.acquireConnection();
    } catch (err) {
      this.#lock?.release();
      throw err;
    }
  }

  async #releaseOwn(connection: DatabaseConnection): Promise<void> {
    try {
      await this.#inner.releaseConnection(connection);
    } finally {
      this.#lock?.release();
    }
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (this.#unitOf(connection)) return; // a nested transaction joins the unit
    await this.#inner.beginTransaction(connection, settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#unitOf(connection)) return;
    await this.#inner.commitTransaction(connection);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const unit = this.#unitOf(connection);
    if (unit) {
      unit.rollbackOnly = true; // the error propagates; the unit must not commit half of it
      return;
    }
    await this.#inner.rollbackTransaction(connection);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (this.#unitOf(connection)) return;
    await this.#releaseOwn(connection);
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }

  /**
   * Runs `fn` as a unit of work (see the file header). Inside another unit of this driver, `fn`
   * simply joins it. Resolves with `fn`'s result after COMMIT and the after-commit hooks.
   */
  async runUnit<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#unitOf()) return fn();
    await this.init();
    const own = await this.#acquireOwn();
    // Where every query is a round trip (`literal` given: PostgreSQL), BEGIN waits for the unit's first
    // statement and travels with it when that is an advisory lock (most units that lock start with
    // it): one round trip fewer, and none at all for a unit that issues no statement.
    const lazy = this.#literal !== undefined;
    let begun = !lazy;
    const inner = this.#inner;
    const connection: DatabaseConnection = lazy
      ? {
          async executeQuery(query) {
            if (begun) return own.executeQuery(query);
            begun = true;
            if (query.parameters.length === 0 && ADVISORY_LOCK.test(query.sql))
              return own.executeQuery(CompiledQuery.raw(`begin;\n${query.sql}`, []));
            await inner.beginTransaction(own, {});
            return own.executeQuery(query);
          },
          async *streamQuery(query, chunkSize) {
            if (!begun) {
              begun = true;
              await inner.beginTransaction(own, {});
            }
            yield* own.streamQuery(query, chunkSize);
          },
        }
      : own;
    const buffers = new Map<
      string,
      {
        items: unknown[];
        flush: (items: unknown[]) => Promise<void>;
        render: CommitRenderer<unknown> | undefined;
      }
    >();
    const hooks: CommitHook[] = [];
    const unit: UnitState = {
      driver: this,
      connection,
      done: false,
      rollbackOnly: false,
      collect(key, item, flush, render) {
        const buffer = buffers.get(key);
        if (buffer) buffer.items.push(item);
        else
          buffers.set(key, {
            items: [item],
            flush: flush as (items: unknown[]) => Promise<void>,
            render: render as CommitRenderer<unknown> | undefined,
          });
      },
      afterCommit(hook) {
        hooks.push(hook);
      },
    };
    let result: T;
    try {
      if (!lazy) await this.#inner.beginTransaction(own, {});
      try {
        const literal = this.#literal;
        let withCommit: string[] = [];
        result = await ambient.run(unit, async () => {
          const value = await fn();
          for (const { items, flush, render } of buffers.values()) {
            if (render && literal) withCommit.push(render(items, literal));
            else await flush(items);
          }
          return value;
        });
        if (unit.rollbackOnly) throw new Error('a nested transaction of this unit of work rolled back');
        unit.done = true;
        if (withCommit.length > 0) {
          const statements = `${withCommit.join(';\n')};\ncommit`;
          await own.executeQuery(CompiledQuery.raw(begun ? statements : `begin;\n${statements}`, []));
          begun = true;
          withCommit = [];
        } else if (begun) await this.#inner.commitTransaction(own);
      } catch (err) {
        unit.done = true;
        // also after a failed COMMIT (a full disk, a dropped connection): leave no transaction open
        if (begun) await this.#inner.rollbackTransaction(own).catch(() => {});
        throw err;
      }
    } finally {
      unit.done = true;
      await this.#releaseOwn(own);
    }
    for (const hook of hooks) {
      try {
        hook();
      } catch (err) {
        this.#onHookError(err);
      }
    }
    return result;
  }
}

/**
 * Returns `service` with each named method run as a unit of work on `database`: the one place a
 * capability declares which of its operations change state. Methods that do slow work that needs no
 * transaction (password hashing) open their units themselves around the writes instead.
 *
 * @example
 * return inUnits(database, service, ['create', 'update', 'delete']);
 */
export function inUnits<S extends object>(
  database: { write<T>(fn: () => Promise<T>): Promise<T> },
  service: S,
  methods: readonly (keyof S & string)[],
): S {
  const wrapped: Record<string, unknown> = { ...(service as Record<string, unknown>) };
  for (const name of methods) {
    const method = service[name];
    if (typeof method !== 'function') throw new TypeError(`${name} is not a method`);
    wrapped[name] = (...args: unknown[]) =>
      database.write(() => (method as (...a: unknown[]) => Promise<unknown>).apply(service, args));
  }
  return wrapped as S;
}
