/**
 * Shared fixtures of the audit tests (not shipped code paths): a pino-like logger that records what
 * it is told, a checkpoint key, and a factory of numbered domain events.
 */
import { randomBytes } from 'node:crypto';
import type { DomainEvent } from '../../events/event-bus.ts';
import type { CheckpointKey } from './chain.ts';
import type { AuditLogger } from './service.ts';

/** A logger that keeps every call, for assertions. */
export interface RecordingLogger extends AuditLogger {
  readonly infos: { obj: Record<string, unknown>; msg: string }[];
  readonly errors: { obj: Record<string, unknown>; msg: string }[];
}

/** Creates a logger that records instead of printing. */
export function recordingLogger(): RecordingLogger {
  const infos: RecordingLogger['infos'] = [];
  const errors: RecordingLogger['errors'] = [];
  return {
    infos,
    errors,
    info: (obj, msg) => infos.push({ obj: obj as Record<string, unknown>, msg }),
    error: (obj, msg) => errors.push({ obj: obj as Record<string, unknown>, msg }),
  };
}

/** A fresh random checkpoint key (Fernet-free, as the service takes plain keys). */
export function testKey(id = 'k1'): CheckpointKey {
  return { id, key: randomBytes(32) };
}

/** The `i`th test event; `data.i` records the emit order. */
export function testEvent(i: number, overrides: Partial<DomainEvent> = {}): DomainEvent {
  return {
    type: 'user.updated',
    tenant: 'acme',
    actor: 'user:admin',
    target: `user:${i}`,
    result: 'success',
    requestId: `req-${i}`,
    data: { i, fields: ['name'] },
    ...overrides,
  };
}
