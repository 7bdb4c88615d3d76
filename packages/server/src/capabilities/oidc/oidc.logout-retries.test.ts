/**
 * Back-channel logout retries as rows (backchannel.ts, migration 0046), on both dialects: a failed
 * first attempt leaves one row; two workers (two connections, as two instances) running due retries
 * at once deliver it once; a worker that died mid-attempt (its claim never finished) leaves a row
 * that is due again once the lease ends; the last allowed attempt deletes the row. The receiver is
 * the one thing stubbed here — the tenant's client as oidc-provider would hand it over
 * (`Client.find` → `backchannelLogout`); the delivery over real HTTP is oidc.backchannel-logout.test.ts.
 */
import type Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import type { Database } from '../../storage/database.ts';
import { createLogoutDeliveries, type LogoutDelivery } from './backchannel.ts';

for (const dialect of ['sqlite', 'postgres'] as const)
  describe.skipIf(!dialectAvailable(dialect))(`back-channel logout retries as rows [${dialect}]`, () => {
    let t: TestRuntime;
    let other: Database;
    let delivery: LogoutDelivery;
    let clock = 1_000_000;
    const calls: string[] = [];
    let failing = true;
    const provider = {
      Client: {
        find: async (clientId: string) => ({
          clientId,
          backchannelLogoutUri: 'https://rp.example/logout',
          async backchannelLogout(sub: string) {
            calls.push(sub);
            await new Promise((r) => setTimeout(r, 20)); // a real delivery takes a while
            if (failing) throw new Error('expected 200 OK, got: 503 Service Unavailable');
          },
        }),
      },
    } as unknown as Provider;
    const workerOn = (database: Database) =>
      createLogoutDeliveries({
        database,
        bus: t.runtime.bus,
        providerOf: async () => provider,
        attempts: () => 3,
        retryBaseMs: () => 1000,
        onError: (err) => {
          throw err;
        },
        now: () => clock,
      });
    const rows = async () =>
      (await t.runtime.database.db.selectFrom('oidc_logout_retries').selectAll().execute()).map((r) => ({
        failed: Number(r.failed),
        due: Number(r.due_at) - clock,
      }));

    beforeAll(async () => {
      t = await createTestRuntime({ dialect });
      other = await t.db.openAnother();
      const tenant = await t.services.tenants.create({ slug: 'rp', displayName: 'RP' }, { actor: 'test' });
      delivery = {
        tenantId: tenant.id,
        slug: 'rp',
        clientId: 'wiki',
        sub: 'u1',
        sid: 's1',
        gkSessionId: null,
      };
    });
    afterAll(async () => t?.close());

    it('stores a failed first attempt, runs it once across two workers, and retries until it is taken', async () => {
      const a = workerOn(t.runtime.database);
      const b = workerOn(other);
      expect(await a.deliver(provider, delivery)).toBe(false);
      expect(await rows()).toEqual([{ failed: 1, due: 1000 }]);
      expect(await a.runDue()).toBe(0); // not due yet
      clock += 1000;
      // both at once: one claims it, the other finds it taken
      const ran = await Promise.all([a.runDue(), b.runDue()]);
      expect(ran.sort()).toEqual([0, 1]);
      expect(calls).toHaveLength(2);
      expect(await rows()).toEqual([{ failed: 2, due: 2000 }]); // twice as long
      failing = false;
      clock += 2000;
      expect(await b.runDue()).toBe(1);
      expect(calls).toHaveLength(3);
      expect(await rows()).toEqual([]);
      expect(await a.pending()).toBe(0);
    });

    it('a claim that never finished (the worker died) is due again when its lease ends', async () => {
      failing = true;
      calls.length = 0;
      const a = workerOn(t.runtime.database);
      await a.retry(delivery, 1);
      clock += 1000;
      // what a dead worker leaves: the row claimed (due a lease ahead), no attempt recorded
      await t.runtime.database.db
        .updateTable('oidc_logout_retries')
        .set({ due_at: clock + 60_000 })
        .execute();
      expect(await a.runDue()).toBe(0);
      clock += 60_000;
      expect(await a.runDue()).toBe(1);
      expect(calls).toHaveLength(1);
      expect(await rows()).toEqual([{ failed: 2, due: 2000 }]);
      clock += 2000;
      expect(await a.runDue()).toBe(1); // the third and last attempt fails: nothing is left
      expect(await rows()).toEqual([]);
    });
  });
