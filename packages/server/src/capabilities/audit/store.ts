/**
 * Storage of the audit chain (`audit_log`, `audit_checkpoints`, `audit_prunes`) for SQLite and
 * PostgreSQL alike. The chain is serialised in the database, never in an instance's memory: every
 * append and prune runs in ONE transaction under the `gatekeeper:audit` lock, reads the head, and
 * links to it, so several instances write one unforked chain (`UNIQUE(seq)` backs this up).
 */
import { CompiledQuery, type Transaction } from 'kysely';
import type { EmittedEvent } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import type { AuditLogTable, AuditOutboxTable, Tables } from '../../storage/tables.ts';
import type { SqlLiteral } from '../../storage/unit-of-work.ts';
import {
  type AuditEntry,
  CHAIN_NAME,
  type Checkpoint,
  canonicalJson,
  computeEntryHashOfText,
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
  /**
   * Writes events to the outbox (unchained). Inside a unit of work this joins the change's
   * transaction, which is how a change and its audit event commit together. The events must already
   * be snapshots made by `toAuditEvent` (redacted, storable): the audit service makes them at emit.
   */
  enqueue(events: readonly EmittedEvent[]): Promise<void>;
  /** The INSERT `enqueue` would run, with its values as literals (sent with a unit's COMMIT). */
  renderEnqueue(events: readonly EmittedEvent[], literal: SqlLiteral): string;
  /**
   * The sequencer's step: in one transaction under the audit lock, chains up to `limit` outbox
   * events (oldest first) after the head and deletes them from the outbox. Returns the new entries
   * (a genesis entry first if the chain was empty); none when the outbox is empty.
   */
  drainOutbox(limit: number): Promise<AuditEntry[]>;
  /** The highest outbox id (0 when empty): `flush` waits until nothing at or below it is left. */
  outboxHighWater(): Promise<number>;
  /** Outbox events with id ≤ `throughId` not chained yet. */
  outboxPending(throughId?: number): Promise<number>;
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
  /**
   * In one transaction under the audit lock (one checkpoint writer at a time across instances): signs
   * the head with `sign` and stores it unless the newest checkpoint is already at the head. Null on an
   * empty chain or when the head is behind the newest checkpoint (truncation: verify reports it).
   */
  checkpointHead(
    sign: (payload: { seq: number; entryHash: string; ts: number }) => Checkpoint,
  ): Promise<{ checkpoint: Checkpoint; created: boolean } | null>;
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

/** Opens an empty chain; its timestamp is no later than the first event's (retention counts from it). */
async function insertGenesis(trx: Trx, firstTs: number | undefined): Promise<AuditEntry> {
  const genesis = chainAfter(
    { seq: 0, entryHash: GENESIS_PREV_HASH },
    toAuditEvent({
      type: GENESIS_ACTION,
      tenant: null,
      actor: 'system',
      target: null,
      result: 'success',
      data: { chain: CHAIN_NAME },
      ts: Math.min(Date.now(), firstTs ?? Date.now()),
    }),
  );
  await insertEntries(trx, [genesis]);
  return genesis;
}

/** Chains `records` after the head inside `trx` (which holds the audit lock); genesis first if empty. */
async function chainRecords(trx: Trx, records: readonly EmittedEvent[]): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let link = await readLink(trx);
  if (!link) {
    const genesis = await insertGenesis(trx, records[0]?.ts);
    entries.push(genesis);
    link = genesis;
  }
  const chained: AuditEntry[] = [];
  for (const record of records) {
    const entry = chainAfter(link, record);
    chained.push(entry);
    link = entry;
  }
  await insertEntries(trx, chained);
  return [...entries, ...chained];
}

/** An outbox row as the sequencer reads it. */
type OutboxRow = Omit<AuditOutboxTable, 'id'> & { id: number | string };

function outboxRowOf(event: EmittedEvent): Omit<AuditOutboxTable, 'id'> {
  return {
    ts: event.ts,
    tenant: event.tenant,
    actor: event.actor,
    action: event.type,
    target: event.target,
    result: event.result,
    request_id: event.requestId ?? null,
    data: canonicalJson(event.data ?? {}),
  };
}

/**
 * Chains outbox rows after the head inside `trx` (which holds the audit lock). Their data is canonical
 * JSON already, so it is hashed and stored as is (no second canonicalization); genesis first if empty.
 */
