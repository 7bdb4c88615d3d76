/**
 * The one in-process bus for domain events (`user.created`, `token.revoked`, `authz.denied`, …).
 * Audit and webhooks subscribe; nothing else fans events out. Emitting never throws into the caller
 * and never waits for subscribers: a failing subscriber is reported through `onError`, the request
 * that caused the event carries on.
 */

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

export type EmittedEvent = DomainEvent & { readonly ts: number };
export type EventHandler = (event: EmittedEvent) => void;

export class EventBus {
  readonly #handlers = new Set<EventHandler>();
  readonly #onError: (err: unknown, event: EmittedEvent) => void;

  constructor(onError: (err: unknown, event: EmittedEvent) => void = () => {}) {
    this.#onError = onError;
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(handler: EventHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Publishes an event to every subscriber, synchronously and in subscription order. */
  emit(event: DomainEvent): void {
    const emitted: EmittedEvent = { ...event, ts: event.ts ?? Date.now() };
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
