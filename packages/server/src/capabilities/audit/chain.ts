/**
 * The audit chain's pure rules (shared/design/audit-chain.md): how an entry is hashed and linked to
 * its predecessor, how a checkpoint is signed, and the guard that keeps secrets and unstorable values
 * out of every entry. Hashing uses RFC 8785 JSON canonicalization (JCS), never `JSON.stringify`, so key
 * order and number formatting cannot change a hash. No I/O here: the store and verifier share these.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { EmittedEvent, EventResult } from '../../events/event-bus.ts';

/** `prev_hash` of the first entry: 32 zero bytes, hex. */
export const GENESIS_PREV_HASH = '0'.repeat(64);
/** Name of the one chain; the genesis entry and every checkpoint signature carry it. */
export const CHAIN_NAME = 'gatekeeper-audit';
/** Action of the entry that opens the chain. */
export const GENESIS_ACTION = 'audit.genesis';
/** Action of the entry recording that older entries were pruned by retention. */
export const PRUNED_ACTION = 'audit.pruned';
/** Domain-separation prefix of every entry hash (bumped if the hashed form ever changes). */
const ENTRY_DOMAIN = Buffer.from('GK-AUDIT-v1\0', 'utf8');
const HEX_HASH = /^[0-9a-f]{64}$/;

/** One link of the chain, as stored in `audit_log` (camelCase, data parsed). */
export interface AuditEntry {
  /** Gap-free position in the chain, from 1. */
  seq: number;
  /** Epoch ms of the event. */
  ts: number;
  tenant: string | null;
  actor: string;
  /** Event type, e.g. `user.created`. */
  action: string;
  target: string | null;
  result: string;
  requestId: string | null;
  /** Redacted event details. */
  data: Record<string, unknown>;
  /** `entryHash` of the previous entry (hex), or `GENESIS_PREV_HASH` for the first. */
  prevHash: string;
  /** Hex SHA-256 computed by `computeEntryHash`. */
  entryHash: string;
}

/** An entry before its hash is known. */
export type UnhashedEntry = Omit<AuditEntry, 'entryHash'>;

/** A signed statement that the chain had `entryHash` at `seq` when it was made. */
export interface Checkpoint {
  seq: number;
  entryHash: string;
  /** Epoch ms when the checkpoint was made. */
  ts: number;
  /** Id of the key that signed it (see `checkpointKeys`). */
  keyId: string;
  /** base64url HMAC-SHA256. */
  signature: string;
}

/** A stored record that entries through `throughSeq` were pruned; the chain now starts after it. */
export interface PruneRecord {
  throughSeq: number;
  /** `entryHash` of the last pruned entry: the next entry's `prevHash`. */
  throughHash: string;
  prunedAt: number;
}

/** The part of a checkpoint the signature covers. */
export type CheckpointPayload = Pick<Checkpoint, 'seq' | 'entryHash' | 'ts'>;

/** A checkpoint signing key; several may be configured, newest first. */
export interface CheckpointKey {
  readonly id: string;
  readonly key: Buffer;
}

/** RFC 8785 canonical JSON text of a JSON-safe value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

/** True for a lowercase hex SHA-256 digest. */
export function isHexHash(value: unknown): value is string {
  return typeof value === 'string' && HEX_HASH.test(value);
}

/**
 * Hashes an entry: hex SHA-256 of `"GK-AUDIT-v1\0"` ‖ prev_hash (32 raw bytes) ‖ UTF-8 of the JCS
 * form of the entry without `entryHash`. Throws on a malformed `prevHash`.
 *
 * @example
 * const entryHash = computeEntryHash({ seq: 2, ts, tenant: null, actor: 'system', action: 'x.y',
 *   target: null, result: 'success', requestId: null, data: {}, prevHash: genesis.entryHash });
 */
export function computeEntryHash(entry: UnhashedEntry): string {
  if (!isHexHash(entry.prevHash)) throw new TypeError(`prevHash of seq ${entry.seq} is not a hex SHA-256`);
  const body: UnhashedEntry = {
    seq: entry.seq,
    ts: entry.ts,
    tenant: entry.tenant,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    result: entry.result,
    requestId: entry.requestId,
    data: entry.data,
    prevHash: entry.prevHash,
  };
  return createHash('sha256')
    .update(ENTRY_DOMAIN)
    .update(Buffer.from(entry.prevHash, 'hex'))
    .update(canonicalJson(body), 'utf8')
    .digest('hex');
}

/**
 * `computeEntryHash` for an entry whose data is already canonical JSON text (as the outbox holds
 * it): the JCS form of the entry is assembled around that text instead of canonicalizing the data a
 * second time. Equal to `computeEntryHash` for every storable entry (RFC 8785 serializes strings and
 * safe integers exactly as JSON.stringify does; the keys below are in JCS order).
 */
