/**
 * Mapping between stored audit rows (snake_case, data as canonical JSON text) and chain values, and
 * the one place an event becomes a linked, hashed entry. Shared by the store (writing) and the
 * verifier (recomputing), so both hash exactly the same fields.
 */
import type { EmittedEvent } from '../../events/event-bus.ts';
import type { AuditCheckpointsTable, AuditLogTable, AuditPrunesTable } from '../../storage/tables.ts';
import {
  type AuditEntry,
  type Checkpoint,
  canonicalJson,
  computeEntryHash,
  type PruneRecord,
} from './chain.ts';

/** Maps a stored row to an entry; throws when its data is not JSON (the verifier uses `rowHash`). */
export function entryFromRow(row: AuditLogTable): AuditEntry {
  return {
    seq: Number(row.seq),
    ts: Number(row.ts),
    tenant: row.tenant,
    actor: row.actor,
    action: row.action,
    target: row.target,
    result: row.result,
    requestId: row.request_id,
    data: JSON.parse(row.data) as Record<string, unknown>,
    prevHash: row.prev_hash,
    entryHash: row.entry_hash,
  };
}

/** Maps an entry to its row; data is stored as canonical JSON text. */
export function rowFromEntry(entry: AuditEntry): AuditLogTable {
  return {
    seq: entry.seq,
    ts: entry.ts,
    tenant: entry.tenant,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    result: entry.result,
    request_id: entry.requestId,
    data: canonicalJson(entry.data),
    prev_hash: entry.prevHash,
    entry_hash: entry.entryHash,
  };
}

/** Maps a stored checkpoint row. */
export function checkpointFromRow(row: AuditCheckpointsTable): Checkpoint {
  return {
    seq: Number(row.seq),
    entryHash: row.entry_hash,
    ts: Number(row.ts),
    keyId: row.key_id,
    signature: row.signature,
  };
}

/** Maps a stored prune row. */
export function pruneFromRow(row: AuditPrunesTable): PruneRecord {
  return {
    throughSeq: Number(row.through_seq),
    throughHash: row.through_hash,
    prunedAt: Number(row.pruned_at),
  };
}

/** Links an (already redacted) event after `prev`. */
export function chainAfter(prev: { seq: number; entryHash: string }, event: EmittedEvent): AuditEntry {
  const unhashed = {
    seq: prev.seq + 1,
    ts: event.ts,
    tenant: event.tenant,
    actor: event.actor,
    action: event.type,
    target: event.target,
    result: event.result,
    requestId: event.requestId ?? null,
    data: event.data ?? {},
    prevHash: prev.entryHash,
  };
  return { ...unhashed, entryHash: computeEntryHash(unhashed) };
}

/**
 * Recomputes the hash a stored row should have, from its columns (data parsed from text). Returns a
 * reason instead when the row cannot be hashed (data not a JSON object, malformed prev_hash).
 */
export function rowHash(row: AuditLogTable): { hash: string } | { reason: string } {
  let data: unknown;
  try {
    data = JSON.parse(row.data);
  } catch {
    return { reason: 'its data is not valid JSON' };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return { reason: 'its data is not an object' };
  try {
    const { entryHash: _stored, ...unhashed } = entryFromRow({ ...row, data: '{}' });
    return { hash: computeEntryHash({ ...unhashed, data: data as Record<string, unknown> }) };
  } catch (err) {
    return { reason: (err as Error).message };
  }
}
