/**
 * Tells an outage from a bug. A request that fails because PostgreSQL restarted, Redis is down or
 * paused, or the disk is full did nothing wrong and may succeed on a retry: the HTTP edge answers it
 * 503 `service_unavailable` with `Retry-After` (never 500), and the admin guard does not count it as
 * a failed authentication (issue 7). Recognised here, in one place, by the shape of each driver's
 * errors (pg's SQLSTATE classes, node:sqlite's result codes, ioredis's connection errors, the
 * socket errors of any of them), anywhere in the `cause` chain.
 */

/** The dependency an outage is attributed to (also the `dependency` member of the 503 problem). */
export type Dependency = 'database' | 'redis' | 'disk';

/** An operation that failed because a dependency is unreachable (raised by our own wrappers). */
export class DependencyError extends Error {
  readonly dependency: Dependency;
  constructor(dependency: Dependency, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DependencyError';
    this.dependency = dependency;
  }
}

/** Seconds a client should wait before retrying, per dependency (a full disk is not fixed in 1 s). */
export const RETRY_AFTER_SECONDS: Readonly<Record<Dependency, number>> = { database: 1, redis: 1, disk: 5 };

// SQLite primary result codes (https://sqlite.org/rescode.html) that mean "not now", not "wrong".
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_NOMEM = 7;
const SQLITE_IOERR = 10;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const DISK_CODES = new Set(['ENOSPC', 'EDQUOT']);

// pg raises these as plain Errors (no SQLSTATE) when the connection is gone or cannot be had
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end)/;
// ioredis: the offline queue is off (fail fast), a command timed out, the connection is closed
const REDIS_MESSAGES =
  /^(Stream isn't writeable|Connection is closed|Command timed out|Reached the max retries per request limit|LOADING |BUSY |MASTERDOWN |CLUSTERDOWN |TRYAGAIN |OOM command not allowed)/;

function sqliteDependency(err: { code?: unknown; errcode?: unknown }): Dependency | undefined {
  if (err.code !== 'ERR_SQLITE_ERROR' || typeof err.errcode !== 'number') return undefined;
  const primary = err.errcode & 0xff;
  if (primary === SQLITE_FULL) return 'disk';
  if ([SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_IOERR, SQLITE_CANTOPEN].includes(primary))
    return 'database';
  return undefined;
}

function pgDependency(code: string): Dependency | undefined {
  if (code === '53100') return 'disk'; // disk_full
  // 08 connection exception, 53 insufficient resources, 57P01-03 shutdown / cannot connect now,
  // 58 system error (I/O), 55000 "database is not currently accepting connections"
  if (/^(08|53|58)/.test(code) || /^57P0[1-3]$/.test(code) || code === '55000') return 'database';
  return undefined;
}

function classifyOne(err: unknown): Dependency | undefined {
  if (err instanceof DependencyError) return err.dependency;
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown; name?: unknown };
  const sqlite = sqliteDependency(e);
  if (sqlite) return sqlite;
  const message = typeof e.message === 'string' ? e.message : '';
  if (typeof e.code === 'string') {
    if (DISK_CODES.has(e.code)) return 'disk';
    if (SOCKET_CODES.has(e.code)) return /redis/i.test(message) ? 'redis' : 'database';
    // a SQLSTATE is five characters; pg errors carry `severity` as well
    if (/^[0-9A-Z]{5}$/.test(e.code) && 'severity' in e) return pgDependency(e.code);
  }
  if (e.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.test(message)) return 'redis';
  if (PG_CONNECTION_MESSAGES.test(message)) return 'database';
  return undefined;
}

/**
 * The dependency whose outage caused `err` (searched through `cause` and `AggregateError`s), or
 * undefined when `err` is anything else — a bug, bad input, a constraint violation.
 *
 * @example
 * if (unavailableDependency(err)) throw new AppError('service_unavailable', { cause: err });
 */
export function unavailableDependency(err: unknown): Dependency | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === undefined || next === null || seen.has(next) || seen.size > 16) continue;
    seen.add(next);
    const found = classifyOne(next);
    if (found) return found;
    if (next instanceof AggregateError) queue.push(...next.errors);
    if (typeof next === 'object' && 'cause' in next) queue.push((next as { cause?: unknown }).cause);
  }
  return undefined;
}