async function chainOutboxRows(trx: Trx, rows: readonly OutboxRow[]): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let link = await readLink(trx);
  if (!link) {
    const genesis = await insertGenesis(trx, rows[0] ? Number(rows[0].ts) : undefined);
    entries.push(genesis);
    link = genesis;
  }
  const stored: AuditLogTable[] = [];
  for (const row of rows) {
    const unhashed = {
      seq: link.seq + 1,
      ts: Number(row.ts),
      tenant: row.tenant,
      actor: row.actor,
      action: row.action,
      target: row.target,
      result: row.result,
      requestId: row.request_id,
      prevHash: link.entryHash,
    };
    const entryHash = computeEntryHashOfText(unhashed, row.data);
    stored.push({ ...rowFromEntry({ ...unhashed, data: {}, entryHash }), data: row.data });
    const entry: AuditEntry = {
      ...unhashed,
      data: JSON.parse(row.data) as Record<string, unknown>,
      entryHash,
    };
    entries.push(entry);
    link = entry;
  }
  for (let i = 0; i < stored.length; i += INSERT_CHUNK) {
    await trx
      .insertInto('audit_log')
      .values(stored.slice(i, i + INSERT_CHUNK))
      .execute();
  }
  return entries;
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

  const placeholders =
    dialect.name === 'postgres' ? '$1, $2, $3, $4, $5, $6, $7, $8' : '?, ?, ?, ?, ?, ?, ?, ?';
  const insertOneOutboxRow = `insert into audit_outbox (ts, tenant, actor, action, target, result, request_id, data) values (${placeholders})`;

  return {
    readRows,
    listCheckpoints,

    async appendBatch(events) {
      if (events.length === 0) return [];
      const records = events.map(toAuditEvent);
      return db.transaction().execute(async (trx) => {
        await dialect.lockInTransaction(trx, AUDIT_LOCK);
        return chainRecords(trx, records);
      });
    },

    async enqueue(events) {
      const rows = events.map(outboxRowOf);
      // the common case, one event per change, skips the query builder (it is on every write's path)
      if (rows.length === 1) {
        const r = rows[0]!;
        const params = [r.ts, r.tenant, r.actor, r.action, r.target, r.result, r.request_id, r.data];
        await db.executeQuery(CompiledQuery.raw(insertOneOutboxRow, params));
        return;
      }
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await db
          .insertInto('audit_outbox')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .execute();
      }
    },

    renderEnqueue(events, literal) {
      const values = events.map((e) => {
        const r = outboxRowOf(e);
        return `(${[r.ts, r.tenant, r.actor, r.action, r.target, r.result, r.request_id, r.data].map(literal).join(', ')})`;
      });
      return `insert into audit_outbox (ts, tenant, actor, action, target, result, request_id, data) values ${values.join(', ')}`;
    },

    async drainOutbox(limit) {
      return db.transaction().execute(async (trx) => {
        await dialect.lockInTransaction(trx, AUDIT_LOCK);
        const rows = await trx.selectFrom('audit_outbox').selectAll().orderBy('id').limit(limit).execute();
        if (rows.length === 0) return [];
        const entries = await chainOutboxRows(trx, rows);
        await trx
          .deleteFrom('audit_outbox')
          .where(
            'id',
            'in',
            rows.map((r) => Number(r.id)),
          )
          .execute();
        return entries;
      });
    },

    async outboxHighWater() {
      const row = await db
        .selectFrom('audit_outbox')
        .select('id')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? Number(row.id) : 0;
    },

    async outboxPending(throughId) {
      let q = db.selectFrom('audit_outbox').select((eb) => eb.fn.countAll().as('n'));
      if (throughId !== undefined) q = q.where('id', '<=', throughId);
      const row = await q.executeTakeFirst();
      return Number(row?.n ?? 0);
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

    async checkpointHead(sign) {
      return db.transaction().execute(async (trx) => {
        await dialect.lockInTransaction(trx, AUDIT_LOCK);
        const head = await trx
          .selectFrom('audit_log')
          .select(['seq', 'entry_hash'])
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (!head) return null;
        const latestRow = await trx
          .selectFrom('audit_checkpoints')
          .selectAll()
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        const latest = latestRow ? checkpointFromRow(latestRow) : undefined;
        const seq = Number(head.seq);
        if (latest && latest.seq === seq) return { checkpoint: latest, created: false };
        if (latest && latest.seq > seq) return null;
        const cp = sign({ seq, entryHash: head.entry_hash, ts: Date.now() });
        await trx
          .insertInto('audit_checkpoints')
          .values({
            seq: cp.seq,
            entry_hash: cp.entryHash,
            ts: cp.ts,
            key_id: cp.keyId,
            signature: cp.signature,
          })
          .execute();
        return { checkpoint: cp, created: true };
      });
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
