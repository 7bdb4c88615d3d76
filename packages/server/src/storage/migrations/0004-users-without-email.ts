/**
 * Why: listing users sorted by email puts the users without an email in one group that no existing
 * index orders, so every page of a descending email sort sorted that whole group (35 ms at 100,000
 * users). A partial index on (tenant_id, id) for those rows keeps every page an index walk.
 */
import { sql } from 'kysely';
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0004-users-without-email',
  async up(db) {
    await db.schema
      .createIndex('users_tenant_no_email')
      .on('users')
      .columns(['tenant_id', 'id'])
      .where(sql.ref('email_lower'), 'is', null)
      .execute();
  },
};
