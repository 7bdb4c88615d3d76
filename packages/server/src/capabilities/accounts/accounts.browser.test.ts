/**
 * The hosted pages in a real browser (Debian's Chromium through playwright-core), within their own
 * strict CSP: password sign-in to the account page; wrong passwords until lockout, then success after
 * the (2 s) window; listing and revoking another browser's session from the account page; the oldest
 * session evicted at the tenant's limit; a forced password change at sign-in; sign-out; an uploaded
 * tenant logo on the sign-in page. Every page is
 * checked with axe-core (no serious or critical violation) and saved as a screenshot in light and
 * dark (and at phone width) under packages/server/test-output/screenshots/accounts/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { PASSWORD, seedUser } from './test-support.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SHOTS = new URL('../../../test-output/screenshots/accounts/', import.meta.url).pathname;
const AXE = readFileSync(new URL('../../../../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(
  'hosted sign-in pages in Chromium',
  { timeout: 120_000 },
  () => {
    let t: AdminTestApp;
    let browser: Browser;
    let origin: string;
    const consoleLines: string[] = [];

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      t = await createAdminTestApp();
      await seedUser(t.services, 'web', 'ada', { email: 'ada@example.com', name: 'Ada Lovelace' });
      await seedUser(t.services, 'web', 'lin');
      await seedUser(t.services, 'web', 'max');
      const r = await t.call('PATCH', '/api/v1/tenants/web/sign-in-settings', {
        body: {
          lockout: { maxFailures: 3, durationSeconds: 2 },
          sessions: { maxPerUser: 2 },
          branding: { displayName: 'Northwind Traders', accentColor: '#0b7a55' },
        },
      });
      expect(r.statusCode, r.body).toBe(200);
      origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
      return { context, page };
    }

    /** axe on the page (light and dark), screenshots of both, and at phone width when asked. */
    async function check(page: Page, name: string, options: { phone?: boolean } = {}) {
      await page.evaluate(AXE); // through the DevTools protocol: not subject to the page's CSP
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        const violations = (await page.evaluate(
          "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)",
        )) as AxeViolation[];
        const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        expect(
          bad.map((v) => `${v.id}: ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
          `${name} ${scheme}`,
        ).toEqual([]);
        await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
        if (options.phone) {
          const size = page.viewportSize();
          await page.setViewportSize({ width: 390, height: 844 });
          await page.screenshot({ path: join(SHOTS, `${name}-${scheme}-phone.png`), fullPage: true });
          if (size) await page.setViewportSize(size);
        }
      }
      await page.emulateMedia({ colorScheme: 'light' });
    }

    async function signIn(page: Page, login: string, password: string) {
      await page.goto(`${origin}/t/web/sign-in`);
      await page.fill('#login', login);
      await page.fill('#password', password);
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
      await page.waitForLoadState('load');
    }

    it('signs in with a password and lands on the account page', async () => {
      const { context, page } = await newPage();
      await page.goto(`${origin}/t/web/account`);
      expect(new URL(page.url()).pathname).toBe('/t/web/sign-in');
      expect(await page.title()).toBe('Sign in · Northwind Traders');
      await check(page, 'sign-in', { phone: true });
      await page.fill('#login', 'ada');
      await page.fill('#password', 'definitely not it');
      await page.click('button[type=submit]');
      await page.waitForSelector('[role=alert]');
      expect(await page.textContent('[role=alert]')).toBe('The username or password is not correct.');
      expect(await page.inputValue('#login')).toBe('ada');
      await check(page, 'sign-in-error');
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(`${origin}/t/web/account`), page.click('button[type=submit]')]);
      expect(await page.textContent('h1')).toBe('Your account');
      expect(await page.textContent('dl.profile')).toContain('Ada Lovelace');
      await check(page, 'account', { phone: true });
      // an API token created on the account page: its secret on one page, then listed without it
      await page.fill('#api-token-name', 'deploy script');
      await page.fill('#api-token-scopes', 'orders:read');
      await page.selectOption('#api-token-expires', '30');
      await Promise.all([
        page.waitForURL(`${origin}/t/web/account/api-tokens`),
        page.click('#api-tokens button[type=submit]:has-text("Create token")'),
      ]);
      const secret = (await page.textContent('#api-token-secret')) ?? '';
      expect(secret).toMatch(/^gk_pat_/);
      await check(page, 'api-token-created', { phone: true });
      await Promise.all([page.waitForURL(/\/t\/web\/account#api-tokens$/), page.click('a.button.primary')]);
      expect(await page.textContent('#api-tokens')).toContain('deploy script');
      expect(await page.content()).not.toContain(secret);
      await Promise.all([
        page.waitForURL(/notice=token_revoked/),
        page.click('#api-tokens button[aria-label="Revoke the token deploy script"]'),
      ]);
      expect(await page.textContent('[role=status], .alert')).toContain('That API token is revoked');
      await check(page, 'account-token-revoked');
      await context.close();
    });

    it('locks after wrong passwords, then lets the right one in after the window', async () => {
      const { context, page } = await newPage();
      for (let i = 0; i < 3; i++) await signIn(page, 'lin', `wrong password ${i}`);
      expect(await page.textContent('[role=alert]')).toMatch(/Too many failed attempts/);
      await signIn(page, 'lin', PASSWORD);
      expect(await page.textContent('[role=alert]')).toMatch(/Too many failed attempts/);
      await check(page, 'sign-in-locked');
      await page.waitForTimeout(2100);
      await signIn(page, 'lin', PASSWORD);
      expect(new URL(page.url()).pathname).toBe('/t/web/account');
      await context.close();
    });

    it('lists another browser and signs it out from the account page', async () => {
      const a = await newPage();
      const b = await newPage();
      await signIn(a.page, 'max', PASSWORD);
      await signIn(b.page, 'max', PASSWORD);
      await a.page.reload();
      const others = a.page.locator('ul.sessions li', { has: a.page.locator('button') });
      expect(await others.count()).toBe(1);
      await Promise.all([a.page.waitForURL(/notice=session_revoked/), others.locator('button').click()]);
      expect(await a.page.textContent('[role=status]')).toBe('That browser is signed out.');
      await check(a.page, 'account-session-revoked');
      await b.page.goto(`${origin}/t/web/account`);
      expect(new URL(b.page.url()).pathname).toBe('/t/web/sign-in');
      await a.context.close();
      await b.context.close();
    });

    it('evicts the oldest session at the tenant limit', async () => {
      const pages = [await newPage(), await newPage(), await newPage()];
      for (const p of pages) await signIn(p.page, 'ada', PASSWORD);
      await pages[0]!.page.goto(`${origin}/t/web/account`);
      expect(new URL(pages[0]!.page.url()).pathname).toBe('/t/web/sign-in');
      for (const p of pages.slice(1)) {
        await p.page.goto(`${origin}/t/web/account`);
        expect(new URL(p.page.url()).pathname).toBe('/t/web/account');
      }
      for (const p of pages) await p.context.close();
    });

    it('forces a password change at sign-in', async () => {
      const tenant = await t.services.tenants.resolve('web');
      const user = await t.services.users.findByLogin(tenant.id, 'lin');
      await t.call('POST', `/api/v1/tenants/web/users/${user!.id}/require-password-change`, {
        body: { required: true },
      });
      const { context, page } = await newPage();
      await signIn(page, 'lin', PASSWORD);
      expect(new URL(page.url()).pathname).toBe('/t/web/change-password');
      await check(page, 'change-password-forced', { phone: true });
      await page.fill('#new', 'password1234');
      await page.fill('#confirm', 'password1234');
      await page.click('button[type=submit]');
      await page.waitForSelector('[role=alert]');
      expect(await page.textContent('[role=alert]')).toMatch(/too common/);
      await check(page, 'change-password-refused');
      await page.fill('#new', 'harbour lights over granite 42');
      await page.fill('#confirm', 'harbour lights over granite 42');
      await Promise.all([page.waitForURL(`${origin}/t/web/account`), page.click('button[type=submit]')]);
      await page.goto(`${origin}/t/web/change-password`);
      await check(page, 'change-password');
      await page.goto(`${origin}/t/web/sign-out`);
      await check(page, 'sign-out');
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
      expect(await page.textContent('h1')).toBe('Signed out');
      await check(page, 'signed-out');
      await page.goto(`${origin}/t/no-such-tenant/sign-in`);
      await check(page, 'not-found');
      await context.close();
    });

    it('shows an uploaded logo on the sign-in page, within the CSP', async () => {
      const logo = readFileSync(new URL('./fixtures/logo.png', import.meta.url));
      const r = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/tenants/web/sign-in-settings/logo',
        headers: { authorization: `Bearer ${t.rootToken}`, 'content-type': 'image/png' },
        payload: logo,
      });
      expect(r.statusCode, r.body).toBe(200);
      const { context, page } = await newPage();
      const served = page.waitForResponse((res) => res.url().includes('/t/web/logo/'));
      await page.goto(`${origin}/t/web/sign-in`);
      const image = await served;
      expect(image.status()).toBe(200);
      expect(image.headers()['content-type']).toBe('image/png');
      expect(image.headers()['x-content-type-options']).toBe('nosniff');
      const size = await page.$eval('.brand img', (img) => {
        const el = img as unknown as { naturalWidth: number; complete: boolean };
        return [el.naturalWidth, el.complete];
      });
      expect(size).toEqual([96, true]);
      await check(page, 'sign-in-logo', { phone: true });
      expect(image.headers()['content-security-policy']).toBe("default-src 'none'; sandbox");
      await context.close();
      await t.call('DELETE', '/api/v1/tenants/web/sign-in-settings/logo');
    });

    it('reported no CSP violation and no script error on any page', () => {
      expect(consoleLines.filter((l) => /Content Security Policy|Refused to|pageerror/i.test(l))).toEqual([]);
    });
  },
);
