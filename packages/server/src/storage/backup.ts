/**
 * Backup and restore of the embedded SQLite database, and the instance lock that keeps a restore
 * from replacing the file under a running Gatekeeper. PostgreSQL is backed up with its own tools
 * (`pg_dump` / `pg_restore`, see docs/backup.md); both operations refuse it.
 *
 * Backup is online and consistent: a dedicated read-only connection opens a read transaction, and
 * node:sqlite's `backup()` (the SQLite online-backup API) copies pages from that one snapshot in
 * steps, off the main thread. In WAL mode the open read transaction does not block writers, and it
 * keeps the snapshot fixed, so concurrent writes (by this or any other process) neither restart the
 * copy nor tear it: the file holds exactly the committed state at the moment the backup began.
 * Without the held transaction SQLite restarts the copy whenever another connection writes, which
 * under steady load may never finish. The copy is written to a temporary file, switched to
 * rollback-journal mode (one self-contained file), checked, and renamed into place.
 *
 * Instance lock: a running instance holds an exclusive SQLite lock on `<db>.lock` (an empty SQLite
 * file opened with `locking_mode=EXCLUSIVE`). The lock is a POSIX advisory lock taken by SQLite, so
 * the operating system drops it when the process exits or crashes: there are no stale locks and no
 * PID checks (PIDs are reused, and are meaningless across containers sharing a volume). A
 * human-readable note of the holder (pid, host, purpose, since) is written to `<db>.lock.info` for
 * error messages only. Like SQLite itself, this needs a file system with working POSIX locks (local
 * disks; not every network file system).
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import {
  chmod,
  copyFile,
  link,
  mkdir,
  open,
  readFile,
  rename,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import * as sqlite from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { AppError } from '../errors/app-error.ts';
import { type Database, ensurePrivateDir } from './database.ts';

/** The one line both commands print in PostgreSQL mode. */
export const POSTGRES_BACKUP_HINT =
  'the database is PostgreSQL: back it up with pg_dump -Fc and restore it with pg_restore (see docs/backup.md)';

const SQLITE_MAGIC = 'SQLite format 3\0';
/** SQLITE_BUSY and SQLITE_LOCKED (primary codes). */
const BUSY_CODES = new Set([5, 6]);
/** Pages per backup step: 1024 pages of 4 KiB = 4 MiB, a progress update every few milliseconds. */
const DEFAULT_RATE = 1024;

// ---------------------------------------------------------------------------------------------
// instance lock

export interface InstanceLock {
  /** The lock file (`<db>.lock`). */
  readonly path: string;
  /** Releases the lock; idempotent. Process exit releases it too. */
  release(): Promise<void>;
}

/** What `<db>.lock.info` says about the holder (informational only). */
export interface InstanceLockHolder {
  pid: number;
  host: string;
  purpose: string;
  since: string;
}

/** The lock file of the database at `dbPath`. */
export function instanceLockPath(dbPath: string): string {
  return `${resolve(dbPath)}.lock`;
}

function isBusy(err: unknown): boolean {
  const code = (err as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' && BUSY_CODES.has(code & 0xff);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Reads the holder note, if there is a readable one. */
export async function readInstanceLockHolder(dbPath: string): Promise<InstanceLockHolder | undefined> {
  try {
    return JSON.parse(await readFile(`${instanceLockPath(dbPath)}.info`, 'utf8')) as InstanceLockHolder;
  } catch {
    return undefined;
  }
}

function describeHolder(holder: InstanceLockHolder | undefined): string {
  if (!holder) return 'another process';
  return `${holder.purpose === 'serve' ? 'a running Gatekeeper' : `gatekeeper ${holder.purpose}`} (pid ${holder.pid} on ${holder.host}, since ${holder.since})`;
}

/**
 * Takes the instance lock of the database at `dbPath` for the life of this process (or until
 * `release()`). Throws a `conflict` AppError naming the holder when another process has it. Call it
 * at server start-up, before opening the database; `:memory:` gets a lock that locks nothing.
 *
 * @example
 * const lock = await acquireInstanceLock(database.sqlitePath!);
 * closers.push(() => lock.release());
 */
export async function acquireInstanceLock(dbPath: string, purpose = 'serve'): Promise<InstanceLock> {
  if (dbPath === ':memory:') return { path: ':memory:', release: async () => {} };
  const path = instanceLockPath(dbPath);
  ensurePrivateDir(dirname(path)); // first start: the data directory may not exist yet (0700)
  // a short busy timeout rides out another process's `isInstanceRunning` probe
  const handle = new sqlite.DatabaseSync(path, { timeout: 250 });
  await chmod(path, 0o600).catch(() => {});
  try {
    handle.exec('PRAGMA locking_mode = EXCLUSIVE');
    // in EXCLUSIVE locking mode the lock taken here is kept after COMMIT, until the handle closes
    handle.exec('BEGIN EXCLUSIVE');
    handle.exec('COMMIT');
  } catch (err) {
    handle.close();
    if (!isBusy(err)) throw err;
    throw new AppError('conflict', {
      detail: `${describeHolder(await readInstanceLockHolder(dbPath))} is using ${resolve(dbPath)} (lock ${path})`,
    });
  }
  const holder: InstanceLockHolder = {
    pid: process.pid,
    host: hostname(),
    purpose,
    since: new Date().toISOString(),
  };
  await writeFile(`${path}.info`, `${JSON.stringify(holder)}\n`, { mode: 0o600 }).catch(() => {});
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      await unlink(`${path}.info`).catch(() => {});
      handle.close();
    },
  };
}

