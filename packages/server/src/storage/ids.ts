/**
 * Row identifiers: UUIDv7 (RFC 9562 §5.7) — random enough to be unguessable across tenants, and
 * time-ordered so new rows append to the end of B-tree indexes instead of splitting pages.
 */
import { randomBytes } from 'node:crypto';

/** A new UUIDv7 string. */
export function newId(nowMs: number = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(nowMs, 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a well-formed UUID (used to answer 404 early for garbage ids). */
export function isId(value: string): boolean {
  return UUID.test(value);
}
