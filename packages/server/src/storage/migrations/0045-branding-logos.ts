/**
 * Why: a tenant may upload its logo instead of naming an https URL (issue 9 §1, branding). The
 * checked, cleaned image (PNG, JPEG or WebP, at most 256 KiB) is kept in the database so every
 * instance serves it and a backup carries it; base64 text rather than a binary column, so SQLite and
 * PostgreSQL store it the same way. `digest` (SHA-256 of the bytes) names the served URL, which is
 * therefore immutable and cached for a year. One row per tenant; deleting the tenant deletes it.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0045-branding-logos',
  async up(db, d) {
    await db.schema
      .createTable('branding_logos')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('width', 'integer', (c) => c.notNull())
      .addColumn('height', 'integer', (c) => c.notNull())
      .addColumn('updated_at', d.bigintType, (c) => c.notNull())
      .execute();
  },
};
