/**
 * The cache's own guards, with a scripted store so timing is under the test's control: an answer
 * computed while its tenant was invalidated is returned but never cached (it may predate the change);
 * entries expire after the TTL (the fallback if an invalidation message is lost); the cache stays
 * within its size bound; stop() ends the subscription.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createMemoryState } from '../../state/memory-state.ts';
import { newId } from '../../storage/ids.ts';
import type { AssignmentStore, GrantedRole } from './assignment-store.ts';
import { createEffectiveAccess, DIRECTORY_CHANNEL } from './effective.ts';

/** A store answering `roles` for every user, counting effective-role queries; `gate` can hold one. */
function scriptedStore() {
  const script = { roles: [{ name: 'a', permissions: '["x:read"]' }] as GrantedRole[], queries: 0 };
  let gate: Promise<void> | undefined;
  const store = {
    userExists: async () => true,
    async effectiveRoles() {
      script.queries += 1;
      const answer = script.roles;
      await gate;
      return answer;
    },
  } as unknown as AssignmentStore;
  return {
    store,
    script,
    hold() {
      let release!: () => void;
      gate = new Promise((r) => {
        release = r;
      });
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

const tenant = newId();

describe('effective access cache guards', () => {
  it('does not cache an answer whose computation overlapped an invalidation', async () => {
    const { store, script, hold } = scriptedStore();
    const access = createEffectiveAccess({ assignments: store, state: createMemoryState() });
    const user = newId();
    const release = hold();
    const inFlight = access.effectiveAccess(tenant, user);
    await sleep(1);
    script.roles = [{ name: 'b', permissions: '["y:read"]' }];
    await access.directoryChanged(tenant);
    release();
    expect((await inFlight).roles).toEqual(['a']);
    expect((await access.effectiveAccess(tenant, user)).roles).toEqual(['b']);
    expect(script.queries).toBe(2);
    expect((await access.effectiveAccess(tenant, user)).roles).toEqual(['b']);
    expect(script.queries).toBe(2);
  });

  it('caches an answer computed after the invalidation', async () => {
    const { store, script } = scriptedStore();
    const access = createEffectiveAccess({ assignments: store, state: createMemoryState() });
    await access.directoryChanged(tenant);
    const user = newId();
    await access.effectiveAccess(tenant, user);
    await access.effectiveAccess(tenant, user);
    expect(script.queries).toBe(1);
  });

  it('expires entries after the TTL', async () => {
    const { store, script } = scriptedStore();
    const access = createEffectiveAccess({ assignments: store, state: createMemoryState(), ttlMs: 5 });
    const user = newId();
    await access.effectiveAccess(tenant, user);
    await access.effectiveAccess(tenant, user);
    expect(script.queries).toBe(1);
    await sleep(10);
    await access.effectiveAccess(tenant, user);
    expect(script.queries).toBe(2);
  });

  it('stays within maxEntries, dropping the oldest tenant first', async () => {
    const { store, script } = scriptedStore();
    const access = createEffectiveAccess({ assignments: store, state: createMemoryState(), maxEntries: 2 });
    const [t1, t2] = [newId(), newId()];
    const [u1, u2, u3] = [newId(), newId(), newId()];
    await access.effectiveAccess(t1, u1);
    await access.effectiveAccess(t2, u2);
    await access.effectiveAccess(t2, u3); // evicts t1
    expect(script.queries).toBe(3);
    await access.effectiveAccess(t2, u2);
    expect(script.queries).toBe(3);
    await access.effectiveAccess(t1, u1);
    expect(script.queries).toBe(4);
  });

  it('hands out copies, so a caller cannot alter the cached answer', async () => {
    const { store } = scriptedStore();
    const access = createEffectiveAccess({ assignments: store, state: createMemoryState() });
    const user = newId();
    (await access.effectiveAccess(tenant, user)).permissions.push('*');
    expect((await access.effectiveAccess(tenant, user)).permissions).toEqual(['x:read']);
  });

  it('listens to other instances between start() and stop()', async () => {
    const state = createMemoryState();
    const { store, script } = scriptedStore();
    const access = createEffectiveAccess({ assignments: store, state });
    await access.start();
    const user = newId();
    await access.effectiveAccess(tenant, user);
    await state.publish(DIRECTORY_CHANNEL, tenant);
    await sleep(1);
    await access.effectiveAccess(tenant, user);
    expect(script.queries).toBe(2);
    await access.stop();
    await state.publish(DIRECTORY_CHANNEL, tenant);
    await sleep(1);
    await access.effectiveAccess(tenant, user);
    expect(script.queries).toBe(2);
  });
});
