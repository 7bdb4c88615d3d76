/**
 * Why: a tenant can require MFA of everyone, of a group's members or of one user. `mfa_requirements`
 * lists those subjects (`subject_type` tenant | group | user; `subject_id` '' for the tenant). The
 * grace period is counted from the first sign-in after MFA became required: `mfa_grace` records that
 * moment once per user (an INSERT that a second sign-in cannot repeat).
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0028-mfa-enforcement',
  async up(db, d) {
    await db.schema
      .createTable('mfa_requirements')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('subject_type', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('grace_days', 'integer', (c) => c.notNull())
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('mfa_requirements_pk', ['tenant_id', 'subject_type', 'subject_id'])
      .execute();
    await db.schema
      .createTable('mfa_grace')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('started_at', d.bigintType, (c) => c.notNull())
      .execute();
  },
};
