/**
 * Outside anchors of the audit chain (shared/design/audit-chain.md, "Checkpoints"): every signed
 * checkpoint leaves the database — as a JSON log line whatever the log level, and optionally as a
 * line appended (and fsynced) to a file on storage the database administrator cannot rewrite.
 * `gatekeeper audit verify --anchors FILE` reads them back from such a file or from saved log lines,
 * so a tail rewritten with recomputed hashes is found even when its checkpoint rows were deleted.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { CHAIN_NAME, type Checkpoint, isHexHash } from './chain.ts';
import type { CheckpointAnchor } from './service.ts';

/** An anchor that appends one JSON line per checkpoint to `path` (created 0600) and fsyncs it. */
export function createFileAnchor(path: string): CheckpointAnchor {
  return {
    write(anchor) {
      const fd = openSync(path, 'a', 0o600);
      try {
        writeSync(fd, `${JSON.stringify({ auditCheckpoint: anchor })}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}

function asCheckpoint(value: unknown): Checkpoint | undefined {
  const v = value as Record<string, unknown> | null;
  if (!v || typeof v !== 'object' || v.chain !== CHAIN_NAME) return undefined;
  const { seq, entryHash, ts, keyId, signature } = v;
  if (!Number.isSafeInteger(seq) || !isHexHash(entryHash) || !Number.isSafeInteger(ts)) return undefined;
  if (typeof keyId !== 'string' || typeof signature !== 'string') return undefined;
  return { seq: seq as number, entryHash, ts: ts as number, keyId, signature };
}

/**
 * Reads checkpoints from an anchor file or from saved JSON log lines (any line holding an
 * `auditCheckpoint` object); other lines are skipped. Returns them with the number of lines skipped.
 *
 * @example
 * const { anchors } = readAnchors('/var/log/gatekeeper/anchors.jsonl');
 * const report = await verifyChain({ database, checkpointKeys, anchors });
 */
export function readAnchors(path: string): { anchors: Checkpoint[]; skipped: number } {
  const anchors: Checkpoint[] = [];
  let skipped = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const text = line.trim();
    if (text.length === 0) continue;
    const start = text.indexOf('{');
    let parsed: unknown;
    try {
      parsed = start >= 0 ? JSON.parse(text.slice(start)) : undefined;
    } catch {
      parsed = undefined;
    }
    const cp = asCheckpoint((parsed as { auditCheckpoint?: unknown } | undefined)?.auditCheckpoint);
    if (cp) anchors.push(cp);
    else skipped++;
  }
  return { anchors, skipped };
}