/** True when some process holds the instance lock of the database at `dbPath`. Never creates files. */
export async function isInstanceRunning(dbPath: string): Promise<boolean> {
  const path = instanceLockPath(dbPath);
  if (!(await exists(path))) return false;
  const probe = new sqlite.DatabaseSync(path, { timeout: 0 });
  try {
    probe.exec('BEGIN EXCLUSIVE');
    probe.exec('ROLLBACK');
    return false;
  } catch (err) {
    if (isBusy(err)) return true;
    throw err;
  } finally {
    probe.close();
  }
}

// ---------------------------------------------------------------------------------------------
// checking a backup file

export interface BackupInfo {
  /** Applied migration ids recorded in the file, in order. */
  migrations: string[];
  bytes: number;
}

function invalid(detail: string): AppError {
  return new AppError('validation_failed', { detail });
}

/**
 * Checks that `file` is a complete, undamaged Gatekeeper database without changing it: SQLite
 * header, no unmerged `-wal` beside it, `PRAGMA integrity_check` ok, a non-empty `gk_migrations`.
 */
export async function inspectBackup(file: string): Promise<BackupInfo> {
  const path = resolve(file);
  const st = await stat(path).catch(() => undefined);
  if (!st) throw invalid(`${path} does not exist`);
  if (!st.isFile()) throw invalid(`${path} is not a file`);
  const fd = await open(path, 'r');
  const header = Buffer.alloc(16);
  try {
    await fd.read(header, 0, 16, 0);
  } finally {
    await fd.close();
  }
  if (header.toString('latin1') !== SQLITE_MAGIC) throw invalid(`${path} is not a SQLite database`);
  const wal = await stat(`${path}-wal`).catch(() => undefined);
  if (wal && wal.size > 0) {
    throw invalid(
      `${path} has an unmerged write-ahead log beside it (${path}-wal); it is not a finished backup`,
    );
  }

  // immutable: read without locks and without creating -wal/-shm files beside the backup
  const url = pathToFileURL(path);
  url.searchParams.set('immutable', '1');
  let db: sqlite.DatabaseSync;
  try {
    db = new sqlite.DatabaseSync(url, { readOnly: true });
  } catch (err) {
    throw invalid(`cannot open ${path}: ${(err as Error).message}`);
  }
  try {
    let problems: string[];
    try {
      problems = (db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map(
        (r) => r.integrity_check,
      );
    } catch (err) {
      throw invalid(`${path} is damaged: ${(err as Error).message}`);
    }
    if (problems.length !== 1 || problems[0] !== 'ok') {
      const first = problems
        .join('\n')
        .split('\n')
        .filter((l) => l && !l.startsWith('***'));
      throw invalid(`${path} is damaged: ${first.slice(0, 2).join('; ')}`);
    }
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gk_migrations'")
      .get();
    const migrations = table
      ? (db.prepare('SELECT id FROM gk_migrations ORDER BY id').all() as { id: string }[]).map((r) => r.id)
      : [];
    if (migrations.length === 0)
      throw invalid(`${path} is not a Gatekeeper database (no applied migrations)`);
    return { migrations, bytes: st.size };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// backup

export interface BackupOptions {
  /** Replace an existing file (the old one stays intact until the new backup is complete). */
  force?: boolean;
  /** Called after each step with pages copied and total pages. */
  onProgress?: (donePages: number, totalPages: number) => void;
  /** Pages per step (default 1024). */
  rate?: number;
  /** `backup-api` (default when node:sqlite has `backup`) or `vacuum-into` (the fallback). */
  method?: 'backup-api' | 'vacuum-into';
}

export interface BackupResult {
  file: string;
  bytes: number;
  migrations: string[];
  method: 'backup-api' | 'vacuum-into';
}

function tempSibling(target: string, tag: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

async function removeQuietly(...paths: string[]): Promise<void> {
  for (const p of paths) await unlink(p).catch(() => {});
}

/** Flushes a file's contents to disk. */
async function syncFile(path: string): Promise<void> {
  const fd = await open(path, 'r+');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fd = await open(dir, 'r').catch(() => undefined);
  if (!fd) return;
  await fd.sync().catch(() => {}); // not supported everywhere (Windows); best effort
  await fd.close();
}

function requireEmbedded(database: Pick<Database, 'dialect' | 'sqlitePath'>): string {
  if (database.dialect.name !== 'sqlite') throw invalid(POSTGRES_BACKUP_HINT);
  if (!database.sqlitePath) throw invalid('an in-memory database cannot be backed up');
  return database.sqlitePath;
}

/** Copies one snapshot of `source` into `temp`. */
async function copySnapshot(
  source: sqlite.DatabaseSync,
  temp: string,
  method: BackupResult['method'],
  options: BackupOptions,
): Promise<void> {
  if (method === 'vacuum-into') {
    // VACUUM INTO reads one snapshot by itself (and compacts); it cannot run inside a transaction
    source.prepare('VACUUM INTO ?').run(temp);
    options.onProgress?.(1, 1);
    return;
  }
  source.exec('BEGIN');
  try {
    // the first read starts the read transaction: from here on the snapshot is fixed
    source.prepare('SELECT count(*) FROM sqlite_master').get();
    const pages = await sqlite.backup(source, temp, {
      rate: options.rate ?? DEFAULT_RATE,
      progress: ({ totalPages, remainingPages }) =>
        options.onProgress?.(totalPages - remainingPages, totalPages),
    });
    options.onProgress?.(pages, pages); // node reports every step but the last
  } finally {
    source.exec('COMMIT');
  }
}

/**
 * Writes a consistent copy of the live embedded database to `file` while it keeps being written.
 * Refuses an existing `file` unless `force`; refuses PostgreSQL and in-memory databases.
 *
 * @example
 * await backupSqlite(database, '/backups/gk-2025-06-01.db', { onProgress: (d, t) => bar.update(d, t) });
 */
export async function backupSqlite(
  database: Pick<Database, 'dialect' | 'sqlitePath'>,
  file: string,
  options: BackupOptions = {},
): Promise<BackupResult> {
  const source = requireEmbedded(database);
  const target = resolve(file);
  if ([source, `${source}-wal`, `${source}-shm`, instanceLockPath(source)].includes(target)) {
    throw invalid(`refusing to write the backup over the live database's own files (${target})`);
  }
  const dir = await stat(dirname(target)).catch(() => undefined);
  if (!dir?.isDirectory())
    throw invalid(`cannot write ${target}: the directory ${dirname(target)} does not exist`);
  if ((await exists(target)) && !options.force) {
    throw new AppError('conflict', { detail: `${target} already exists; pass --force to replace it` });
  }
  if (!(await exists(source))) throw invalid(`there is no database at ${source} to back up`);

  const method = options.method ?? ('backup' in sqlite ? 'backup-api' : 'vacuum-into');
  const temp = tempSibling(target, 'partial');
  const cleanup = () => removeQuietly(temp, `${temp}-journal`, `${temp}-wal`, `${temp}-shm`);
  // created 0600 before SQLite writes a byte into it (SQLite keeps an existing file's mode)
  await writeFile(temp, '', { mode: 0o600, flag: 'wx' });
  await chmod(temp, 0o600);
  const db = new sqlite.DatabaseSync(source, { readOnly: true, timeout: 5000 });
  try {
    await copySnapshot(db, temp, method, options);
  } catch (err) {
    await cleanup();
    throw err;
  } finally {
    db.close();
  }
  try {
    // one self-contained file: the copy inherits WAL mode from the source
    const copy = new sqlite.DatabaseSync(temp);
    try {
      copy.exec('PRAGMA journal_mode = DELETE');
    } finally {
      copy.close();
    }
    const info = await inspectBackup(temp);
    await chmod(temp, 0o600); // it holds password hashes, digests and encrypted secrets
    await syncFile(temp);
    await rename(temp, target);
    await syncDir(dirname(target));
    return { file: target, bytes: info.bytes, migrations: info.migrations, method };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// restore

export interface RestoreOptions {
  /** Replace an existing database (it is kept beside it as `<db>.pre-restore-<time>`). */
  force?: boolean;
  /** Migration ids this build knows; a backup with others (from a newer build) is refused. */
  knownMigrations?: readonly string[];
}

export interface RestoreResult {
  target: string;
  /** Where the replaced database was kept, if there was one. */
  previous: string | undefined;
  migrations: string[];
}

/**
 * Makes sure nothing has the database open, by asking for the exclusive access that leaving WAL
 * mode needs: every WAL-mode connection holds a shared lock for as long as it is open. As a side
 * effect the WAL is checkpointed into the main file, which the restore then keeps or replaces.
 */
function assertNotOpen(target: string): void {
  let probe: sqlite.DatabaseSync;
  try {
    probe = new sqlite.DatabaseSync(target, { timeout: 0 });
  } catch {
    return; // cannot be opened at all: not in use by anything that works, and --force replaces it
  }
  try {
    probe.exec('PRAGMA journal_mode = DELETE');
  } catch (err) {
    if (isBusy(err)) {
      throw new AppError('conflict', {
        detail: `${target} is open in another process; stop every Gatekeeper process using it before restoring`,
      });
    }
    // a damaged database is replaced like any other
  } finally {
    probe.close();
  }
}

/**
 * Replaces the embedded database at `targetPath` with `backupFile`: checks the backup first, takes
 * the instance lock (so no instance is running or can start meanwhile), makes sure no other process
 * has the file open, then swaps the checked copy in atomically (same-directory temporary file and
 * rename) after removing the target's `-wal`/`-shm` leftovers, which would corrupt the new file.
 */
export async function restoreSqlite(
  backupFile: string,
  targetPath: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const source = resolve(backupFile);
  const target = resolve(targetPath);
  if (source === target) throw invalid(`cannot restore ${source} onto itself`);

  const info = await inspectBackup(source);
  if (options.knownMigrations) {
    const unknown = info.migrations.filter((id) => !options.knownMigrations!.includes(id));
    if (unknown.length > 0) {
      throw invalid(
        `${source} comes from a newer Gatekeeper (migration ${unknown[0]} is unknown to this build); restore it with that version`,
      );
    }
  }
  const targetExists = await exists(target);
  if (targetExists && !options.force) {
    throw new AppError('conflict', {
      detail: `${target} already exists; pass --force to replace it (the current database is kept beside it)`,
    });
  }
  await mkdir(dirname(target), { recursive: true }); // restoring onto a fresh data directory

  const lock = await acquireInstanceLock(target, 'restore');
  const temp = tempSibling(target, 'restore');
  try {
    if (targetExists) assertNotOpen(target);
    const mode = 0o600; // it holds password hashes, digests and encrypted secrets
    await copyFile(source, temp, fsConstants.COPYFILE_EXCL);
    if ((await stat(temp)).size !== info.bytes)
      throw invalid(`${source} changed while it was being restored`);
    await chmod(temp, mode);
    await syncFile(temp);

    let previous: string | undefined;
    if (targetExists) {
      previous = `${target}.pre-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      // a hard link keeps the old database without copying it; copy where links are unsupported
      await link(target, previous).catch(() => copyFile(target, previous!, fsConstants.COPYFILE_EXCL));
    }
    await removeQuietly(`${target}-wal`, `${target}-shm`, `${target}-journal`);
    await rename(temp, target);
    await syncDir(dirname(target));
    return { target, previous, migrations: info.migrations };
  } catch (err) {
    await removeQuietly(temp);
    throw err;
  } finally {
    await lock.release();
  }
}
