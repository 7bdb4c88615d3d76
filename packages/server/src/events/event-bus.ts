/**
 * The one in-process bus for domain events (`user.created`, `token.revoked`, `authz.denied`, …).
 * Audit and webhooks subscribe; nothing else fans events out. Emitting never throws into the caller
 * and never waits for subscribers: a failing subscriber is reported through `onError`, the request
 * that caused the event carries on.
 *
 * An event emitted inside a unit of work (`database.write`) records a change: `subscribeInUnit`
 * handlers see it at once, with the unit, so they can write it in the change's own transaction (the
 * audit outbox); plain subscribers hear it only once the unit committed, marked `committed`, and
 * never hear events of a unit that rolled back. Events outside a unit (refusals, denials) are
 * delivered at once.
 */
import { currentUnit, type UnitOfWork } from '../storage/unit-of-work.ts';

export type EventResult = 'success' | 'failure' | 'denied';

export interface DomainEvent {
  /** Dotted event type, `<noun>.<verb>` (e.g. `user.created`). */
  readonly type: string;
  /** Tenant slug the event belongs to; null for platform-wide events. */
  readonly tenant: string | null;
  /** Who did it: `user:<id>`, `token:<id>`, `client:<id>`, `system`, `cli`. */
  readonly actor: string;
  /** What it was done to (`user:<id>`, `tenant:<slug>`), or null. */
  readonly target: string | null;
  readonly result: EventResult;
  readonly requestId?: string | null;
  /** Event details. Never secrets: no passwords, tokens, keys or codes. */
  readonly data?: Record<string, unknown>;
  /** Epoch ms; set by the bus when absent. */
  readonly ts?: number;
}

export type EmittedEvent = DomainEvent & {
  readonly ts: number;
  /** True when the event was emitted in a unit of work that has now committed. */
  readonly committed?: boolean;
};
export type EventHandler = (event: EmittedEvent) => void;
export type UnitEventHandler = (event: EmittedEvent, unit: UnitOfWork) => void;

export class EventBus {
  readonly #handlers = new Set<EventHandler>();
  readonly #unitHandlers = new Set<UnitEventHandler>();
  readonly #onError: (err: unknown, event: EmittedEvent) => void;

  constructor(onError: (err: unknown, event: EmittedEvent) => void = () => {}) {
    this.#onError = onError;
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(handler: EventHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Hears events emitted inside a unit of work at once, with the unit (before it commits). */
  subscribeInUnit(handler: UnitEventHandler): () => void {
    this.#unitHandlers.add(handler);
    return () => this.#unitHandlers.delete(handler);
  }

  /**
   * Publishes an event to every subscriber, synchronously and in subscription order — or, inside a
   * unit of work, to the unit handlers now (their errors propagate and roll the unit back) and to the
   * others after COMMIT.
   */
  emit(event: DomainEvent): void {
    const emitted: EmittedEvent = { ...event, ts: event.ts ?? Date.now() };
    const unit = currentUnit();
    if (!unit) {
      this.#deliver(emitted);
      return;
    }
    // a unit handler that fails (an event that cannot be recorded) fails the unit: no change commits
    // without its audit event
    for (const handler of this.#unitHandlers) handler(emitted, unit);
    unit.afterCommit(() => this.#deliver({ ...emitted, committed: true }));
  }

  #deliver(emitted: EmittedEvent): void {
    for (const handler of this.#handlers) {
      try {
        handler(emitted);
      } catch (err) {
        this.#onError(err, emitted);
      }
    }
  }
}

/** Who performs a service call and under which request: passed to every mutating service method. */
export interface ActionContext {
  /** Audit actor: `token:<id>`, `user:<id>`, `cli`, `system`. */
  readonly actor: string;
  readonly requestId?: string | null;
}
