/**
 * The chain itself: events from the bus become contiguous, linked, recomputable entries opened by a
 * genesis entry; hashing follows the documented byte layout over JCS, so key order never matters;
 * checkpoint signatures verify only unchanged; secrets never reach an entry.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/databases.ts';
import { EventBus } from '../../events/event-bus.ts';
import {
  type AuditEntry,
  canonicalJson,
  computeEntryHash,
  computeEntryHashOfText,
  GENESIS_PREV_HASH,
  redactSecrets,
  signCheckpoint,
  verifyCheckpointSignature,
} from './chain.ts';
import { createAuditLog } from './service.ts';
import { createAuditStore } from './store.ts';
import { recordingLogger, testEvent, testKey } from './test-support.ts';
import { verifyChain } from './verify.ts';

const unhashed = (data: Record<string, unknown>) => ({
  seq: 2,
  ts: 1_700_000_000_000,
  tenant: 'acme',
  actor: 'user:1',
  action: 'user.updated',
  target: 'user:2',
  result: 'success',
  requestId: null,
  data,
  prevHash: 'ab'.repeat(32),
});

describe('audit chain rules', () => {
  it('hashes "GK-AUDIT-v1\\0" ‖ raw prev hash ‖ JCS of the entry', () => {
    const jcs =
      '{"action":"user.updated","actor":"user:1","data":{"a":1,"b":[true,null,"x"]},' +
      `"prevHash":"${'ab'.repeat(32)}","requestId":null,"result":"success","seq":2,` +
      '"target":"user:2","tenant":"acme","ts":1700000000000}';
    const expected = createHash('sha256')
      .update(Buffer.from('GK-AUDIT-v1\0'))
      .update(Buffer.from('ab'.repeat(32), 'hex'))
      .update(jcs)
      .digest('hex');
    expect(computeEntryHash(unhashed({ b: [true, null, 'x'], a: 1 }))).toBe(expected);
  });

  it('gives the same hash for the same data in any key order, and a different one for other data', () => {
    const a = computeEntryHash(unhashed({ z: 1, a: { y: 2, b: [1, { d: 4, c: 3 }] } }));
    const b = computeEntryHash(unhashed({ a: { b: [1, { c: 3, d: 4 }], y: 2 }, z: 1 }));
    const c = computeEntryHash(unhashed({ a: { b: [1, { c: 3, d: 5 }], y: 2 }, z: 1 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(() => computeEntryHash({ ...unhashed({}), prevHash: 'nope' })).toThrow(/prevHash/);
  });

  it('hashes an entry from its canonical data text exactly as from the entry (the outbox path)', () => {
    const samples = [
      { data: {}, tenant: null, target: null, requestId: null },
      {
        data: { b: [1, 'é', { z: null, a: true }], a: 'x"\\\n\u2028' },
        tenant: 'acme',
        target: 'user:1',
        requestId: 'r',
      },
      {
        data: { emoji: '😀', n: -0.5, big: 2 ** 52 },
        tenant: 'ümlaut',
        target: '\t',
        requestId: '\u0000-free',
      },
    ];
    for (const [i, sample] of samples.entries()) {
      const entry = {
        seq: 1000 + i,
        ts: 1_796_000_000_000 + i,
        actor: 'token:ö',
        action: 'user.created',
        result: 'success',
        prevHash: createHash('sha256').update(String(i)).digest('hex'),
        ...sample,
      };
      const { data, ...rest } = entry;
      expect(computeEntryHashOfText(rest, canonicalJson(data))).toBe(computeEntryHash(entry));
    }
  });

  it('verifies a checkpoint signature only for the same key and payload', () => {
    const { key } = testKey();
    const payload = { seq: 10, entryHash: 'cd'.repeat(32), ts: 1_700_000_000_000 };
    const signature = signCheckpoint(key, payload);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifyCheckpointSignature(key, payload, signature)).toBe(true);
    expect(verifyCheckpointSignature(key, { ...payload, seq: 11 }, signature)).toBe(false);
    expect(verifyCheckpointSignature(testKey().key, payload, signature)).toBe(false);
    expect(verifyCheckpointSignature(key, payload, 'garbage')).toBe(false);
  });

  it('redacts secret-looking keys at any depth and makes the rest storable', () => {
    const cyclic: Record<string, unknown> = { name: 'n' };
    cyclic.self = cyclic;
    const out = redactSecrets({
      userId: 'u1',
      password: 'hunter2',
      nested: { apiKey: 'k', api_key: 'k', list: [{ refreshToken: 't' }, { ok: 1 }] },
      Authorization: 'Bearer x',
      totpSecret: 's',
      code_verifier: 'v',
      privateKeyPem: 'p',
      cookie: 'c',
      nan: Number.NaN,
      big: 10n,
      when: new Date(0),
      nul: 'a\0b',
      skip: undefined,
      cyclic,
    });
    expect(out).toEqual({
      userId: 'u1',
      password: '[redacted]',
      nested: {
        apiKey: '[redacted]',
        api_key: '[redacted]',
        list: [{ refreshToken: '[redacted]' }, { ok: 1 }],
      },
      Authorization: '[redacted]',
      totpSecret: '[redacted]',
      code_verifier: '[redacted]',
      privateKeyPem: '[redacted]',
      cookie: '[redacted]',
      nan: null,
      big: '10',
      when: '1970-01-01T00:00:00.000Z',
      nul: 'a\uFFFDb',
      cyclic: { name: 'n', self: '[circular]' },
    });
  });
});

describeEachDialect('audit chain', (get) => {
  const key = testKey();
  it('chains bus events contiguously after a genesis entry, every hash recomputing', async () => {
    const bus = new EventBus();
    const log = createAuditLog({
      database: get().database,
      bus,
      checkpointKeys: [key],
      logger: recordingLogger(),
    });
    for (let i = 0; i < 30; i++) bus.emit(testEvent(i));
    await log.flush();
    const entries = await createAuditStore(get().database).readRange(1, 100);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    const [genesis, ...rest] = entries as [AuditEntry, ...AuditEntry[]];
    expect(genesis).toMatchObject({ action: 'audit.genesis', actor: 'system', prevHash: GENESIS_PREV_HASH });
    expect(genesis.data).toEqual({ chain: 'gatekeeper-audit' });
    expect(rest.map((e) => e.data.i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(rest[0]).toMatchObject({
      tenant: 'acme',
      actor: 'user:admin',
      target: 'user:0',
      requestId: 'req-0',
    });
    for (const [i, entry] of entries.entries()) {
      const { entryHash, ...body } = entry;
      expect(computeEntryHash(body)).toBe(entryHash);
      expect(entry.prevHash).toBe(i === 0 ? GENESIS_PREV_HASH : entries[i - 1]?.entryHash);
    }
    await log.close();
    expect(await verifyChain({ database: get().database, checkpointKeys: [key] })).toMatchObject({
      ok: true,
      entries: 31,
    });
  });

  it('stores data as canonical JSON, so key order on emit does not matter', async () => {
    const bus = new EventBus();
    const log = createAuditLog({
      database: get().database,
      bus,
      checkpointKeys: [key],
      logger: recordingLogger(),
    });
    bus.emit(testEvent(1, { data: { b: 2, a: { d: 1, c: 0 } } }));
    bus.emit(testEvent(1, { data: { a: { c: 0, d: 1 }, b: 2 } }));
    await log.close();
    const rows = await get()
      .database.db.selectFrom('audit_log')
      .select('data')
      .orderBy('seq', 'desc')
      .limit(2)
      .execute();
    expect(rows.map((r) => r.data)).toEqual(['{"a":{"c":0,"d":1},"b":2}', '{"a":{"c":0,"d":1},"b":2}']);
  });

  it('never stores a secret, even when the emitter slips one in or mutates data afterwards', async () => {
    const bus = new EventBus();
    const log = createAuditLog({
      database: get().database,
      bus,
      checkpointKeys: [key],
      logger: recordingLogger(),
    });
    const data: Record<string, unknown> = {
      userId: 'u1',
      password: 'hunter2-secret-value',
      mfa: { otp: '123456', backupCodes: ['a'] },
      headers: { authorization: 'Bearer sk_live_value' },
    };
    bus.emit(testEvent(1, { type: 'user.login', data }));
    data.userId = 'changed-after-emit';
    await log.close();
    const row = await get()
      .database.db.selectFrom('audit_log')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(row.data).not.toMatch(/hunter2|123456|sk_live/);
    expect(JSON.parse(row.data)).toEqual({
      userId: 'u1',
      password: '[redacted]',
      mfa: { otp: '[redacted]', backupCodes: ['a'] },
      headers: { authorization: '[redacted]' },
    });
  });

  it('warns, without failing, when timestamps go backwards beyond the tolerance', async () => {
    const bus = new EventBus();
    const log = createAuditLog({
      database: get().database,
      bus,
      checkpointKeys: [key],
      logger: recordingLogger(),
    });
    bus.emit(testEvent(1));
    bus.emit(testEvent(2, { ts: Date.now() - 60_000 }));
    await log.close();
    const report = await verifyChain({ database: get().database, checkpointKeys: [key] });
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([
      expect.stringMatching(/timestamp goes back \d+ ms from seq \d+ to seq \d+/),
    ]);
  });
});
