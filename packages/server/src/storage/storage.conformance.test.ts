/**
 * Storage conformance: the same behaviour on SQLite and PostgreSQL — timestamp representation,
 * parameter guards, consume-once and guarded increment under concurrency, and migrator guarantees.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, describeEachDialect, dialectAvailable } from '../../test/databases.ts';
import { migrations } from './migrations/index.ts';
import { type Migration, migrate, migrationStatus } from './migrator.ts';
import { consumeOne, deleteMatching, incrementOne } from './primitives.ts';
import { checkSqliteParameter } from './sqlite-driver.ts';

describeEachDialect('storage', (get, label) => {
  it('applies every migration and reports none pending', async () => {
    const status = await migrationStatus(get().database, migrations);
    expect(status.pending).toEqual([]);
    expect(status.applied).toEqual(migrations.map((m) => m.id));
  });

  it('is idempotent: migrating again applies nothing', async () => {
    expect(await migrate(get().database, migrations)).toEqual([]);
  });

  it('round-trips epoch-millisecond timestamps as numbers', async () => {
    const { db } = get().database;
    const ts = 1_893_456_000_123; // 2030, beyond 32 bits
    await db
      .insertInto('settings')
      .values({ key: `t-${label}`, value: '1', encrypted: 0, updated_at: ts, updated_by: 'test' })
      .execute();
    const row = await db
      .selectFrom('settings')
      .selectAll()
      .where('key', '=', `t-${label}`)
      .executeTakeFirstOrThrow();
    expect(row.updated_at).toBe(ts);
    expect(typeof row.updated_at).toBe('number');
  });

  it('consumes a row exactly once under concurrency', async () => {
    const { db } = get().database;
    await db
      .insertInto('settings')
      .values({ key: 'once', value: '"x"', encrypted: 0, updated_at: 1, updated_by: 't' })
      .execute();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => consumeOne(db, 'settings', { key: 'once' })),
    );
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    expect(await consumeOne(db, 'settings', { key: 'once' })).toBeUndefined();
  });

  it.runIf(label === 'postgres')('consumes once across two independent connections', async () => {
    const a = get().database;
    const b = await get().openAnother();
    await a.db
      .insertInto('settings')
      .values({ key: 'once2', value: '"x"', encrypted: 0, updated_at: 1, updated_by: 't' })
      .execute();
    const [ra, rb] = await Promise.all([
      consumeOne(a.db, 'settings', { key: 'once2' }),
      consumeOne(b.db, 'settings', { key: 'once2' }),
    ]);
    expect([ra, rb].filter((r) => r !== undefined)).toHaveLength(1);
  });

  it('increments with a guard that concurrent callers cannot overshoot', async () => {
    const { db } = get().database;
    await db
      .insertInto('settings')
      .values({ key: 'counter', value: '0', encrypted: 0, updated_at: 0, updated_by: 't' })
      .execute();
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        incrementOne(db, 'settings', 'updated_at', { key: 'counter' }, { below: 10 }),
      ),
    );
    const granted = results.filter((r) => r !== undefined);
    expect(granted).toHaveLength(10);
    expect(new Set(granted).size).toBe(10);
    const row = await db
      .selectFrom('settings')
      .select('updated_at')
      .where('key', '=', 'counter')
      .executeTakeFirst();
    expect(row?.updated_at).toBe(10);
    expect(await incrementOne(db, 'settings', 'updated_at', { key: 'missing' })).toBeUndefined();
  });

  it('deletes exactly the rows matching every equality', async () => {
    const { db } = get().database;
    const row = (key: string, by: string) => ({
      key,
      value: '1',
      encrypted: 0,
      updated_at: 1,
      updated_by: by,
    });
    await db
      .insertInto('settings')
      .values([row('del-a', 'x'), row('del-b', 'y')])
      .execute();
    expect(await deleteMatching(db, 'settings', { key: 'del-a', updated_by: 'y' })).toBe(false);
    expect(await deleteMatching(db, 'settings', { key: 'del-a', updated_by: 'x' })).toBe(true);
    expect(await deleteMatching(db, 'settings', { key: 'del-a' })).toBe(false);
    expect(
      await db.selectFrom('settings').select('key').where('key', '=', 'del-b').executeTakeFirst(),
    ).toBeDefined();
  });

  it('maps unique violations through the dialect flags', async () => {
    const { db, dialect } = get().database;
    const row = { key: 'dup', value: '1', encrypted: 0, updated_at: 1, updated_by: 't' };
    await db.insertInto('settings').values(row).execute();
    const err = await db
      .insertInto('settings')
      .values(row)
      .execute()
      .catch((e: unknown) => e);
    expect(dialect.isUniqueViolation(err)).toBe(true);
    expect(dialect.isUniqueViolation(new Error('x'))).toBe(false);
  });

  it('rolls a failed transaction back completely', async () => {
    const { db } = get().database;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx
          .insertInto('settings')
          .values({ key: 'tx', value: '1', encrypted: 0, updated_at: 1, updated_by: 't' })
          .execute();
        await sql`select * from no_such_table`.execute(trx);
      }),
    ).rejects.toThrow();
    expect(
      await db.selectFrom('settings').selectAll().where('key', '=', 'tx').executeTakeFirst(),
    ).toBeUndefined();
  });
});

describe('migrator guarantees', () => {
  it('refuses to start when an applied migration was edited', async () => {
    const t = await createTestDatabase('sqlite');
    try {
      const edited: Migration = { id: migrations[0]!.id, up: async () => {} };
      await expect(migrate(t.database, [edited, ...migrations.slice(1)])).rejects.toThrow(
        /changed after it was applied/,
      );
    } finally {
      await t.cleanup();
    }
  });

  it('refuses a database with migrations this build does not know', async () => {
    const t = await createTestDatabase('sqlite');
    try {
      await expect(migrate(t.database, [])).rejects.toThrow(/does not know/);
    } finally {
      await t.cleanup();
    }
  });

  // Two PostgreSQL connections stand in for two instances. node:sqlite is synchronous, so two
  // handles in ONE process would block each other's thread; separate processes wait on the busy timeout.
  it.runIf(dialectAvailable('postgres'))(
    'two instances migrating at once leave one consistent schema',
    async () => {
      const t = await createTestDatabase('postgres', { migrate: false });
      try {
        const other = await t.openAnother();
        const [a, b] = await Promise.all([migrate(t.database, migrations), migrate(other, migrations)]);
        expect([...a, ...b].sort()).toEqual(migrations.map((m) => m.id));
      } finally {
        await t.cleanup();
      }
    },
  );
});

describe('migration checksums', () => {
  const a: Migration = {
    id: '9999-x',
    async up(db) {
      await db.schema
        .createTable('x')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .execute();
    },
  };
  // the same statements, written differently (what a loader's transform or a comment edit does)
  const b: Migration = {
    id: '9999-x',
    up: async (db) => {
      // a comment
      await db.schema
        .createTable('x')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .execute();
    },
  };
  const c: Migration = {
    id: '9999-x',
    async up(db) {
      await db.schema
        .createTable('x')
        .addColumn('id', 'integer', (col) => col.primaryKey())
        .execute();
    },
  };

  it('hash the SQL a migration issues, not its source text', async () => {
    const { sqliteFeatures, postgresFeatures } = await import('./dialect.ts');
    const { migrationChecksum } = await import('./migrator.ts');
    expect(await migrationChecksum(a, sqliteFeatures)).toBe(await migrationChecksum(b, sqliteFeatures));
    expect(await migrationChecksum(a, sqliteFeatures)).not.toBe(await migrationChecksum(c, sqliteFeatures));
    expect(await migrationChecksum(a, postgresFeatures)).toBe(await migrationChecksum(b, postgresFeatures));
  });
});

describe('node:sqlite parameter guard', () => {
  it.each([
    [new Date(), /Date/],
    [undefined, /undefined/],
    [true, /boolean/],
    [Number.NaN, /finite/],
    [Number.POSITIVE_INFINITY, /finite/],
  ])('refuses %s', (value, message) => {
    expect(() => checkSqliteParameter(value, 0)).toThrow(message);
  });

  it('passes strings, numbers, bigints, null and bytes', () => {
    for (const v of ['a', 1, 2n, null, new Uint8Array([1])]) expect(checkSqliteParameter(v, 0)).toBe(v);
  });
});
