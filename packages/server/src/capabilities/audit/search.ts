/**
 * Reading the audit log for people and tools: newest first, paged by `seq` (a keyset cursor), filtered
 * by tenant (served by the (tenant, seq) index), action prefix and time. Read-only; the chain itself
 * is written only by the audit service.
 */
import type { Database } from '../../storage/database.ts';
import { startsWith } from '../../storage/prefix.ts';
import type { AuditEntry } from './chain.ts';
import { entryFromRow } from './rows.ts';

export interface AuditSearchQuery {
  /** Tenant slug; undefined = every tenant (and platform events). */
  tenant?: string;
  /** Only entries with seq below this (the cursor). */
  beforeSeq?: number;
  /** Action prefix, e.g. `user.` or `tenant.suspended`. */
  action?: string;
  /** Epoch-ms bounds. */
  from?: number;
  to?: number;
  limit: number;
}

export interface AuditSearch {
  /** Up to `limit + 1` entries, newest first (the extra one tells whether there is a next page). */
  list(query: AuditSearchQuery): Promise<AuditEntry[]>;
}

export function createAuditSearch(database: Database): AuditSearch {
  const { db, dialect } = database;
  return {
    async list(query) {
      let q = db.selectFrom('audit_log').selectAll();
      if (query.tenant !== undefined) q = q.where('tenant', '=', query.tenant);
      if (query.beforeSeq !== undefined) q = q.where('seq', '<', query.beforeSeq);
      if (query.action) q = q.where(startsWith(dialect, 'action', query.action));
      if (query.from !== undefined) q = q.where('ts', '>=', query.from);
      if (query.to !== undefined) q = q.where('ts', '<', query.to);
      const rows = await q
        .orderBy('seq', 'desc')
        .limit(query.limit + 1)
        .execute();
      return rows.map(entryFromRow);
    },
  };
}