export function computeEntryHashOfText(entry: Omit<UnhashedEntry, 'data'>, dataText: string): string {
  if (!isHexHash(entry.prevHash)) throw new TypeError(`prevHash of seq ${entry.seq} is not a hex SHA-256`);
  if (!Number.isSafeInteger(entry.seq) || !Number.isSafeInteger(entry.ts))
    throw new TypeError('seq and ts must be safe integers');
  const s = JSON.stringify;
  const text = `{"action":${s(entry.action)},"actor":${s(entry.actor)},"data":${dataText},"prevHash":${s(entry.prevHash)},"requestId":${s(entry.requestId)},"result":${s(entry.result)},"seq":${entry.seq},"target":${s(entry.target)},"tenant":${s(entry.tenant)},"ts":${entry.ts}}`;
  return createHash('sha256')
    .update(ENTRY_DOMAIN)
    .update(Buffer.from(entry.prevHash, 'hex'))
    .update(text, 'utf8')
    .digest('hex');
}

/**
 * Signs a checkpoint: base64url HMAC-SHA256 over the JCS form of
 * `{ chain: CHAIN_NAME, seq, entryHash, ts }` (the chain name binds the signature to this log).
 *
 * @example
 * const signature = signCheckpoint(keys[0].key, { seq: head.seq, entryHash: head.entryHash, ts: Date.now() });
 */
export function signCheckpoint(key: Buffer, payload: CheckpointPayload): string {
  const signed = { chain: CHAIN_NAME, seq: payload.seq, entryHash: payload.entryHash, ts: payload.ts };
  return createHmac('sha256', key).update(canonicalJson(signed), 'utf8').digest('base64url');
}

/** Checks a checkpoint signature in constant time. */
export function verifyCheckpointSignature(
  key: Buffer,
  payload: CheckpointPayload,
  signature: string,
): boolean {
  const expected = Buffer.from(signCheckpoint(key, payload), 'base64url');
  const actual = Buffer.from(typeof signature === 'string' ? signature : '', 'base64url');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Keys whose values are replaced with `"[redacted]"` at any depth of an event's data. */
export const SECRET_KEY_PATTERN =
  /pass(word)?|secret|token|api[_-]?key|authorization|cookie|otp|code_verifier|private/i;
const REDACTED = '[redacted]';
const MAX_DEPTH = 32;

/** A string every store can hold: well-formed UTF-16 and no NUL (PostgreSQL text refuses NUL). */
function storableString(value: string): string {
  return value.toWellFormed().replaceAll('\0', '\uFFFD');
}

function toStorable(value: unknown, depth: number, seen: Set<object>): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      return storableString(value);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return undefined; // undefined, functions and symbols have no JSON form
  }
  const obj = value as object;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (seen.has(obj)) return '[circular]';
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((item) => toStorable(item, depth + 1, seen) ?? null);
    if (ArrayBuffer.isView(obj)) return `[${obj.byteLength} bytes]`;
    const out: Record<string, unknown> = {};
    for (const [rawKey, item] of Object.entries(obj)) {
      const key = storableString(rawKey);
      const stored = SECRET_KEY_PATTERN.test(key) ? REDACTED : toStorable(item, depth + 1, seen);
      if (stored !== undefined) out[key] = stored;
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}

/**
 * Returns a JSON-safe deep copy of `data` in which every value under a secret-looking key
 * (`SECRET_KEY_PATTERN`) is `"[redacted]"`, so an audit entry never holds a secret even when a caller
 * slips. The copy is also storable and hashable as is: non-finite numbers become null, bigints and
 * dates strings, cycles `"[circular]"`, NUL and lone surrogates U+FFFD.
 *
 * @example
 * redactSecrets({ user: 'u1', password: 'hunter2', nested: { apiKey: 'x' } });
 * // { user: 'u1', password: '[redacted]', nested: { apiKey: '[redacted]' } }
 */
export function redactSecrets(data: Record<string, unknown> | null | undefined): Record<string, unknown> {
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) return {};
  return toStorable(data, 0, new Set()) as Record<string, unknown>;
}

function storableOrNull(value: string | null | undefined): string | null {
  return typeof value === 'string' ? storableString(value) : null;
}

/**
 * Snapshots an event as it will be chained: data redacted and copied (later mutation by the emitter
 * cannot change it), strings made storable, a missing or invalid timestamp replaced by now.
 */
export function toAuditEvent(event: EmittedEvent): EmittedEvent {
  return {
    type: storableString(String(event.type)),
    tenant: storableOrNull(event.tenant),
    actor: storableString(String(event.actor)),
    target: storableOrNull(event.target),
    result: storableString(String(event.result)) as EventResult,
    requestId: storableOrNull(event.requestId),
    data: redactSecrets(event.data),
    ts: Number.isSafeInteger(event.ts) ? event.ts : Date.now(),
  };
}
