/**
 * Row types of every table, as the database holds them. Migrations create these tables; stores read
 * and write them through `Kysely<Tables>`. Timestamps are epoch ms (`number`), flags are 0/1
 * integers, JSON is stored as text: one representation for SQLite and PostgreSQL alike.
 */
import type { Generated } from 'kysely';

export interface MigrationsTable {
  id: string;
  checksum: string;
  applied_at: number;
}

/** Runtime settings changed through the CLI or admin API; highest-precedence config source. */
export interface SettingsTable {
  key: string;
  /** JSON text; Fernet token when `encrypted` = 1. */
  value: string;
  encrypted: number;
  updated_at: number;
  updated_by: string;
}

export interface AuditLogTable {
  seq: number;
  ts: number;
  tenant: string | null;
  actor: string;
  action: string;
  target: string | null;
  result: string;
  request_id: string | null;
  /** Canonical JSON text of the event's data. */
  data: string;
  prev_hash: string;
  entry_hash: string;
}

export interface AuditCheckpointsTable {
  seq: number;
  entry_hash: string;
  ts: number;
  key_id: string;
  signature: string;
}

export interface AuditPrunesTable {
  through_seq: number;
  through_hash: string;
  pruned_at: number;
}

export interface Tables {
  gk_migrations: MigrationsTable;
  settings: SettingsTable;
  audit_log: AuditLogTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_prunes: AuditPrunesTable;
}

export type { Generated };
