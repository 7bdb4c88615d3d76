/**
 * Units of work on both dialects: every query inside `database.write` joins one transaction (all or
 * nothing), nested `db.transaction()` blocks join it, buffered rows are written before COMMIT and
 * after-commit hooks run only after it; concurrent units never deadlock the single SQLite connection.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/databases.ts';
import { currentUnit } from './unit-of-work.ts';

const row = (key: string) => ({ key, value: '1', encrypted: 0, updated_at: 1, updated_by: 't' });

describeEachDialect('units of work', (get) => {
  const keys = async (prefix: string) =>
    (
      await get()
        .database.db.selectFrom('settings')
        .select('key')
        .where('key', 'like', `${prefix}%`)
        .orderBy('key')
        .execute()
    ).map((r) => r.key);

  it('commits every query of the unit together', async () => {
    const { database } = get();
    await database.write(async () => {
      await database.db.insertInto('settings').values(row('c-1')).execute();
      await database.db.insertInto('settings').values(row('c-2')).execute();
    });
    expect(await keys('c-')).toEqual(['c-1', 'c-2']);
  });

  it('rolls every query back when the unit throws, including nested transactions', async () => {
    const { database } = get();
    await expect(
      database.write(async () => {
        await database.db.insertInto('settings').values(row('r-1')).execute();
        await database.db.transaction().execute(async (trx) => {
          await trx.insertInto('settings').values(row('r-2')).execute();
        });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await keys('r-')).toEqual([]);
  });

  it('does not commit when a nested transaction rolled back, even if its error was caught', async () => {
    const { database } = get();
    await expect(
      database.write(async () => {
        await database.db.insertInto('settings').values(row('n-1')).execute();
        await database.db
          .transaction()
          .execute(async () => {
            throw new Error('inner');
          })
          .catch(() => {});
      }),
    ).rejects.toThrow(/rolled back/);
    expect(await keys('n-')).toEqual([]);
  });

  it('writes collected rows before COMMIT and runs after-commit hooks after it', async () => {
    const { database } = get();
    const order: string[] = [];
    await database.write(async () => {
      const unit = currentUnit()!;
      for (const k of ['b-1', 'b-2']) {
        unit.collect('rows', k, async (items: string[]) => {
          order.push(`flush ${items.join(',')}`);
          await database.db
            .insertInto('settings')
            .values(items.map((i) => row(i)))
            .execute();
        });
      }
      unit.afterCommit(() => order.push('after'));
      unit.afterCommit(() => {
        throw new Error('a failing hook never fails the caller');
      });
      order.push('body');
    });
    expect(order).toEqual(['body', 'flush b-1,b-2', 'after']);
    expect(await keys('b-')).toEqual(['b-1', 'b-2']);
  });

  it('sends rendered rows with COMMIT (PostgreSQL) or flushes them (SQLite), values intact', async () => {
    const { database } = get();
    const tricky = ["it's", 'back\\slash', 'new\nline', "'; drop table settings; --", '😀 ü', '$1 $$x$$'];
    await database.write(async () => {
      for (const [i, value] of tricky.entries()) {
        currentUnit()!.collect(
          'lit',
          { key: `l-${i}`, value },
          async (items) => {
            await database.db
              .insertInto('settings')
              .values(items.map((x) => ({ ...row(x.key), value: x.value })))
              .execute();
          },
          (items, literal) =>
            `insert into settings (key, value, encrypted, updated_at, updated_by) values ${items
              .map((x) => `(${[x.key, x.value, 0, 1, 't'].map(literal).join(', ')})`)
              .join(', ')}`,
        );
      }
    });
    const rows = await database.db
      .selectFrom('settings')
      .select(['key', 'value'])
      .where('key', 'like', 'l-%')
      .orderBy('key')
      .execute();
    expect(rows.map((r) => r.value)).toEqual(tricky);
  });

  it('a failing flush rolls the whole unit back and runs no hook', async () => {
    const { database } = get();
    let ran = false;
    await expect(
      database.write(async () => {
        await database.db.insertInto('settings').values(row('f-1')).execute();
        currentUnit()!.collect('dup', row('f-1'), async (items) => {
          await database.db.insertInto('settings').values(items).execute(); // duplicate key
        });
        currentUnit()!.afterCommit(() => {
          ran = true;
        });
      }),
    ).rejects.toThrow();
    expect(await keys('f-')).toEqual([]);
    expect(ran).toBe(false);
  });

  it('runs many concurrent units and plain queries without deadlock or interleaving', async () => {
    const { database } = get();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 4 === 0
          ? database.db.selectFrom('settings').selectAll().execute()
          : database.write(async () => {
              await database.db
                .insertInto('settings')
                .values(row(`p-${i}-a`))
                .execute();
              await new Promise((r) => setTimeout(r, 1));
              await database.db
                .insertInto('settings')
                .values(row(`p-${i}-b`))
                .execute();
            }),
      ),
    );
    expect((await keys('p-')).length).toBe(60);
  });

  it('joins an enclosing unit and lets work started after it use its own connection', async () => {
    const { database } = get();
    let late: Promise<unknown> | undefined;
    await database.write(async () => {
      await database.write(async () => {
        await database.db.insertInto('settings').values(row('j-1')).execute();
      });
      currentUnit()!.afterCommit(() => {
        late = database.db.insertInto('settings').values(row('j-2')).execute();
      });
    });
    await late;
    expect(await keys('j-')).toEqual(['j-1', 'j-2']);
    expect(currentUnit()).toBeUndefined();
  });

  // PostgreSQL: BEGIN waits for the unit's first statement, and travels with it when that is a lock
  it('holds a lock taken first in a unit until the unit ends, its changes committing with it', async () => {
    const { database } = get();
    const other = await get().openAnother();
    const name = `uow-lock-${Math.random().toString(36).slice(2)}`;
    const taken = async () =>
      database.dialect.name === 'postgres'
        ? (
            await sql<{ got: boolean }>`select pg_try_advisory_lock(hashtext(${name})) as got`.execute(
              other.db,
            )
          ).rows[0]!.got
        : true;
    let heldInside: boolean | undefined;
    await database.write(async () => {
      await database.db.transaction().execute((trx) => database.dialect.lockInTransaction(trx, name));
      await database.db.insertInto('settings').values(row('lk-1')).execute();
      heldInside = !(await taken());
    });
    if (database.dialect.name === 'postgres') {
      expect(heldInside).toBe(true); // not released at the end of the lock's own statement
      expect(await taken()).toBe(true); // released at COMMIT
      await sql`select pg_advisory_unlock(hashtext(${name}))`.execute(other.db);
    }
    expect(await keys('lk-')).toEqual(['lk-1']);
    // and rolled back with it
    await expect(
      database.write(async () => {
        await database.db.transaction().execute((trx) => database.dialect.lockInTransaction(trx, name));
        await database.db.insertInto('settings').values(row('lk-2')).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await keys('lk-')).toEqual(['lk-1']);
  });

  it('a unit that issues no statement, or whose first statement fails, leaves the connection usable', async () => {
    const { database } = get();
    expect(await database.write(async () => 'nothing')).toBe('nothing');
    await expect(
      database.write(async () => {
        await database.db.insertInto('settings').values(row('ef-1')).execute();
        await database.db.insertInto('settings').values(row('ef-1')).execute(); // duplicate key
      }),
    ).rejects.toThrow();
    await expect(
      database.write(async () => {
        await sql`select * from no_such_table`.execute(database.db);
      }),
    ).rejects.toThrow();
    // many units after those, on every pooled connection: none is left inside a failed transaction
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        database.write(async () => {
          await database.db
            .insertInto('settings')
            .values(row(`ef-ok-${i}`))
            .execute();
        }),
      ),
    );
    expect((await keys('ef-ok-')).length).toBe(12);
  });
});

describe('currentUnit', () => {
  it('is undefined outside a unit', () => {
    expect(currentUnit()).toBeUndefined();
  });
});
