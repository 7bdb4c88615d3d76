/**
 * Why: lists sort and page by lower-cased shadow columns and slugs, and keyset cursors, prefix ranges
 * and the merge of username/email matches all assume the database compares text bytewise — as SQLite
 * does by default. A PostgreSQL database created with a linguistic collation (en_US.UTF-8, …) orders
 * differently (it ignores `-` and `.` at the first level), so on PostgreSQL these columns get the
 * "C" collation explicitly; their indexes are rebuilt with it. SQLite needs nothing.
 */
import { sql } from 'kysely';
import type { Migration } from '../migrator.ts';

const COLUMNS: readonly [string, string][] = [
  ['tenants', 'slug'],
  ['users', 'username_lower'],
  ['users', 'email_lower'],
  ['groups', 'name_lower'],
  ['roles', 'name_lower'],
  ['organizations', 'name_lower'],
];

export const migration: Migration = {
  id: '0005-bytewise-collation',
  async up(db, d) {
    if (d.name !== 'postgres') return;
    for (const [table, column] of COLUMNS) {
      await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type text collate "C"`.execute(
        db,
      );
    }
  },
};
