/**
 * Why: dynamic client registration made public clients only; a tenant may now also let confidential
 * clients (a client secret, issued by Gatekeeper and stored as a digest) register themselves
 * (`confidential_clients`, off unless turned on).
 *
 * And: a client known by its Client ID Metadata Document (an https client_id) needed no registration
 * and every tenant accepted any such URL, with no way to refuse one (issue 10). Each tenant's client
 * policy now also says whether metadata-document clients are accepted at all, from which client_id
 * URL patterns (none: any https URL), and which client_ids are blocked — a blocked client is refused
 * at once, its outstanding tokens with it. On the existing registration-policy row; a tenant without
 * one keeps today's behaviour (accepted, any URL, none blocked).
 */
import type { Migration } from '../migrator.ts';

export const migration: Migration = {
  id: '0047-oidc-client-policy',
  async up(db) {
    await db.schema
      .alterTable('oidc_registration_policies')
      .addColumn('metadata_documents', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .alterTable('oidc_registration_policies')
      .addColumn('metadata_document_patterns', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema
      .alterTable('oidc_registration_policies')
      .addColumn('blocked_metadata_clients', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema
      .alterTable('oidc_registration_policies')
      .addColumn('confidential_clients', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
