/**
 * Storage of the audit chain (`audit_log`, `audit_checkpoints`, `audit_prunes`) for SQLite and
 * PostgreSQL alike. The chain is serialised in the database, never in an instance's memory: every
 * append and prune runs in ONE transaction under the `gatekeeper:audit` lock, reads the head, and
 * links to it, so several instances write one unforked chain (`UNIQUE(seq)` backs this up).
 */
import type { Transaction } from 'kysely';
import type { EmittedEvent } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import type { AuditLogTable, Tables } from '../../storage/tables.ts';
import {
  type AuditEntry,
  CHAIN_NAME,
  type Checkpoint,
  GENESIS_ACTION,
  GENESIS_PREV_HASH,
  PRUNED_ACTION,
  type PruneRecord,
  toAuditEvent,
} from './chain.ts';
import { chainAfter, checkpointFromRow, entryFromRow, pruneFromRow, rowFromEntry } from './rows.ts';

/** Name of the cross-process lock that serialises chain writers. */
export const AUDIT_LOCK = 'gatekeeper:audit';
/** Rows per multi-row INSERT (11 parameters each, far below every dialect's limit). */
const INSERT_CHUNK = 500;

/** What one prune did: its record, the `audit.pruned` entry chained with it, rows deleted. */
export interface PruneResult {
  prune: PruneRecord;
  entry: AuditEntry;
  deleted: number;
}

/** Options of `AuditStore.listCheckpoints`. */
export interface CheckpointQuery {
  /** Lowest seq to include (default: all). */
  fromSeq?: number;
  /** Highest seq to include (default: all). */
  toSeq?: number;
  /** Newest first instead of oldest first. */
  newestFirst?: boolean;
  /** At most this many (default 1000). */
  limit?: number;
}

/** Everything the audit service and verifier need from the database. */
export interface AuditStore {
  /** Chains `events` after the current head in one locked transaction; returns the new entries (a genesis entry first if the chain was empty). */
  appendBatch(events: readonly EmittedEvent[]): Promise<AuditEntry[]>;
  /** Up to `limit` entries with `seq >= fromSeq`, in seq order. */
  readRange(fromSeq: number, limit: number): Promise<AuditEntry[]>;
  /** Like `readRange` but raw rows (data as text), for the verifier, which must survive corrupt rows. */
  readRows(fromSeq: number, limit: number): Promise<AuditLogTable[]>;
  /** The entry with the highest seq, if any. */
  head(): Promise<AuditEntry | undefined>;
  /** The highest seq, 0 for an empty table. */
  headSeq(): Promise<number>;
  /** Number of entries with `seq >= fromSeq` (default: all). */
  count(fromSeq?: number): Promise<number>;
  /** Largest seq such that every entry up to it is older than `ts` (0 when none is). */
  lastSeqBefore(ts: number): Promise<number>;
  /** Stores a checkpoint; false when one already exists at that seq (another instance made it). */
  insertCheckpoint(checkpoint: Checkpoint): Promise<boolean>;
  listCheckpoints(query?: CheckpointQuery): Promise<Checkpoint[]>;
  latestCheckpoint(): Promise<Checkpoint | undefined>;
  /**
   * Deletes entries through `seq` (never the head, never the newest checkpoint's entry), records the
   * prune and chains an `audit.pruned` entry naming the last pruned hash, all in one locked
   * transaction. Null when there is nothing to prune.
   */
  pruneThrough(seq: number, options?: { ts?: number; actor?: string }): Promise<PruneResult | null>;
  listPrunes(): Promise<PruneRecord[]>;
  latestPrune(): Promise<PruneRecord | undefined>;
}

type Trx = Transaction<Tables>;

