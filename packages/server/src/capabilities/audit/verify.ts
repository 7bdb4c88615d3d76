/**
 * `gatekeeper audit verify`: walks the chain in seq order, in batches (never the whole table in
 * memory), and reports the FIRST problem with its seq, kind, and expected and actual hashes. Per row,
 * in this order: the chain start is well formed (genesis, or the row right after the newest prune),
 * seq is contiguous (gap = deleted), prev_hash links to the previous row (else inserted / reordered /
 * modified), entry_hash recomputes (modified); then each checkpoint at that seq is signed by a known
 * key and matches the row. A head below the newest checkpoint is truncation
 * (shared/design/audit-chain.md).
 */
import type { Database } from '../../storage/database.ts';
import type { AuditLogTable } from '../../storage/tables.ts';
import {
  CHAIN_NAME,
  type Checkpoint,
  type CheckpointKey,
  GENESIS_ACTION,
  GENESIS_PREV_HASH,
  PRUNED_ACTION,
  type PruneRecord,
} from './chain.ts';
import { rowHash } from './rows.ts';
import { createAuditStore } from './store.ts';
import {
  checkpointCursor,
  describeCheckpoint,
  newestValidCheckpoint,
  type VerifiedCheckpoint,
} from './verify-checkpoints.ts';
import { fail, VerifyFailure, type VerifyProblem } from './verify-problem.ts';

export type { VerifyProblem, VerifyProblemKind } from './verify-problem.ts';

/** How far a timestamp may go backwards before a warning (several writers interleave). */
const CLOCK_TOLERANCE_MS = 5000;
const MAX_WARNINGS = 100;

/** True when a genesis row's data is `{ chain: CHAIN_NAME }`. */
function namesTheChain(data: string): boolean {
  try {
    return (JSON.parse(data) as { chain?: unknown } | null)?.chain === CHAIN_NAME;
  } catch {
    return false;
  }
}

/** The outcome of `verifyChain`. */
export interface VerifyReport {
  ok: boolean;
  /** Entries examined (up to the problem, if any). */
  entries: number;
  /** Highest seq in the table (0 when empty). */
  headSeq: number;
  checkpointsVerified: number;
  /** Outside anchors checked against the chain. */
  anchorsVerified: number;
  problem?: VerifyProblem;
  warnings: string[];
}

