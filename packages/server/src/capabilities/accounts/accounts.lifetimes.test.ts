/**
 * Lifetimes on a controlled clock: a session ends after the tenant's idle timeout without use and
 * after its absolute lifetime whatever the use (use refreshes "last seen" at most once a minute); a
 * password older than the tenant's expiry must change at the next sign-in. Sign-in events reach the
 * audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { createPasswordHasher } from '../../crypto/password.ts';
import { type AccountsService, createAccountsService } from './service.ts';
import { createTestBrowser, PASSWORD, seedUser } from './test-support.ts';

describe('session and password lifetimes', () => {
  let t: TestRuntime;
  let accounts: AccountsService;
  let tenantId: string;
  let userId: string;
  let clock = Date.now();
  const MIN = 60_000;

  beforeAll(async () => {
    t = await createTestRuntime();
    ({ tenantId, userId } = await seedUser(t.services, 'life', 'judy'));
    const rt = t.runtime;
    accounts = createAccountsService({
      database: rt.database,
      state: rt.state,
      bus: rt.bus,
      changes: rt.changes,
      users: t.services.users,
      tenants: t.services.tenants,
      hasher: createPasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }),
      csrfKeys: () => [Buffer.alloc(32, 1)],
      deviceKeys: () => [Buffer.alloc(32, 2)],
      publicUrl: () => 'http://localhost:8080',
      rateLimits: () => ({ perIp: 30, perTenant: 3000 }),
      onError: () => {},
      now: () => clock,
    });
    await accounts.start();
    await accounts.settings.update(
      tenantId,
      { sessions: { idleTimeoutMinutes: 30, absoluteLifetimeMinutes: 120 }, password: { expiryDays: 10 } },
      undefined,
      { actor: 'test' },
    );
  });
  afterAll(async () => {
    await accounts?.stop();
    await t?.close();
  });

  const start = async () => {
    const { secret, session } = await accounts.sessions.create(
      tenantId,
      { userId, amr: ['pwd'], ip: '10.1.1.1', userAgent: 'x' },
      { actor: 'test' },
    );
    return { cookie: `gk_session_life=${secret}`, session };
  };

  it('ends a session after the idle timeout', async () => {
    const { cookie, session } = await start();
    expect(session.expiresAt - session.createdAt).toBe(120 * MIN);
    clock += 29 * MIN;
    expect(await accounts.sessions.authenticate(tenantId, cookie)).not.toBeNull();
    clock += 29 * MIN; // 29 minutes since the last use: still in
    expect(await accounts.sessions.authenticate(tenantId, cookie)).not.toBeNull();
    clock += 31 * MIN;
    expect(await accounts.sessions.authenticate(tenantId, cookie)).toBeNull();
  });

  it('ends a used session at its absolute lifetime', async () => {
    const { cookie } = await start();
    for (let i = 0; i < 5; i++) {
      clock += 20 * MIN;
      expect(await accounts.sessions.authenticate(tenantId, cookie)).not.toBeNull();
    }
    clock += 21 * MIN; // 121 minutes after signing in
    expect(await accounts.sessions.authenticate(tenantId, cookie)).toBeNull();
    expect(await accounts.sessions.list(tenantId, { userId })).toHaveLength(0);
  });

  it('requires a change of a password older than the expiry', async () => {
    await accounts.passwords.change(tenantId, userId, 'marble otter quietly 61', {
      actor: 'test',
      tenantSlug: 'life',
      reason: 'test',
    });
    expect(await accounts.passwords.changeRequired(tenantId, userId)).toBeNull();
    clock += 11 * 24 * 60 * MIN;
    expect(await accounts.passwords.changeRequired(tenantId, userId)).toBe('expired');
  });

  it('writes sign-in successes and failures to the audit log, without the password', async () => {
    const b = createTestBrowser(t.app);
    await b.submit('/t/life/sign-in', { login: 'judy', password: 'a wrong password here' });
    await b.submit('/t/life/sign-in', { login: 'judy', password: 'marble otter quietly 61' });
    await t.runtime.audit.flush();
    const rows = await t.runtime.database.db
      .selectFrom('audit_log')
      .select(['action', 'result', 'target', 'data'])
      .where('action', 'in', ['sign_in.failed', 'sign_in.succeeded', 'password.changed'])
      .execute();
    const actions = rows.map((r) => r.action);
    expect(actions).toContain('sign_in.failed');
    expect(actions).toContain('password.changed');
    expect(rows.find((r) => r.action === 'sign_in.failed')?.data).toContain('wrong_password');
    for (const r of rows) {
      expect(r.data).not.toContain('a wrong password here');
      expect(r.data).not.toContain(PASSWORD);
      expect(r.data).not.toContain('marble otter');
    }
  });
});
