/**
 * New-sign-in alerts through the hosted pages, delivered by a real SMTP server (`smtp-server`):
 * nothing while the tenant has them off; with them on, nothing for an account's first sign-in, for a
 * browser carrying the user's device mark, or for a browser of the same family on the same network
 * as a live session; a mail for a new browser. The alert is queued in the session's unit of work:
 * a unit that fails leaves neither the session nor the mail. Also the rule's parts on their own. On
 * SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { startTestSmtp, type TestSmtp } from '../../../test/smtp.ts';
import { browserFamily, createDeviceMarks, describeMethods, networkOf } from './sign-in-alert.ts';
import { createTestBrowser, PASSWORD, seedUser } from './test-support.ts';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15';
const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36';

for (const dialect of ['sqlite', 'postgres'] as const)
  describe.skipIf(!dialectAvailable(dialect))(`new-sign-in alerts [${dialect}]`, () => {
    let t: TestRuntime;
    let smtp: TestSmtp;
    let tenantId: string;
    let userId: string;
    const alerts = async () =>
      (await t.services.mail.list({ limit: 100 })).filter((m) => m.template === 'sign-in-alert');

    beforeAll(async () => {
      smtp = await startTestSmtp();
      t = await createTestRuntime({
        dialect,
        env: { GATEKEEPER_SMTP_URL: smtp.url, GATEKEEPER_MAIL_FROM: 'GK <gk@example.test>' },
      });
      ({ tenantId, userId } = await seedUser(t.services, 'alert', 'grace', {
        email: 'grace@example.com',
        name: 'Grace Hopper',
      }));
    });
    afterAll(async () => {
      await t?.close();
      await smtp?.close();
    });

    const signIn = async (b: ReturnType<typeof createTestBrowser>) => {
      const r = await b.submit('/t/alert/sign-in', { login: 'grace', password: PASSWORD });
      expect(r.status).toBe(303);
      expect(r.location).toBe('/t/alert/account');
      return r;
    };

    it('sends nothing while the tenant has them off, but marks the browser', async () => {
      const b = createTestBrowser(t.app, { userAgent: CHROME_LINUX, ip: '192.0.2.10' });
      const r = await signIn(b);
      expect(String(r.headers['set-cookie'])).toMatch(/gk_device_alert=[0-9a-z]+~[A-Za-z0-9_-]{22}; Path=\//);
      expect(String(r.headers['set-cookie'])).toMatch(
        /gk_device_alert=[^;]+;[^,]*HttpOnly; SameSite=Lax; Max-Age=34560000/,
      );
      const other = createTestBrowser(t.app, { userAgent: FIREFOX_WINDOWS, ip: '198.51.100.7' });
      await signIn(other);
      expect(await alerts()).toEqual([]);
    });

    it('mails the user when a new browser signs in, and not for a known one', async () => {
      await t.services.accounts.settings.update(tenantId, { alerts: { newSignIn: true } }, undefined, {
        actor: 'test',
      });
      // this browser signed in before (its mark): no alert
      const known = createTestBrowser(t.app, { userAgent: CHROME_LINUX, ip: '192.0.2.10' });
      await signIn(known);
      const mark = known.cookies.get('gk_device_alert');
      const again = createTestBrowser(t.app, { userAgent: CHROME_LINUX, ip: '203.0.113.99' });
      again.cookies.set('gk_device_alert', mark as string);
      await signIn(again);
      expect(await alerts()).toEqual([]);

      // a browser never seen, on another network, with another user's mark only: alert
      const stranger = createTestBrowser(t.app, { userAgent: FIREFOX_WINDOWS, ip: '203.0.113.50' });
      await signIn(stranger);
      const mail = await smtp.next('grace@example.com');
      expect(mail.subject).toBe('New sign-in to your alert Inc. account');
      expect(mail.text).toContain('from 203.0.113.50, Firefox on Windows');
      expect(mail.text).toContain('(password)');
      expect(mail.text).toMatch(/http:\/\/localhost[:0-9]*\/t\/alert\/account/);
      expect(mail.html).toContain('Firefox on Windows');
      expect(await alerts()).toHaveLength(1);

      // the stranger's browser now carries the mark: its next sign-in is quiet
      stranger.cookies.delete('gk_session_alert');
      await signIn(stranger);
      // a tampered mark is no mark
      const forged = createTestBrowser(t.app, { userAgent: 'curl/8.5', ip: '100.64.0.1' });
      forged.cookies.set('gk_device_alert', `${(mark as string).slice(0, -2)}AA`);
      await signIn(forged);
      await smtp.next('grace@example.com');
      expect(await alerts()).toHaveLength(2);
    });

    it('treats the same browser family on the same network as a live session as known', async () => {
      const before = (await alerts()).length;
      // a live session exists from Firefox on Windows at 203.0.113.50 (above); same /24, no cookie
      const sibling = createTestBrowser(t.app, { userAgent: FIREFOX_WINDOWS, ip: '203.0.113.77' });
      await signIn(sibling);
      expect(await alerts()).toHaveLength(before);
      // same network, another browser family: new
      const safari = createTestBrowser(t.app, { userAgent: SAFARI_MAC, ip: '203.0.113.78' });
      await signIn(safari);
      expect(await alerts()).toHaveLength(before + 1);
    });

    it('sends nothing for the first sign-in of an account', async () => {
      await seedUser(t.services, 'alert', 'newbie', { email: 'newbie@example.com' });
      const b = createTestBrowser(t.app, { userAgent: FIREFOX_WINDOWS, ip: '198.51.100.1' });
      const r = await b.submit('/t/alert/sign-in', { login: 'newbie', password: PASSWORD });
      expect(r.status).toBe(303);
      const fresh = createTestBrowser(t.app, { userAgent: CHROME_LINUX, ip: '192.0.2.200' });
      await fresh.submit('/t/alert/sign-in', { login: 'newbie', password: PASSWORD });
      const mail = await smtp.next('newbie@example.com');
      expect(mail.subject).toContain('New sign-in');
      const toNewbie = (await alerts()).filter((m) => m.recipient === 'newbie@example.com');
      expect(toNewbie).toHaveLength(1);
    });

    it('queues the alert in the session’s unit of work: a failed unit leaves neither', async () => {
      const sessionsBefore = (await t.services.accounts.sessions.list(tenantId, { userId })).length;
      const mailBefore = (await t.services.mail.list({ limit: 100 })).length;
      await expect(
        t.services.accounts.sessions.create(
          tenantId,
          { userId, amr: ['pwd'], ip: '192.0.2.1', userAgent: CHROME_LINUX },
          { actor: 'test' },
          async () => {
            await t.services.userMail.send(tenantId, userId, 'sign-in-alert', { ip: '192.0.2.1' });
            throw new Error('the unit failed');
          },
        ),
      ).rejects.toThrow('the unit failed');
      expect(await t.services.accounts.sessions.list(tenantId, { userId })).toHaveLength(sessionsBefore);
      expect(await t.services.mail.list({ limit: 100 })).toHaveLength(mailBefore);
    });

    it('parts of the rule: browser families, networks, marks, methods', () => {
      expect(browserFamily(FIREFOX_WINDOWS)).toBe('Firefox on Windows');
      expect(browserFamily(CHROME_LINUX)).toBe('Chrome on Linux');
      expect(browserFamily(SAFARI_MAC)).toBe('Safari on macOS');
      expect(
        browserFamily(
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0',
        ),
      ).toBe('Edge on Windows');
      expect(
        browserFamily(
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile Safari/604.1',
        ),
      ).toBe('Safari on iOS');
      expect(browserFamily('curl/8.5')).toBe('an unknown browser');
      expect(networkOf('203.0.113.77')).toBe('203.0.113.0/24');
      expect(networkOf('::ffff:203.0.113.77')).toBe('203.0.113.0/24');
      expect(networkOf('2001:db8:1:2:3::4')).toBe('2001:db8:1:2::/64');
      expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
      expect(networkOf('not an address')).toBeNull();
      expect(describeMethods(['pwd'])).toBe('password');
      expect(describeMethods(['pwd', 'otp', 'mfa'])).toBe('password and one-time code');
      expect(describeMethods(['hwk', 'user', 'mfa'])).toBe('passkey');
      expect(describeMethods(['otp'])).toBe('sign-in link');
      expect(describeMethods(['otp', 'mfa'])).toBe('sign-in link and one-time code');
      expect(describeMethods(['otp', 'hwk', 'user', 'mfa'])).toBe('sign-in link and passkey');
      expect(describeMethods(['pwd', 'hwk', 'user', 'mfa'])).toBe('password and passkey');
      expect(describeMethods(['hwk', 'user'])).toBe('passkey');
      expect(describeMethods([])).toBe('another method');

      const at = Date.now();
      const marks = createDeviceMarks({ keys: () => [Buffer.alloc(32, 7)], secureCookies: () => true });
      expect(marks.cookieName('acme')).toBe('__Host-gk_device_acme');
      const a = marks.mint('t1', 'alice', undefined, at);
      expect(marks.knows('t1', 'alice', a, at)).toBe(true);
      expect(marks.knows('t1', 'bob', a, at)).toBe(false);
      expect(marks.knows('t2', 'alice', a, at)).toBe(false);
      // another user's sign-in keeps alice's mark; alice's own sign-in replaces hers
      const both = marks.mint('t1', 'bob', a, at);
      expect(marks.knows('t1', 'alice', both, at) && marks.knows('t1', 'bob', both, at)).toBe(true);
      expect(marks.mint('t1', 'alice', both, at + 1).split('.')).toHaveLength(2);
      // older than 400 days, or under a key no longer held: unknown
      expect(marks.knows('t1', 'alice', a, at + 401 * 24 * 3600_000)).toBe(false);
      const rotated = createDeviceMarks({ keys: () => [Buffer.alloc(32, 8)], secureCookies: () => true });
      expect(rotated.knows('t1', 'alice', a, at)).toBe(false);
      const both2 = createDeviceMarks({
        keys: () => [Buffer.alloc(32, 8), Buffer.alloc(32, 7)],
        secureCookies: () => true,
      });
      expect(both2.knows('t1', 'alice', a, at)).toBe(true);
      expect(marks.knows('t1', 'alice', 'garbage.~.x~y', at)).toBe(false);
    });
  });