/** Options of `verifyChain`. */
export interface VerifyOptions {
  database: Database;
  /** Every key a checkpoint may have been signed with (matched by id). */
  checkpointKeys: readonly CheckpointKey[];
  /**
   * Signed checkpoints kept outside the database (`--anchors FILE`, see `anchors.ts`): each must match
   * the chain, so a rewrite is found even when the checkpoint rows were deleted with it.
   */
  anchors?: readonly Checkpoint[];
  /** Start at the newest validly signed checkpoint instead of the chain start (incremental). */
  fromCheckpoint?: boolean;
  /** Rows per read. Default 1000. */
  batchSize?: number;
  /** Rows searched ahead/behind to tell reordered and inserted rows apart. Default 4096. */
  window?: number;
  /** Called after each batch with entries done and the total to examine. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Verifies the audit chain and reports the first problem. Never throws for tampering, only for I/O.
 *
 * @example
 * const report = await verifyChain({ database, checkpointKeys: keyring.deriveKeys('audit-checkpoint') });
 * if (!report.ok) console.error(`${report.problem.kind} at seq ${report.problem.seq}: ${report.problem.message}`);
 */
export async function verifyChain(options: VerifyOptions): Promise<VerifyReport> {
  const store = createAuditStore(options.database);
  const keys = new Map(options.checkpointKeys.map((k) => [k.id, k.key]));
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  const window = Math.max(1, options.window ?? 4096);
  const warnings: string[] = [];
  // Read before the walk: every checkpoint existing now names an entry committed before it.
  const newestCheckpointSeq = (await store.latestCheckpoint())?.seq ?? 0;
  const report: VerifyReport = {
    ok: true,
    entries: 0,
    headSeq: await store.headSeq(),
    checkpointsVerified: 0,
    anchorsVerified: 0,
    warnings,
  };
  const warn = (message: string) => {
    if (warnings.length < MAX_WARNINGS) warnings.push(message);
    else if (warnings.length === MAX_WARNINGS) warnings.push('further warnings omitted');
  };

  const prune: PruneRecord | undefined = await store.latestPrune();
  let anchor: Checkpoint | undefined;
  if (options.fromCheckpoint) {
    anchor = await newestValidCheckpoint(store, keys);
    if (!anchor) warn('no validly signed checkpoint: verifying the whole chain');
  }
  const startSeq = anchor ? anchor.seq : 0;
  const total = await store.count(startSeq);
  const checkpoints = checkpointCursor(store, keys, startSeq, newestCheckpointSeq, options.anchors);
  const behind = new Map<string, number>(); // entry_hash → seq of rows before the previous one
  let prev: AuditLogTable | undefined;
  let sawPruneEntry = false;

  /** The first row: genesis, the row after the newest prune, or the anchor checkpoint's row. */
  function checkStart(row: AuditLogTable): void {
    const first = anchor ? anchor.seq : prune ? prune.throughSeq + 1 : 1;
    if (row.seq > first)
      fail(
        first,
        'deleted',
        `entries ${first}..${row.seq - 1} are missing: the chain starts at seq ${row.seq}`,
      );
    if (row.seq < first) {
      fail(row.seq, 'genesis', `seq ${row.seq} is present although entries through ${first - 1} were pruned`);
    }
    if (anchor) {
      if (row.entry_hash !== anchor.entryHash) {
        fail(
          row.seq,
          'checkpoint',
          `entry ${row.seq} does not match the checkpoint it starts from`,
          anchor.entryHash,
          row.entry_hash,
        );
      }
    } else if (prune) {
      if (row.prev_hash !== prune.throughHash) {
        fail(
          row.seq,
          'genesis',
          `seq ${row.seq} does not link to the last pruned entry ${prune.throughSeq}`,
          prune.throughHash,
          row.prev_hash,
        );
      }
    } else if (row.prev_hash !== GENESIS_PREV_HASH) {
      fail(1, 'genesis', 'seq 1 does not start from the zero hash', GENESIS_PREV_HASH, row.prev_hash);
    } else if (row.action !== GENESIS_ACTION || !namesTheChain(row.data)) {
      fail(1, 'genesis', `seq 1 is not the genesis entry of ${CHAIN_NAME} (action ${row.action})`);
    }
  }

  /** prev_hash must be the previous row's hash; otherwise tell inserted, reordered and modified apart. */
  async function checkLink(row: AuditLogTable, before: AuditLogTable): Promise<void> {
    if (row.seq !== before.seq + 1) {
      fail(
        before.seq + 1,
        'deleted',
        `entries ${before.seq + 1}..${row.seq - 1} are missing (seq jumps from ${before.seq} to ${row.seq})`,
      );
    }
    if (row.prev_hash === before.entry_hash) return;
    const earlier = behind.get(row.prev_hash);
    if (earlier !== undefined) {
      fail(
        earlier + 1,
        'inserted',
        `entries ${earlier + 1}..${before.seq} were inserted: seq ${row.seq} links to seq ${earlier}`,
        row.prev_hash,
        before.entry_hash,
      );
    }
    const ahead = await store.readRows(row.seq + 1, window);
    const later = ahead.find((r) => r.entry_hash === row.prev_hash);
    if (later) {
      fail(
        row.seq,
        'reordered',
        `entries are out of order: seq ${row.seq} links to the entry now at seq ${later.seq}`,
        row.prev_hash,
        before.entry_hash,
      );
    }
    fail(
      before.seq,
      'modified',
      `entry ${before.seq} was rewritten: seq ${row.seq} links to a different hash`,
      row.prev_hash,
      before.entry_hash,
    );
  }

  function checkRow(row: AuditLogTable): void {
    const computed = rowHash(row);
    if ('reason' in computed) fail(row.seq, 'modified', `entry ${row.seq} was modified: ${computed.reason}`);
    if (computed.hash !== row.entry_hash) {
      fail(
        row.seq,
        'modified',
        `entry ${row.seq} was modified: its hash does not recompute`,
        computed.hash,
        row.entry_hash,
      );
    }
    if (prev && row.ts < prev.ts - CLOCK_TOLERANCE_MS) {
      warn(`timestamp goes back ${prev.ts - row.ts} ms from seq ${prev.seq} to seq ${row.seq}`);
    }
    if (prune && row.action === PRUNED_ACTION) {
      const data = JSON.parse(row.data) as Record<string, unknown>;
      if (data.throughSeq === prune.throughSeq && data.throughHash === prune.throughHash)
        sawPruneEntry = true;
    }
  }

  /** Every checkpoint at or below `seq`: signed by a known key and equal to its row (where kept). */
  async function checkCheckpoints(row: AuditLogTable, isFirst: boolean): Promise<void> {
    for (let cp = await checkpoints.peek(); cp && cp.seq <= row.seq; cp = await checkpoints.peek()) {
      checkpoints.take();
      const expected =
        cp.seq === row.seq
          ? row.entry_hash
          : isFirst && cp.seq === prune?.throughSeq
            ? prune.throughHash
            : undefined;
      if (expected !== undefined && expected !== cp.entryHash) {
        fail(
          cp.seq,
          'checkpoint',
          `${describeCheckpoint(cp)} does not match the chain: the entries up to it were rewritten`,
          cp.entryHash,
          expected,
        );
      }
      if (cp.anchored) report.anchorsVerified++;
      else report.checkpointsVerified++;
    }
  }

  try {
    for (let from = startSeq; ; ) {
      const rows = await store.readRows(from, batchSize);
      for (const row of rows) {
        if (prev) await checkLink(row, prev);
        else checkStart(row);
        checkRow(row);
        await checkCheckpoints(row, prev === undefined);
        if (prev) {
          behind.set(prev.entry_hash, prev.seq);
          if (behind.size > window) behind.delete(behind.keys().next().value as string);
        }
        prev = row;
        report.entries++;
      }
      options.onProgress?.(report.entries, total);
      if (rows.length < batchSize) break;
      from = rows.at(-1)!.seq + 1;
    }
    report.headSeq = Math.max(report.headSeq, prev?.seq ?? 0); // writers may have appended meanwhile
    if (anchor && !prev)
      fail(
        anchor.seq,
        'truncated',
        `the chain ends at seq ${report.headSeq} but checkpoint ${anchor.seq} vouches for more`,
      );
    let newest: VerifiedCheckpoint | undefined;
    while (await checkpoints.peek()) newest = checkpoints.take();
    if (newest) {
      fail(
        report.headSeq + 1,
        'truncated',
        `the chain ends at seq ${report.headSeq} but ${newest.anchored ? 'an anchored' : 'a'} checkpoint vouches for seq ${newest.seq}`,
        newest.entryHash,
        prev?.entry_hash,
      );
    }
    if (!anchor && prune && !prev)
      fail(
        prune.throughSeq + 1,
        'truncated',
        `no entries remain after the prune through seq ${prune.throughSeq}`,
      );
    if (!anchor && prune && !sawPruneEntry) {
      fail(
        prune.throughSeq + 1,
        'genesis',
        `the prune through seq ${prune.throughSeq} has no matching ${PRUNED_ACTION} entry in the chain`,
      );
    }
  } catch (err) {
    if (!(err instanceof VerifyFailure)) throw err;
    report.ok = false;
    report.problem = err.problem;
  }
  return report;
}
