/**
 * Checkpoint reading for the verifier: a cursor over checkpoints in seq order, fetched a page at a
 * time (a long-lived chain has many), that checks each signature with the key named by its key id;
 * and the search for the newest validly signed checkpoint that `--from-checkpoint` starts from.
 */
import { type Checkpoint, verifyCheckpointSignature } from './chain.ts';
import type { AuditStore } from './store.ts';
import { fail } from './verify-problem.ts';

/** A checkpoint as the verifier meets it: from the database, or from an outside anchor file. */
export type VerifiedCheckpoint = Checkpoint & { anchored?: boolean };

/** How a checkpoint is named in a problem message. */
export function describeCheckpoint(cp: VerifiedCheckpoint): string {
  return cp.anchored ? `anchored checkpoint at seq ${cp.seq}` : `checkpoint at seq ${cp.seq}`;
}

/**
 * Reads the checkpoints from `fromSeq` through `toSeq` in seq order, a page at a time, merged with
 * the outside anchors (every one of them, whatever its seq: an anchor beyond the head is truncation),
 * checking each signature as it is taken. `toSeq` is the newest stored checkpoint when verification
 * began: one written while it runs may name entries appended after the walk passed, and must not look
 * like truncation.
 */
export function checkpointCursor(
  store: AuditStore,
  keys: ReadonlyMap<string, Buffer>,
  fromSeq: number,
  toSeq: number,
  anchors: readonly Checkpoint[] = [],
) {
  let page: VerifiedCheckpoint[] = [];
  let next = fromSeq;
  let exhausted = false;
  const outside: VerifiedCheckpoint[] = anchors
    .filter((a) => a.seq >= fromSeq)
    .map((a) => ({ ...a, anchored: true }))
    .sort((a, b) => a.seq - b.seq);
  const fill = async (): Promise<void> => {
    if (page.length === 0 && !exhausted) {
      page = await store.listCheckpoints({ fromSeq: next, toSeq, limit: 1000 });
      exhausted = page.length === 0;
      next = (page.at(-1)?.seq ?? next) + 1;
    }
  };
  const source = (): VerifiedCheckpoint[] | undefined => {
    const a = page[0];
    const b = outside[0];
    if (!a) return b ? outside : undefined;
    if (!b) return page;
    return b.seq < a.seq ? outside : page;
  };
  return {
    async peek(): Promise<VerifiedCheckpoint | undefined> {
      await fill();
      return source()?.[0];
    },
    /** Takes the next checkpoint after checking its signature. */
    take(): VerifiedCheckpoint {
      const cp = source()!.shift()!;
      const key = keys.get(cp.keyId);
      if (!key) fail(cp.seq, 'checkpoint', `${describeCheckpoint(cp)} names unknown key id "${cp.keyId}"`);
      if (!verifyCheckpointSignature(key, cp, cp.signature)) {
        fail(cp.seq, 'checkpoint', `${describeCheckpoint(cp)} has an invalid signature (key "${cp.keyId}")`);
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
