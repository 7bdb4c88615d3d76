/**
 * Checkpoint reading for the verifier: a cursor over checkpoints in seq order, fetched a page at a
 * time (a long-lived chain has many), that checks each signature with the key named by its key id;
 * and the search for the newest validly signed checkpoint that `--from-checkpoint` starts from.
 */
import { type Checkpoint, verifyCheckpointSignature } from './chain.ts';
import type { AuditStore } from './store.ts';
import { fail } from './verify-problem.ts';

/**
 * Reads the checkpoints from `fromSeq` through `toSeq` in seq order, a page at a time, checking each
 * signature as it is taken. `toSeq` is the newest checkpoint when verification began: one written
 * while it runs may name entries appended after the walk passed, and must not look like truncation.
 */
export function checkpointCursor(
  store: AuditStore,
  keys: ReadonlyMap<string, Buffer>,
  fromSeq: number,
  toSeq: number,
) {
  let page: Checkpoint[] = [];
  let next = fromSeq;
  let exhausted = false;
  const peek = async (): Promise<Checkpoint | undefined> => {
    if (page.length === 0 && !exhausted) {
      page = await store.listCheckpoints({ fromSeq: next, toSeq, limit: 1000 });
      exhausted = page.length === 0;
      next = (page.at(-1)?.seq ?? next) + 1;
    }
    return page[0];
  };
  return {
    peek,
    /** Takes the next checkpoint after checking its signature. */
    take(): Checkpoint {
      const cp = page.shift()!;
      const key = keys.get(cp.keyId);
      if (!key) fail(cp.seq, 'checkpoint', `checkpoint at seq ${cp.seq} names unknown key id "${cp.keyId}"`);
      if (!verifyCheckpointSignature(key, cp, cp.signature)) {
        fail(
          cp.seq,
          'checkpoint',
          `checkpoint at seq ${cp.seq} has an invalid signature (key "${cp.keyId}")`,
        );
      }
      return cp;
    },
  };
}

/** The newest checkpoint whose signature verifies, for `fromCheckpoint`. */
export async function newestValidCheckpoint(store: AuditStore, keys: ReadonlyMap<string, Buffer>) {
  let toSeq: number | undefined;
  for (;;) {
    const page = await store.listCheckpoints({ newestFirst: true, limit: 100, ...(toSeq ? { toSeq } : {}) });
    if (page.length === 0) return undefined;
    for (const cp of page) {
      const key = keys.get(cp.keyId);
      if (key && verifyCheckpointSignature(key, cp, cp.signature)) return cp;
    }
    toSeq = page.at(-1)!.seq - 1;
  }
}
