/**
 * Embedded backup and restore: a backup taken while two writers (another process and this one)
 * keep committing is a consistent snapshot; restore checks the file before touching anything,
 * refuses a running instance (lock held, even by a process that then dies without cleaning up) and
 * a database open elsewhere, never lets a stale WAL meet the restored file, and keeps the old one.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireInstanceLock,
  backupSqlite,
  inspectBackup,
  isInstanceRunning,
  POSTGRES_BACKUP_HINT,
  readInstanceLockHolder,
  restoreSqlite,
} from './backup.ts';
import { type Database, openDatabase } from './database.ts';
import { migrations } from './migrations/index.ts';
import { migrate } from './migrator.ts';

const BACKUP_MODULE = fileURLToPath(new URL('./backup.ts', import.meta.url));

let dir: string;
const children: ChildProcess[] = [];
const opened: Database[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gk-backup-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of opened.splice(0)) await d.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

/** A migrated Gatekeeper database with two test tables written in pairs, padded to a few MB. */
async function liveDatabase(name = 'gatekeeper.db', padRows = 4000): Promise<Database> {
  const database = await openDatabase(`sqlite:${join(dir, name)}`);
  opened.push(database);
  await migrate(database, migrations);
  await sql`create table bk_a (id integer primary key, pad text not null)`.execute(database.db);
  await sql`create table bk_b (id integer primary key, pad text not null)`.execute(database.db);
  await database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < padRows; i++) {
      await sql`insert into bk_a (pad) values (${'a'.repeat(500)})`.execute(trx);
      await sql`insert into bk_b (pad) values (${'b'.repeat(500)})`.execute(trx);
    }
  });
  return database;
}

function readCounts(file: string): { a: number; b: number; maxA: number } {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db
      .prepare(
        'select (select count(*) from bk_a) a, (select count(*) from bk_b) b, (select max(id) from bk_a) maxA',
      )
      .get() as { a: number; b: number; maxA: number };
  } finally {
    db.close();
  }
}

/** Another process committing a row to each table in one transaction, as fast as it can. */
async function startWriter(file: string): Promise<ChildProcess> {
  const script = `
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(${JSON.stringify(file)}, { timeout: 5000 });
    const a = db.prepare("insert into bk_a (pad) values ('w')");
    const b = db.prepare("insert into bk_b (pad) values ('w')");
    let n = 0;
    const tick = () => { db.exec('begin immediate'); a.run(); b.run(); db.exec('commit');
      if (++n === 1) process.stdout.write('ready\\n'); setTimeout(tick, 1); };
    tick();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await once(child.stdout!, 'data');
  return child;
}

/** Another process holding the instance lock through the real API, until killed. */
async function startLockHolder(dbPath: string): Promise<ChildProcess> {
  const script = `
    const { acquireInstanceLock } = await import(${JSON.stringify(BACKUP_MODULE)});
    await acquireInstanceLock(${JSON.stringify(dbPath)});
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await once(child.stdout!, 'data');
  return child;
}

