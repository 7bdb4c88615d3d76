/**
 * Why: foreign keys with ON DELETE CASCADE need an index on the referencing column, or PostgreSQL
 * scans the whole child table for every deleted parent (deleting an org unit tree, or a role used by
 * org memberships). Also backs the organizations `createdAt` sort.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0003-directory-indexes',
  async up(db) {
    await db.schema.createIndex('organizations_parent').on('organizations').column('parent_id').execute();
    await db.schema
      .createIndex('organizations_tenant_created')
      .on('organizations')
      .columns(['tenant_id', 'created_at', 'id'])
      .execute();
    await db.schema.createIndex('org_members_role').on('org_members').column('role_id').execute();
    await db.schema.createIndex('user_roles_role').on('user_roles').column('role_id').execute();
    await db.schema.createIndex('group_roles_role').on('group_roles').column('role_id').execute();
  },
};