/** The link to chain after: the head row, else the newest prune record, else none (empty chain). */
async function readLink(trx: Trx): Promise<{ seq: number; entryHash: string } | undefined> {
  const head = await trx
    .selectFrom('audit_log')
    .select(['seq', 'entry_hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (head) return { seq: Number(head.seq), entryHash: head.entry_hash };
  const prune = await trx
    .selectFrom('audit_prunes')
    .selectAll()
    .orderBy('through_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return prune ? { seq: Number(prune.through_seq), entryHash: prune.through_hash } : undefined;
}

async function insertEntries(trx: Trx, entries: readonly AuditEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
    await trx
      .insertInto('audit_log')
      .values(entries.slice(i, i + INSERT_CHUNK).map(rowFromEntry))
      .execute();
  }
}

/**
 * Creates the Kysely-backed audit store.
 *
 * @example
 * const store = createAuditStore(database);
 * const [genesis, first] = await store.appendBatch([event]); // genesis only on an empty chain
 */
export function createAuditStore(database: Database): AuditStore {
  const { db, dialect } = database;

  const readRows = (fromSeq: number, limit: number): Promise<AuditLogTable[]> =>
    db.selectFrom('audit_log').selectAll().where('seq', '>=', fromSeq).orderBy('seq').limit(limit).execute();

  const listCheckpoints = async (query: CheckpointQuery = {}): Promise<Checkpoint[]> => {
    let q = db.selectFrom('audit_checkpoints').selectAll();
    if (query.fromSeq !== undefined) q = q.where('seq', '>=', query.fromSeq);
    if (query.toSeq !== undefined) q = q.where('seq', '<=', query.toSeq);
    const rows = await q
      .orderBy('seq', query.newestFirst ? 'desc' : 'asc')
      .limit(query.limit ?? 1000)
      .execute();
    return rows.map(checkpointFromRow);
  };

  const headSeq = async (): Promise<number> => {
    const row = await db
      .selectFrom('audit_log')
      .select('seq')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? Number(row.seq) : 0;
  };

  return {
    readRows,
    listCheckpoints,

    async appendBatch(events) {
      if (events.length === 0) return [];
      const records = events.map(toAuditEvent);
      return db.transaction().execute(async (trx) => {
        await dialect.lockInTransaction(trx, AUDIT_LOCK);
        const entries: AuditEntry[] = [];
        let link = await readLink(trx);
        if (!link) {
          const ts = Math.min(Date.now(), records[0]?.ts ?? Date.now());
          const genesis = chainAfter(
            { seq: 0, entryHash: GENESIS_PREV_HASH },
            toAuditEvent({
              type: GENESIS_ACTION,
              tenant: null,
              actor: 'system',
              target: null,
              result: 'success',
              data: { chain: CHAIN_NAME },
              ts,
            }),
          );
          entries.push(genesis);
          link = genesis;
        }
        for (const record of records) {
          const entry = chainAfter(link, record);
          entries.push(entry);
          link = entry;
        }
        await insertEntries(trx, entries);
        return entries;
      });
    },

    async readRange(fromSeq, limit) {
      return (await readRows(fromSeq, limit)).map(entryFromRow);
    },

    async head() {
      const row = await db
        .selectFrom('audit_log')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? entryFromRow(row) : undefined;
    },

    headSeq,

    async count(fromSeq = 0) {
      const row = await db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('seq', '>=', fromSeq)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async lastSeqBefore(ts) {
      const young = await db
        .selectFrom('audit_log')
        .select('seq')
        .where('ts', '>=', ts)
        .orderBy('seq')
        .limit(1)
        .executeTakeFirst();
      return young ? Number(young.seq) - 1 : headSeq();
    },

    async insertCheckpoint(cp) {
      const result = await db
        .insertInto('audit_checkpoints')
        .values({
          seq: cp.seq,
          entry_hash: cp.entryHash,
          ts: cp.ts,
          key_id: cp.keyId,
          signature: cp.signature,
        })
        .onConflict((oc) => oc.column('seq').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async latestCheckpoint() {
      const [latest] = await listCheckpoints({ newestFirst: true, limit: 1 });
      return latest;
    },

    async pruneThrough(seq, options = {}) {
      return db.transaction().execute(async (trx) => {
        await dialect.lockInTransaction(trx, AUDIT_LOCK);
        const head = await readLink(trx);
        if (!head) return null;
        const checkpoint = await trx
          .selectFrom('audit_checkpoints')
          .select('seq')
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        // Keep the head (the next entry links to it) and the newest checkpoint's entry (so verify can
        // still compare that checkpoint with its row and detect truncation).
        const limit = Math.min(head.seq - 1, checkpoint ? Number(checkpoint.seq) - 1 : head.seq - 1);
        const through = Math.floor(Math.min(seq, limit));
        if (Number.isNaN(through)) return null;
        const last = await trx
          .selectFrom('audit_log')
          .select(['seq', 'entry_hash'])
          .where('seq', '<=', through)
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (!last) return null;
        const prune: PruneRecord = {
          throughSeq: Number(last.seq),
          throughHash: last.entry_hash,
          prunedAt: options.ts ?? Date.now(),
        };
        const deleted = await trx
          .deleteFrom('audit_log')
          .where('seq', '<=', prune.throughSeq)
          .executeTakeFirst();
        await trx
          .insertInto('audit_prunes')
          .values({
            through_seq: prune.throughSeq,
            through_hash: prune.throughHash,
            pruned_at: prune.prunedAt,
          })
          .execute();
        const entry = chainAfter(
          head,
          toAuditEvent({
            type: PRUNED_ACTION,
            tenant: null,
            actor: options.actor ?? 'system',
            target: null,
            result: 'success',
            data: { throughSeq: prune.throughSeq, throughHash: prune.throughHash },
            ts: prune.prunedAt,
          }),
        );
        await insertEntries(trx, [entry]);
        return { prune, entry, deleted: Number(deleted.numDeletedRows) };
      });
    },

    async listPrunes() {
      const rows = await db.selectFrom('audit_prunes').selectAll().orderBy('through_seq').execute();
      return rows.map(pruneFromRow);
    },

    async latestPrune() {
      const row = await db
        .selectFrom('audit_prunes')
        .selectAll()
        .orderBy('through_seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? pruneFromRow(row) : undefined;
    },
  };
}
