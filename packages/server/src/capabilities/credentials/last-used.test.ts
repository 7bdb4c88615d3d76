/**
 * Last-used times are written in batches, never on the verification path: a verification only notes
 * the id; one statement writes every noted id at the next flush (and on stop); a failed write keeps
 * them for the next flush.
 */
import { describe, expect, it } from 'vitest';
import { createLastUsedWriter } from './last-used.ts';

describe('last-used writer', () => {
  it('writes noted ids in one batch, deduplicated, and keeps them when the write fails', async () => {
    const writes: string[][] = [];
    let fail = true;
    const w = createLastUsedWriter({
      intervalMs: 60_000,
      write: async (ids) => {
        if (fail) throw new Error('database down');
        writes.push([...ids]);
      },
    });
    w.note('a');
    w.note('b');
    w.note('a');
    expect(writes).toEqual([]);
    await w.flush();
    expect(w.pending).toBe(2);
    fail = false;
    await w.stop();
    expect(writes).toEqual([['a', 'b']]);
    expect(w.pending).toBe(0);
  });
});
