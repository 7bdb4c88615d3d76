/**
 * Issue 6 §2, with the real processes an operator runs: a `gatekeeper serve` on an embedded database
 * signs checkpoints into its `auditAnchorFile` and its JSON log; then the real CLI's
 * `gatekeeper audit verify` changes nothing in the database (a dump of every table before and after)
 * — on a clean chain, after reporting a broken one, and with a forged row appended at the head — and
 * a tail rewritten from seq k with recomputed hashes, its checkpoint rows ≥ k deleted, passes a plain
 * `verify` but not `verify --anchors FILE`, from the anchor file or from the saved log lines.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpSqlite, runCli } from '../../../test/cli-process.ts';
import { type ServeProcess, spawnServe } from '../../../test/serve-process.ts';
import { computeEntryHash } from './chain.ts';
import { entryFromRow } from './rows.ts';

describe('audit verify on a real embedded deployment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gk-verify-'));
  const dbPath = join(dir, 'gatekeeper.db');
  const anchorFile = join(dir, 'anchors.jsonl');
  const logFile = join(dir, 'server-log.jsonl');
  const env = {
    GATEKEEPER_DATA_DIR: dir,
    GATEKEEPER_ARGON2_MEMORY_KIB: '1024',
    GATEKEEPER_ARGON2_ITERATIONS: '1',
  };
  let server: ServeProcess | undefined;

  const sqlite = () => new DatabaseSync(dbPath);
  const verify = (...extra: string[]) => runCli(['audit', 'verify', '--json', ...extra], env);

  beforeAll(async () => {
    // token first (the CLI creates and migrates the database), then the server signs as it chains
    const token = (
      await runCli(['admin', 'token', 'create', '--name', 'verify', '--abilities', '*'], env)
    ).stdout.trim();
    server = spawnServe({
      env: {
        ...env,
        GATEKEEPER_PORT: '0',
        GATEKEEPER_AUDIT_ANCHOR_FILE: anchorFile,
        GATEKEEPER_AUDIT_CHECKPOINT_EVERY: '10',
      },
    });
    const { port } = await server.ready;
    for (let i = 0; i < 45; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/tenants/root/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username: `verify-${i}` }),
      });
      expect(r.status).toBe(201);
    }
    expect((await server.stop()).code).toBe(0); // chains everything and signs a final checkpoint
    writeFileSync(logFile, `${server.stdout.join('\n')}\n`);
  }, 60_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('the server anchored its checkpoints outside the database', () => {
    const db = sqlite();
    try {
      const n = (db.prepare('select count(*) as n from audit_checkpoints').get() as { n: number }).n;
      // one per drain that crossed a multiple of 10 (a loaded machine drains bigger batches) + the final
      expect(n).toBeGreaterThanOrEqual(2);
    } finally {
      db.close();
    }
  });

  it('verify passes a clean chain and changes nothing', async () => {
    const before = dumpSqlite(dbPath);
    const r = await verify('--anchors', anchorFile);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
    expect(JSON.parse(r.stdout).anchorsVerified).toBeGreaterThanOrEqual(2);
    expect(dumpSqlite(dbPath)).toEqual(before);
  });

  it('verify reports a broken chain and still changes nothing (no checkpoint of the broken head)', async () => {
    const db = sqlite();
    const original = db.prepare('select data from audit_log where seq = 20').get() as { data: string };
    db.prepare('update audit_log set data = ? where seq = 20').run('{"username":"tampered"}');
    try {
      const before = dumpSqlite(dbPath);
      const r = await verify();
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).problem).toMatchObject({ seq: 20, kind: 'modified' });
      expect(dumpSqlite(dbPath)).toEqual(before);
    } finally {
      db.prepare('update audit_log set data = ? where seq = 20').run(original.data);
      db.close();
    }
  });

  it('verify signs no checkpoint for a forged row appended at the head', async () => {
    const db = sqlite();
    try {
      const head = entryFromRow(
        db.prepare('select * from audit_log order by seq desc limit 1').get() as never,
      );
      const body = {
        ...head,
        seq: head.seq + 1,
        action: 'user.created',
        data: { username: 'forged' },
        prevHash: head.entryHash,
      };
      const { entryHash: _drop, ...unhashed } = body;
      db.prepare(
        `insert into audit_log (seq, ts, tenant, actor, action, target, result, request_id, data, prev_hash, entry_hash)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        body.seq,
        body.ts,
        body.tenant,
        body.actor,
        body.action,
        body.target,
        body.result,
        body.requestId,
        JSON.stringify(body.data),
        body.prevHash,
        computeEntryHash(unhashed),
      );
      const before = dumpSqlite(dbPath);
      const r = await verify();
      expect(r.code, r.stdout).toBe(0); // a valid link: only an outside anchor past it could tell
      expect(dumpSqlite(dbPath)).toEqual(before); // and no checkpoint now vouches for it
      db.prepare('delete from audit_log where seq = ?').run(body.seq);
    } finally {
      db.close();
    }
  });

  it('names a tail rewritten with recomputed hashes and its checkpoints deleted, from the anchor file or the log', async () => {
    const db = sqlite();
    const k = 25;
    try {
      const rows = (db.prepare('select * from audit_log where seq >= ? order by seq').all(k) as never[]).map(
        entryFromRow,
      );
      let prevHash = (
        db.prepare('select entry_hash from audit_log where seq = ?').get(k - 1) as { entry_hash: string }
      ).entry_hash;
      const update = db.prepare('update audit_log set data = ?, prev_hash = ?, entry_hash = ? where seq = ?');
      for (const entry of rows) {
        const data = entry.seq === k ? { ...entry.data, username: 'rewritten' } : entry.data;
        const { entryHash: _old, ...unhashed } = { ...entry, data, prevHash };
        const entryHash = computeEntryHash(unhashed);
        update.run(JSON.stringify(data), prevHash, entryHash, entry.seq);
        prevHash = entryHash;
      }
      db.prepare('delete from audit_checkpoints where seq >= ?').run(k);
    } finally {
      db.close();
    }
    const plain = await verify();
    expect(plain.code, plain.stdout).toBe(0); // the database alone cannot tell
    for (const file of [anchorFile, logFile]) {
      const before = dumpSqlite(dbPath);
      const r = await verify('--anchors', file);
      expect(r.code, r.stdout).toBe(1);
      const { problem } = JSON.parse(r.stdout) as { problem: { seq: number; kind: string; message: string } };
      expect(problem.seq).toBeGreaterThanOrEqual(k);
      expect(problem.message).toMatch(/anchor|rewrit|checkpoint/i);
      expect(dumpSqlite(dbPath)).toEqual(before);
    }
  });
});
