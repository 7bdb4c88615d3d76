/**
 * The MFA admin API and enforcement over HTTP (`app.inject`):
 * - status and reset of a user's MFA (abilities users:read / users:write, audited), requirements
 *   for the tenant, a group or a user; bad bodies are 400 with nothing changed, unknown subjects 404;
 * - a required user signs in during the grace period and sees the enrolment page first (skippable),
 *   after the grace period enrolment is mandatory (no skip); a user with TOTP gets the challenge;
 * - the step-up of a password session to an MFA one (`/mfa/step-up`);
 * - magic-link and reset requests answer the same for known and unknown addresses, in the same
 *   time, are rate limited per address, and refuse bad input on the page (never a 500).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { createTestBrowser, csrfOf, PASSWORD, seedUser } from '../accounts/test-support.ts';
import { totpCode } from './totp.ts';

describe('MFA admin API, enforcement and sign-in links over HTTP', () => {
  let t: AdminTestApp;
  let tenantId: string;
  const ids: Record<string, string> = {};
  const heard: { type: string; result: string; data: string }[] = [];

  beforeAll(async () => {
    t = await createAdminTestApp();
    for (const name of ['ann', 'ben', 'cat', 'dan', 'eli']) {
      const seeded = await seedUser(t.services, 'acme', name, { email: `${name}@example.test` });
      tenantId = seeded.tenantId;
      ids[name] = seeded.userId;
    }
    t.runtime.bus.subscribe((e) =>
      heard.push({ type: e.type, result: e.result, data: JSON.stringify(e.data ?? {}) }),
    );
  });
  afterAll(async () => t?.close());

  async function enrolTotp(userId: string) {
    const { secret } = await t.services.mfa.beginTotp(tenantId, userId, { issuer: 'acme', label: 'x' });
    await t.services.mfa.confirmTotp(tenantId, userId, totpCode(secret, Date.now() - 30_000), {
      actor: 'test',
    });
    return secret;
  }

  it('shows and resets a user’s MFA, with the abilities it needs', async () => {
    await enrolTotp(ids.ann!);
    const status = await t.call('GET', `/api/v1/tenants/acme/users/${ids.ann}/mfa`);
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({
      totp: true,
      backupCodesLeft: 10,
      passkeys: [],
      required: false,
      graceEndsAt: null,
    });
    const reader = await t.token('acme', ['users:read']);
    expect(
      (await t.call('GET', `/api/v1/tenants/acme/users/${ids.ann}/mfa`, { token: reader })).statusCode,
    ).toBe(200);
    expect(
      (await t.call('POST', `/api/v1/tenants/acme/users/${ids.ann}/mfa/reset`, { token: reader })).statusCode,
    ).toBe(403);
    const reset = await t.call('POST', `/api/v1/tenants/acme/users/${ids.ann}/mfa/reset`);
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toEqual({ removed: ['totp', 'backup_codes'] });
    expect(heard.some((e) => e.type === 'mfa.reset' && e.data.includes('totp'))).toBe(true);
    expect((await t.call('GET', `/api/v1/tenants/acme/users/${ids.ann}/mfa`)).json()).toMatchObject({
      totp: false,
    });
    expect((await t.call('GET', '/api/v1/tenants/acme/users/not-a-user/mfa')).statusCode).toBe(404);
  });

  it('sets and removes requirements; refuses bad bodies and unknown subjects', async () => {
    const group = await t.services.groups.create(tenantId, { name: 'ops' }, { actor: 'test' });
    await t.services.groups.addUser(tenantId, group.id, ids.ben!, { actor: 'test' });
    const set = await t.call('POST', '/api/v1/tenants/acme/mfa/requirements', {
      body: { subjectType: 'group', subjectId: group.id, graceDays: 3 },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ subjectType: 'group', subjectId: group.id, graceDays: 3 });
    for (const body of [
      { subjectType: 'tenant', subjectId: group.id },
      { subjectType: 'group' },
      { subjectType: 'galaxy' },
      { subjectType: 'user', subjectId: ids.ben, graceDays: 366 },
      { subjectType: 'user', subjectId: ids.ben, graceDays: 'Infinity' },
      { subjectType: 'user', subjectId: ids.ben, extra: 1 },
      { subjectType: 'user', subjectId: 'a\u0000b' },
    ])
      expect(
        (await t.call('POST', '/api/v1/tenants/acme/mfa/requirements', { body })).statusCode,
        JSON.stringify(body),
      ).toBe(400);
    expect(
      (
        await t.call('POST', '/api/v1/tenants/acme/mfa/requirements', {
          body: { subjectType: 'user', subjectId: '0190d5a8-0000-7000-8000-000000000000' },
        })
      ).statusCode,
    ).toBe(404);
    const list = (await t.call('GET', '/api/v1/tenants/acme/mfa/requirements')).json();
    expect(list.items).toHaveLength(1);
    expect((await t.call('GET', `/api/v1/tenants/acme/users/${ids.ben}/mfa`)).json().required).toBe(true);
  });

  it('shows the enrolment page first during the grace period, and lets the user skip it', async () => {
    const b = createTestBrowser(t.app);
    const r = await b.submit(
      '/t/acme/sign-in',
      { login: 'ben', password: PASSWORD },
      { action: '/t/acme/sign-in' },
    );
    expect(r.status).toBe(303);
    expect(r.location).toBe('/t/acme/mfa/enrol');
    const page = await b.get('/t/acme/mfa/enrol');
    expect(page.body).toContain('Your organisation requires two-step verification');
    expect(page.body).toContain('Skip for now');
    const skipped = await b.post('/t/acme/mfa/enrol/skip', {
      csrf: csrfOf(page.body, '/t/acme/mfa/enrol/skip'),
    });
    expect(skipped.status).toBe(303);
    expect(skipped.location).toBe('/t/acme/account');
    expect((await b.get('/t/acme/account')).body).toContain('Required: set it up before');
  });

  it('makes enrolment mandatory once the grace period is over', async () => {
    await t.runtime.database.db
      .updateTable('mfa_grace')
      .set({ started_at: Date.now() - 4 * 86_400_000 })
      .where('user_id', '=', ids.ben!)
      .execute();
    const b = createTestBrowser(t.app);
    const r = await b.submit(
      '/t/acme/sign-in',
      { login: 'ben', password: PASSWORD },
      { action: '/t/acme/sign-in' },
    );
    expect(r.location).toBe('/t/acme/mfa/enrol');
    const page = await b.get('/t/acme/mfa/enrol');
    expect(page.body).not.toContain('Skip for now');
    // skipping by hand is refused: no session
    const forged = await b.post('/t/acme/mfa/enrol/skip', { csrf: csrfOf(page.body, '/t/acme/mfa/enrol') });
    expect(forged.status).toBe(409);
    expect((await b.get('/t/acme/account')).status).toBe(303);
    // enrolling finishes the sign-in
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)![1]!.replace(/ /g, '');
    const codes = await b.post('/t/acme/mfa/enrol', {
      csrf: csrfOf(page.body, '/t/acme/mfa/enrol'),
      code: totpCode(secret, Date.now()),
    });
    expect(codes.status).toBe(200);
    expect(codes.body).toContain('Save your backup codes');
    const done = await b.post('/t/acme/mfa/continue', { csrf: csrfOf(codes.body, '/t/acme/mfa/continue') });
    expect(done.location).toBe('/t/acme/account');
    const session = JSON.parse((await b.get('/t/acme/account/api/session')).body);
    expect(session.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
  });

  it('steps a password session up to MFA', async () => {
    const secret = await enrolTotp(ids.cat!);
    // a session with the password only (the user enrolled after signing in)
    const b = createTestBrowser(t.app);
    await t.services.mfa.reset(tenantId, ids.cat!, { actor: 'test' });
    await b.submit('/t/acme/sign-in', { login: 'cat', password: PASSWORD }, { action: '/t/acme/sign-in' });
    const fresh = await enrolTotp(ids.cat!);
    expect(fresh).not.toBe(secret);
    const up = await b.get('/t/acme/mfa/step-up?return_to=%2Ft%2Facme%2Faccount');
    expect(up.location).toBe('/t/acme/mfa');
    const challenge = await b.get('/t/acme/mfa');
    const wrong = await b.post('/t/acme/mfa', {
      csrf: csrfOf(challenge.body, '/t/acme/mfa'),
      code: '123456',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('That code is not valid');
    const ok = await b.post('/t/acme/mfa', {
      csrf: csrfOf(wrong.body, '/t/acme/mfa'),
      code: totpCode(fresh, Date.now()),
    });
    expect(ok.location).toBe('/t/acme/account');
    const session = JSON.parse((await b.get('/t/acme/account/api/session')).body);
    expect(session.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
    // already MFA: straight through
    expect((await b.get('/t/acme/mfa/step-up?return_to=%2Ft%2Facme%2Faccount')).location).toBe(
      '/t/acme/account',
    );
  });

  it('answers magic-link and reset requests the same for known and unknown addresses, in the same time', async () => {
    for (const path of ['/t/acme/magic-link', '/t/acme/forgot-password']) {
      const answers: { status: number; body: string; ms: number }[] = [];
      for (const email of ['dan@example.test', 'nobody@example.test']) {
        const b = createTestBrowser(t.app, { ip: `10.0.${path.length}.${email.length}` });
        const started = performance.now();
        const r = await b.submit(path, { email }, { action: path });
        answers.push({
          status: r.status,
          body: r.body.replace(/(value|nonce)="[^"]*"/g, ''),
          ms: performance.now() - started,
        });
      }
      expect(answers[0]!.status).toBe(200);
      expect(answers[1]!.status).toBe(200);
      expect(answers[0]!.body).toBe(answers[1]!.body);
      expect(Math.abs(answers[0]!.ms - answers[1]!.ms)).toBeLessThan(150);
    }
    const queued = await t.services.mail.list({ limit: 50 });
    expect(
      queued
        .filter((m) => m.recipient === 'dan@example.test')
        .map((m) => m.template)
        .sort(),
    ).toEqual(['magic-link', 'password-reset']);
    expect(queued.some((m) => m.recipient === 'nobody@example.test')).toBe(false);
  });

  it('rate limits link requests per address and refuses bad input on the page', async () => {
    let last = 0;
    for (let i = 0; i < 6; i++) {
      const b = createTestBrowser(t.app, { ip: `10.9.9.${i}` });
      last = (
        await b.submit('/t/acme/magic-link', { email: 'eli@example.test' }, { action: '/t/acme/magic-link' })
      ).status;
    }
    expect(last).toBe(429);
    const b = createTestBrowser(t.app, { ip: '10.8.8.8' });
    const bad: Record<string, string>[] = [
      { email: 'not an address' },
      { email: 'x'.repeat(300) },
      { email: 'a@b.test', extra: '1' },
    ];
    for (const fields of bad) {
      const r = await b.submit('/t/acme/magic-link', fields, { action: '/t/acme/magic-link' });
      expect(r.status, JSON.stringify(fields)).toBe(400);
      expect(r.body).toContain('role="alert"');
    }
    // a request without the form's token or from another site
    expect((await b.post('/t/acme/magic-link', { csrf: 'forged', email: 'eli@example.test' })).status).toBe(
      403,
    );
    // a tampered or missing token on the link pages
    expect((await b.get('/t/acme/magic-link/open?token=AAAA')).status).toBe(410);
    expect((await b.get('/t/acme/reset-password')).status).toBe(410);
    expect((await b.get(`/t/acme/reset-password?token=${'x'.repeat(300)}`)).status).toBe(400);
    expect(
      heard.filter((e) => e.type === 'magic_link.refused' || e.type === 'password_reset.refused').length,
    ).toBeGreaterThanOrEqual(2);
  });
});