describe('backupSqlite', () => {
  it('takes a consistent snapshot while another process and this one keep writing', async () => {
    const database = await liveDatabase();
    const live = database.sqlitePath!;
    const writer = await startWriter(live);
    let inProcessWrites = 0;
    let writing = true;
    const inProcess = (async () => {
      while (writing) {
        await database.db.transaction().execute(async (trx) => {
          await sql`insert into bk_a (pad) values ('p')`.execute(trx);
          await sql`insert into bk_b (pad) values ('p')`.execute(trx);
        });
        inProcessWrites += 1;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();

    const before = readCounts(live);
    const steps: [number, number][] = [];
    const file = join(dir, 'snapshot.db');
    const result = await backupSqlite(database, file, { rate: 16, onProgress: (d, t) => steps.push([d, t]) });
    const after = readCounts(live);
    writing = false;
    await inProcess;
    writer.kill('SIGKILL');

    expect(result.method).toBe('backup-api');
    expect(after.a).toBeGreaterThan(before.a); // writes went on during the backup
    expect(inProcessWrites).toBeGreaterThan(0);
    expect(steps.length).toBeGreaterThan(10);
    expect(steps.at(-1)![0]).toBe(steps.at(-1)![1]);

    const copy = readCounts(file);
    expect(copy.a).toBe(copy.b); // each pair was committed together: no torn transaction
    expect(copy.maxA).toBe(copy.a); // a gap-free prefix of the commit order
    expect(copy.a).toBeGreaterThanOrEqual(before.a);
    expect(copy.a).toBeLessThanOrEqual(after.a);
    await expect(inspectBackup(file)).resolves.toMatchObject({ migrations: migrations.map((m) => m.id) });
  });

  it('writes one self-contained, owner-only file and nothing else', async () => {
    const database = await liveDatabase('live.db', 10);
    const out = join(dir, 'out');
    await rm(out, { force: true });
    await (await import('node:fs/promises')).mkdir(out);
    const file = join(out, 'gk.db');
    await backupSqlite(database, file);
    expect(await readdir(out)).toEqual(['gk.db']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const header = await readFile(file);
    expect([header[18], header[19]]).toEqual([1, 1]); // rollback journal, not WAL: no -wal needed
  });

  it('refuses to overwrite an existing file unless forced, and keeps it intact', async () => {
    const database = await liveDatabase('live.db', 10);
    const file = join(dir, 'exists.db');
    await writeFile(file, 'precious');
    await expect(backupSqlite(database, file)).rejects.toThrow(/already exists; pass --force/);
    expect(await readFile(file, 'utf8')).toBe('precious');
    await backupSqlite(database, file, { force: true });
    expect(readCounts(file).a).toBe(10);
  });

  it('falls back to VACUUM INTO with the same guarantees', async () => {
    const database = await liveDatabase('live.db', 50);
    const file = join(dir, 'vacuum.db');
    const result = await backupSqlite(database, file, { method: 'vacuum-into' });
    expect(result.method).toBe('vacuum-into');
    expect(readCounts(file)).toEqual({ a: 50, b: 50, maxA: 50 });
  });

  it('refuses PostgreSQL with one line pointing to pg_dump, and the live files as a target', async () => {
    const postgres = { dialect: { name: 'postgres' }, sqlitePath: undefined } as unknown as Database;
    await expect(backupSqlite(postgres, join(dir, 'x.db'))).rejects.toThrow(POSTGRES_BACKUP_HINT);
    expect(POSTGRES_BACKUP_HINT).toMatch(/pg_dump.*docs\/backup\.md/);
    const database = await liveDatabase('live.db', 1);
    await expect(backupSqlite(database, `${database.sqlitePath}-wal`, { force: true })).rejects.toThrow(
      /live database's own files/,
    );
  });
});

describe('instance lock', () => {
  it('is exclusive, names its holder, and is free again after release', async () => {
    const db = join(dir, 'gatekeeper.db');
    expect(await isInstanceRunning(db)).toBe(false);
    expect(existsSync(`${db}.lock`)).toBe(false); // probing creates nothing
    const lock = await acquireInstanceLock(db);
    expect(await isInstanceRunning(db)).toBe(true);
    expect(await readInstanceLockHolder(db)).toMatchObject({ pid: process.pid, purpose: 'serve' });
    await expect(acquireInstanceLock(db)).rejects.toThrow(/a running Gatekeeper \(pid \d+ on .*\) is using/);
    await lock.release();
    await lock.release();
    expect(await isInstanceRunning(db)).toBe(false);
    const again = await acquireInstanceLock(db);
    await again.release();
  });

  it('is held across processes and never goes stale when its holder is killed', async () => {
    const db = join(dir, 'gatekeeper.db');
    const holder = await startLockHolder(db);
    expect(await isInstanceRunning(db)).toBe(true);
    await expect(acquireInstanceLock(db)).rejects.toThrow(`pid ${holder.pid}`);
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    expect(existsSync(`${db}.lock`)).toBe(true); // the file stays, the lock does not
    expect(await isInstanceRunning(db)).toBe(false);
    await (await acquireInstanceLock(db)).release();
  });
});

describe('restoreSqlite', () => {
  /** A backup of a live database with `rows` pairs, the live one closed afterwards. */
  async function backupOf(rows: number): Promise<{ backup: string; target: string }> {
    const database = await liveDatabase('gatekeeper.db', rows);
    const backup = join(dir, 'backup.db');
    await backupSqlite(database, backup);
    await sql`insert into bk_a (pad) values ('after backup')`.execute(database.db);
    await database.close();
    opened.length = 0;
    return { backup, target: database.sqlitePath! };
  }

  it('restores the backup; the data is readable and the replaced database is kept', async () => {
    const { backup, target } = await backupOf(20);
    const result = await restoreSqlite(backup, target, {
      force: true,
      knownMigrations: migrations.map((m) => m.id),
    });
    expect(result.migrations).toEqual(migrations.map((m) => m.id));
    expect(readCounts(target)).toEqual({ a: 20, b: 20, maxA: 20 });
    expect(readCounts(result.previous!)).toMatchObject({ a: 21 });

    const reopened = await openDatabase(`sqlite:${target}`);
    opened.push(reopened);
    expect(await migrate(reopened, migrations)).toEqual([]);
    const row = await sql<{ pad: string }>`select pad from bk_b where id = 7`.execute(reopened.db);
    expect(row.rows[0]?.pad).toBe('b'.repeat(500));
    expect((await readdir(dir)).filter((f) => f.includes('.restore-'))).toEqual([]);
  });

  it('restores into a fresh data directory without --force', async () => {
    const { backup } = await backupOf(3);
    const target = join(dir, 'new', 'data', 'gatekeeper.db');
    const result = await restoreSqlite(backup, target);
    expect(result.previous).toBeUndefined();
    expect(readCounts(target).a).toBe(3);
  });

  it('refuses to overwrite an existing database without --force', async () => {
    const { backup, target } = await backupOf(3);
    await expect(restoreSqlite(backup, target)).rejects.toThrow(/already exists; pass --force/);
    expect(readCounts(target).a).toBe(4);
  });

  it('refuses while a running instance holds the lock, then works once it has died', async () => {
    const { backup, target } = await backupOf(3);
    const holder = await startLockHolder(target);
    await expect(restoreSqlite(backup, target, { force: true })).rejects.toThrow(
      /a running Gatekeeper \(pid \d+.*\) is using/,
    );
    expect(readCounts(target).a).toBe(4);
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    await restoreSqlite(backup, target, { force: true });
    expect(readCounts(target).a).toBe(3);
  });

  it('refuses while another process has the database open, even without the lock', async () => {
    const { backup, target } = await backupOf(3);
    const other = new DatabaseSync(target);
    try {
      other.exec('PRAGMA journal_mode = WAL');
      other.prepare('select count(*) from bk_a').get();
      await expect(restoreSqlite(backup, target, { force: true })).rejects.toThrow(
        /is open in another process/,
      );
    } finally {
      other.close();
    }
    expect(readCounts(target).a).toBe(4);
    expect(await isInstanceRunning(target)).toBe(false); // the restore released its lock
  });

  it('never applies the old database’s write-ahead log to the restored file', async () => {
    const { backup, target } = await backupOf(3);
    // a process that commits in WAL mode and dies without checkpointing leaves a live -wal behind
    const script = `
      const { DatabaseSync } = require('node:sqlite');
      const db = new DatabaseSync(${JSON.stringify(target)});
      db.exec('PRAGMA journal_mode = WAL'); db.exec('PRAGMA wal_autocheckpoint = 0');
      for (let i = 0; i < 50; i++) db.exec("insert into bk_a (pad) values ('crash')");
      process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`;
    const crasher = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(crasher);
    await once(crasher.stdout!, 'data');
    crasher.kill('SIGKILL');
    await once(crasher, 'exit');
    expect((await stat(`${target}-wal`)).size).toBeGreaterThan(0);

    const result = await restoreSqlite(backup, target, { force: true });
    expect(existsSync(`${target}-wal`)).toBe(false);
    expect(readCounts(target)).toEqual({ a: 3, b: 3, maxA: 3 });
    expect(readCounts(result.previous!).a).toBe(54); // the crashed writes survive in the kept copy
    await expect(inspectBackup(target)).resolves.toBeTruthy();
  });

  it('refuses files that are not complete Gatekeeper databases, changing nothing', async () => {
    const { backup, target } = await backupOf(200);
    const original = await readFile(target);
    const bad = async (name: string, make: (path: string) => Promise<void>, reason: RegExp) => {
      const path = join(dir, name);
      await make(path);
      await expect(restoreSqlite(path, target, { force: true })).rejects.toThrow(reason);
      expect((await readFile(target)).equals(original)).toBe(true);
    };
    await bad(
      'text.db',
      (p) => writeFile(p, 'username,email\nalice,a@example.com\n'),
      /is not a SQLite database/,
    );
    await bad(
      'half.db',
      async (p) => {
        await writeFile(p, await readFile(backup));
        await truncate(p, Math.floor((await stat(p)).size / 2));
      },
      /is damaged/,
    );
    await bad(
      'foreign.db',
      async (p) => {
        const other = new DatabaseSync(p);
        other.exec('create table notes (body text)');
        other.close();
      },
      /is not a Gatekeeper database/,
    );
    await bad(
      'unmerged.db',
      async (p) => {
        await writeFile(p, await readFile(backup));
        await writeFile(`${p}-wal`, 'frames');
      },
      /unmerged write-ahead log/,
    );
    await expect(restoreSqlite(join(dir, 'missing.db'), target, { force: true })).rejects.toThrow(
      /does not exist/,
    );
    await expect(
      restoreSqlite(backup, target, { force: true, knownMigrations: ['0001-foundation'] }),
    ).rejects.toThrow(/from a newer Gatekeeper/);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(existsSync(`${backup}-shm`)).toBe(false); // checking a backup leaves no files beside it
  });
});
