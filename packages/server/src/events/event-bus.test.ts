import { describe, expect, it } from 'vitest';
import { type EmittedEvent, EventBus } from './event-bus.ts';

describe('event bus', () => {
  it('delivers every event to every subscriber with a timestamp', () => {
    const bus = new EventBus();
    const a: EmittedEvent[] = [];
    const b: EmittedEvent[] = [];
    bus.subscribe((e) => a.push(e));
    const off = bus.subscribe((e) => b.push(e));
    bus.emit({ type: 'user.created', tenant: 't', actor: 'system', target: 'user:1', result: 'success' });
    off();
    bus.emit({ type: 'user.deleted', tenant: 't', actor: 'system', target: 'user:1', result: 'success' });
    expect(a.map((e) => e.type)).toEqual(['user.created', 'user.deleted']);
    expect(b.map((e) => e.type)).toEqual(['user.created']);
    expect(typeof a[0]?.ts).toBe('number');
  });

  it('isolates a failing subscriber from the emitter and from other subscribers', () => {
    const errors: unknown[] = [];
    const bus = new EventBus((err) => errors.push(err));
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((e) => seen.push(e.type));
    expect(() =>
      bus.emit({ type: 'x.y', tenant: null, actor: 'system', target: null, result: 'success' }),
    ).not.toThrow();
    expect(seen).toEqual(['x.y']);
    expect(errors).toHaveLength(1);
  });
});
