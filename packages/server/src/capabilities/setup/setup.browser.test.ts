/**
 * The setup page in a real browser: Debian's Chromium driven by playwright-core opens the one-time
 * link on a listening app, fills the form, submits it and lands on the success page — with no
 * Content-Security-Policy violation reported on the way (the page must work under its own strict
 * CSP). Skipped only on a developer machine without `/usr/bin/chromium`; under CI it always runs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../test/chromium.ts';
import { ROOT_TENANT } from '../tenants/service.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('setup page in Chromium', () => {
  let t: AdminTestApp;
  let browser: Browser;
  let origin: string;
  let dir: string;

  beforeAll(async () => {
    t = await createAdminTestApp();
    origin = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    dir = mkdtempSync(join(tmpdir(), 'gk-browser-'));
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the first administrator through the form, within the page CSP', async () => {
    const link = await t.services.setup.issueLinkIfNeeded();
    expect(link).not.toBeNull();
    // the link carries the configured public URL; the browser goes to the listening test server
    const url = new URL(link!);
    const context = await browser.newContext();
    const page = await context.newPage();
    const messages: string[] = [];
    page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));

    const opened = await page.goto(`${origin}${url.pathname}${url.search}`);
    expect(opened?.status()).toBe(200);
    expect(await page.title()).toBe('Set up Gatekeeper · Gatekeeper');
    await page.fill('#name', 'Browser Admin');
    await page.fill('#email', 'browser-admin@example.com');
    await page.fill('#password', 'a long enough browser password');
    const submitted = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.click('button[type=submit]');
    expect((await submitted).status()).toBe(200);
    await page.waitForLoadState();
    expect(await page.textContent('h1')).toBe('Administrator created');
    expect(await page.textContent('p.ok')).toContain('browser-admin@example.com');

    const shot = join(dir, 'setup-done.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = readFileSync(shot);
    expect(png.length).toBeGreaterThan(PNG_SIGNATURE.length);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);

    // a CSP violation is reported on the console ("Refused to … because it violates …")
    expect(messages.filter((l) => /Content Security Policy|Refused to/i.test(l))).toEqual([]);
    expect(messages.filter((l) => l.startsWith('pageerror') || l.startsWith('error'))).toEqual([]);

    // control: the listener does catch a violation of this CSP (an image the policy forbids)
    // (a string, evaluated in the page: this package's types have no DOM)
    await page.evaluate(
      "document.body.append(Object.assign(document.createElement('img'), { src: 'http://127.0.0.1:9/x.png' }))",
    );
    await expect
      .poll(() => messages.some((l) => /Content Security Policy/i.test(l)), { timeout: 5000 })
      .toBe(true);
    await context.close();

    const root = (await t.services.tenants.resolve(ROOT_TENANT)).id;
    const admin = await t.services.users.verifyPassword(
      root,
      'browser-admin@example.com',
      'a long enough browser password',
    );
    expect(admin?.name).toBe('Browser Admin');
    expect((await t.services.access.effectiveAccess(root, admin!.id)).roles).toContain('owner');
  });
});
