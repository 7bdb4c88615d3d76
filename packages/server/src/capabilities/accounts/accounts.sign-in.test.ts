/**
 * Password sign-in through the hosted pages over HTTP: sign in → session cookie → account page;
 * wrong password and unknown user get the same answer; the account page without a session redirects
 * to sign-in and back; return_to accepts only the tenant's own pages; sign-out ends the session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { createTestBrowser, PASSWORD, seedUser } from './test-support.ts';

describe('password sign-in pages', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await createTestRuntime();
    await seedUser(t.services, 'acme', 'alice', { email: 'alice@example.com', name: 'Alice Example' });
  });
  afterAll(async () => t?.close());

  it('signs in and shows the account page', async () => {
    const b = createTestBrowser(t.app);
    const page = await b.get('/t/acme/sign-in');
    expect(page.status).toBe(200);
    // the passkey button (MFA capability) runs a same-origin script; never inline script
    expect(page.headers['content-security-policy']).toMatch(/script-src '(none|self)';/);
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['cache-control']).toBe('no-store');
    const r = await b.submit('/t/acme/sign-in', { login: 'alice', password: PASSWORD });
    expect(r.status).toBe(303);
    expect(r.location).toBe('/t/acme/account');
    expect(b.cookies.has('gk_session_acme')).toBe(true);
    const account = await b.get('/t/acme/account');
    expect(account.status).toBe(200);
    expect(account.body).toContain('Alice Example');
    expect(account.body).toContain('alice@example.com');
    expect(account.body).toContain('This browser');
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const b = createTestBrowser(t.app);
    const wrong = await b.submit('/t/acme/sign-in', { login: 'alice', password: 'not the password at all' });
    const unknown = await b.submit('/t/acme/sign-in', {
      login: 'nobody',
      password: 'not the password at all',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const alertOf = (body: string) => /role="alert"[^>]*>([^<]*)</.exec(body)?.[1];
    expect(alertOf(wrong.body)).toBe('The username or password is not correct.');
    expect(alertOf(unknown.body)).toBe(alertOf(wrong.body));
    expect(b.cookies.has('gk_session_acme')).toBe(false);
  });

  it('sends the account page to sign-in and back', async () => {
    const b = createTestBrowser(t.app);
    const r = await b.get('/t/acme/account');
    expect(r.status).toBe(303);
    expect(r.location).toBe('/t/acme/sign-in?return_to=%2Ft%2Facme%2Faccount');
    const signedIn = await b.submit(
      r.location as string,
      { login: 'alice@example.com', password: PASSWORD },
      { action: '/t/acme/sign-in' },
    );
    expect(signedIn.location).toBe('/t/acme/account');
  });

  it('accepts return_to only for the tenant’s own pages', async () => {
    for (const evil of [
      'https://evil.example/',
      '//evil.example/t/acme/',
      '/t/other/account',
      '/\\evil.example',
      'javascript:alert(1)',
    ]) {
      const b = createTestBrowser(t.app);
      const r = await b.submit(
        `/t/acme/sign-in?return_to=${encodeURIComponent(evil)}`,
        { login: 'alice', password: PASSWORD },
        { action: '/t/acme/sign-in' },
      );
      expect(r.status, evil).toBe(303);
      expect(r.location, evil).toBe('/t/acme/account');
    }
    const b = createTestBrowser(t.app);
    const r = await b.submit(
      `/t/acme/sign-in?return_to=${encodeURIComponent('/t/acme/change-password')}`,
      { login: 'alice', password: PASSWORD },
      { action: '/t/acme/sign-in' },
    );
    expect(r.location).toBe('/t/acme/change-password');
  });

  it('signs out: the session no longer authenticates', async () => {
    const b = createTestBrowser(t.app);
    await b.submit('/t/acme/sign-in', { login: 'alice', password: PASSWORD });
    const tenant = await t.services.tenants.resolve('acme');
    const cookie = b.cookieHeader();
    expect(await t.services.accounts.sessions.authenticate(tenant.id, cookie)).not.toBeNull();
    const account = await b.get('/t/acme/account');
    const out = await b.submit('/t/acme/account', {}, { action: '/t/acme/sign-out' });
    expect(account.status).toBe(200);
    expect(out.status).toBe(200);
    expect(out.body).toContain('You are signed out');
    expect(await t.services.accounts.sessions.authenticate(tenant.id, cookie)).toBeNull();
    expect((await b.get('/t/acme/account')).status).toBe(303);
  });
});
