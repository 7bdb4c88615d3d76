/**
 * Why: mail caused by an action (a magic link, a reset link, a sign-in alert) must be sent exactly
 * when the action commits, and must survive a crash or an SMTP outage. `mail_outbox` holds each
 * message, written in the SAME transaction as the action (the transactional outbox); a delivery
 * worker claims due rows with a guarded UPDATE (a lease, so a crashed worker's claim expires), sends
 * them and marks them `sent` (the body is then wiped: NULL) or, after the last attempt, `dead`. The
 * rendered message is Fernet-encrypted (`payload`): it carries sign-in links. `mail_templates` holds a
 * tenant's overrides of the built-in templates.
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0025-mail-outbox',
  async up(db, d) {
    await db.schema
      .createTable('mail_outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text')
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('payload', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', d.bigintType, (c) => c.notNull())
      .addColumn('lease_until', d.bigintType)
      .addColumn('last_error', 'text')
      .addColumn('message_id', 'text')
      .addColumn('created_at', d.bigintType, (c) => c.notNull())
      .addColumn('updated_at', d.bigintType, (c) => c.notNull())
      .addColumn('sent_at', d.bigintType)
      .execute();
    await db.schema
      .createIndex('mail_outbox_due')
      .on('mail_outbox')
      .columns(['status', 'next_attempt_at'])
      .execute();
    await db.schema
      .createIndex('mail_outbox_created')
      .on('mail_outbox')
      .columns(['created_at', 'id'])
      .execute();

    await db.schema
      .createTable('mail_templates')
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('text_body', 'text', (c) => c.notNull())
      .addColumn('html_body', 'text', (c) => c.notNull())
      .addColumn('updated_at', d.bigintType, (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('mail_templates_pk', ['tenant_id', 'template'])
      .execute();
  },
};
