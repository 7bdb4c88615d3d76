/**
 * Magic links, password reset, TOTP and passkeys in a real browser: Debian's Chromium (playwright-core)
 * against a listening server whose mail goes through a real SMTP server (`smtp-server`).
 * - a magic link received by mail signs in once (amr `otp`); a second use and a tampered link are
 *   refused; opened in another browser it asks for confirmation first;
 * - forgot / reset password over mail; the reset link works once;
 * - TOTP enrolment from the account page (QR + key), then sign-in with a generated code; the same
 *   code replayed is refused; a backup code signs in;
 * - a passkey registered from the account page with Chromium's virtual authenticator (CDP WebAuthn),
 *   then a passwordless sign-in with it (amr hwk/user);
 * - every page added here passes axe-core (no serious or critical violation) in light and dark, with
 *   no CSP violation, and is saved as a screenshot (tmp/screenshots/mfa/ in the repository).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../test/chromium.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { repoRoot } from '../../../test/serve-process.ts';
import { startTestSmtp, type TestSmtp } from '../../../test/smtp.ts';
import { PASSWORD, seedUser } from '../accounts/test-support.ts';
import { totpCode } from './totp.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = join(repoRoot, 'tmp', 'screenshots', 'mfa');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(
  'magic links, reset, TOTP and passkeys in Chromium',
  { timeout: 120_000 },
  () => {
    let t: TestRuntime;
    let smtp: TestSmtp;
    let browser: Browser;
    let origin: string;
    const problems: string[] = [];
    const checked = new Set<string>();

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      smtp = await startTestSmtp();
      const port = await freePort();
      origin = `http://localhost:${port}`;
      t = await createTestRuntime({
        env: {
          GATEKEEPER_PUBLIC_URL: origin,
          GATEKEEPER_SMTP_URL: smtp.url,
          GATEKEEPER_MAIL_RETRY_BASE_MS: '50',
        },
      });
      await t.app.listen({ host: '127.0.0.1', port });
      for (const name of ['ada', 'bob', 'cy', 'dee'])
        await seedUser(t.services, 'acme', name, {
          email: `${name}@example.test`,
          name: `${name[0]!.toUpperCase()}${name.slice(1)} Example`,
        });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    });

    afterAll(async () => {
      await browser?.close();
      await t?.close();
      await smtp?.close();
    });

    async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('console', (msg) => {
        // a 4xx page (a refused code, a used link) is logged as a failed resource load: expected here
        if (/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) return;
        if (/Content Security Policy|Refused to/i.test(msg.text()) || msg.type() === 'error')
          problems.push(`${page.url()}: ${msg.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`${page.url()}: pageerror ${e.message}`));
      return { context, page };
    }

    /** axe-core in light and dark (0 serious/critical), and a screenshot of each. */
    async function audit(page: Page, name: string) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.evaluate(AXE); // through CDP, not a script tag: the page CSP stays as it is
        const violations = await page.evaluate(async () => {
          const r = await (
            globalThis as unknown as {
              axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> };
            }
          ).axe.run();
          return r.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.id} (${v.nodes.length})`);
        });
        expect(violations, `${name} (${scheme})`).toEqual([]);
        await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
      }
      await page.emulateMedia({ colorScheme: 'light' });
      // and at a phone's width
      const size = page.viewportSize();
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
      if (size) await page.setViewportSize(size);
      checked.add(name);
    }

    const linkIn = (text: string | false | undefined) => {
      const m = /(http:\/\/localhost:\d+\/t\/acme\/[a-z/-]+\?token=[A-Za-z0-9_-]+)/.exec(text || '');
      if (!m?.[1]) throw new Error(`no link in ${text}`);
      return m[1];
    };

    async function signInWithPassword(page: Page, login: string, password = PASSWORD) {
      await page.goto(`${origin}/t/acme/sign-in?prompt=login`);
      await page.fill('#login', login);
      await page.fill('#password', password);
      await Promise.all([
        page.waitForLoadState('load'),
        page.click('form[action="/t/acme/sign-in"] button[type=submit]'),
      ]);
    }

    async function signOut(page: Page) {
      await page.goto(`${origin}/t/acme/sign-out`);
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    }

    it('signs in once with a magic link received by mail; a second use and a tampered link are refused', async () => {
      const { context, page } = await newPage();
      await page.goto(`${origin}/t/acme/sign-in`);
      await audit(page, 'sign-in');
      await page.click('text=Email me a sign-in link');
      expect(await page.textContent('h1')).toBe('Email me a sign-in link');
      await audit(page, 'magic-link');
      await page.fill('#email', 'ada@example.test');
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
      expect(await page.textContent('h1')).toBe('Check your email');
      await audit(page, 'magic-link-sent');

      const mail = await smtp.next('ada@example.test');
      expect(mail.subject).toBe('Your sign-in link for acme Inc.');
      const link = linkIn(mail.text);
      await page.goto(link);
      expect(new URL(page.url()).pathname).toBe('/t/acme/account');
      expect(await page.textContent('h1')).toBe('Your account');
      const session = await (await page.request.get(`${origin}/t/acme/account/api/session`)).json();
      // RFC 8176 registers no `email`: a single-use secret sent out of band is `otp`
      expect(session.amr).toEqual(['otp']);

      const again = await page.goto(link);
      expect(again?.status()).toBe(410);
      expect(await page.textContent('h1')).toBe('This link no longer works');
      await audit(page, 'link-invalid');
      const tampered = await page.goto(`${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`);
      expect(tampered?.status()).toBe(410);
      await context.close();
    });

    it('asks for confirmation when the link is opened in another browser', async () => {
      const asking = await newPage();
      await asking.page.goto(`${origin}/t/acme/magic-link`);
      await asking.page.fill('#email', 'ada@example.test');
      await Promise.all([asking.page.waitForLoadState('load'), asking.page.click('button[type=submit]')]);
      const link = linkIn((await smtp.next('ada@example.test')).text);
      const other = await newPage();
      await other.page.goto(link);
      expect(await other.page.textContent('h1')).toBe('Sign in on this device?');
      await audit(other.page, 'magic-link-confirm');
      await Promise.all([other.page.waitForLoadState('load'), other.page.click('button[type=submit]')]);
      expect(await other.page.textContent('h1')).toBe('Your account');
      await asking.context.close();
      await other.context.close();
    });

    it('resets a forgotten password over mail; the reset link works once', async () => {
      const { context, page } = await newPage();
      await page.goto(`${origin}/t/acme/sign-in`);
      await page.click('text=Forgot password?');
      await audit(page, 'forgot-password');
      await page.fill('#email', 'dee@example.test');
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
      expect(await page.textContent('h1')).toBe('Check your email');
      const link = linkIn((await smtp.next('dee@example.test')).text);
      await page.goto(link);
      expect(await page.textContent('h1')).toBe('Choose a new password');
      await audit(page, 'reset-password');
      await page.fill('#new', 'short');
      await page.fill('#confirm', 'short');
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
      expect(await page.textContent('[role=alert]')).toMatch(/at least/);
      await audit(page, 'reset-password-refused');
      const fresh = 'marble lantern drifts over quiet fields';
      await page.fill('#new', fresh);
      await page.fill('#confirm', fresh);
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
      expect(await page.textContent('h1')).toBe('Password changed');
      await audit(page, 'reset-password-done');
      expect((await page.goto(link))?.status()).toBe(410);
      await signInWithPassword(page, 'dee', fresh);
      expect(await page.textContent('h1')).toBe('Your account');
      await context.close();
    });

    it('enrols TOTP from the account page, signs in with a code, refuses its replay, accepts a backup code', async () => {
      const { context, page } = await newPage();
      await signInWithPassword(page, 'bob');
      expect(await page.textContent('h1')).toBe('Your account');
      await audit(page, 'account');
      await page.click('text=Set up authenticator app');
      expect(await page.textContent('h1')).toBe('Set up two-step verification');
      expect(await page.locator('figure.qr svg').count()).toBe(1);
      await audit(page, 'mfa-enrol');
      const secret = (await page.textContent('code.secret'))!.replace(/\s/g, '');
      await page.fill('#code', '000000');
      await Promise.all([
        page.waitForLoadState('load'),
        page.click('form[action="/t/acme/mfa/enrol"] button'),
      ]);
      expect(await page.textContent('[role=alert]')).toContain('not valid');
      await page.fill('#code', totpCode(secret, Date.now()));
      await Promise.all([
        page.waitForLoadState('load'),
        page.click('form[action="/t/acme/mfa/enrol"] button'),
      ]);
      expect(await page.textContent('h1')).toBe('Save your backup codes');
      const codes = await page.locator('ul.codes code').allTextContents();
      expect(codes).toHaveLength(10);
      await audit(page, 'mfa-backup-codes');
      await page.click('text=Back to your account');
      expect(await page.textContent('#mfa')).toContain('10 backup codes left');
      await audit(page, 'account-mfa-on');
      await signOut(page);

      // sign in: password, then a code (the next step's: the enrolment spent this one)
      await signInWithPassword(page, 'bob');
      expect(new URL(page.url()).pathname).toBe('/t/acme/mfa');
      await audit(page, 'mfa-challenge');
      const code = totpCode(secret, Date.now() + 30_000);
      await page.fill('#code', code);
      await Promise.all([page.waitForLoadState('load'), page.click('form[action="/t/acme/mfa"] button')]);
      expect(await page.textContent('h1')).toBe('Your account');
      const session = await (await page.request.get(`${origin}/t/acme/account/api/session`)).json();
      expect(session.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
      await signOut(page);

      // the same code again: refused
      await signInWithPassword(page, 'bob');
      await page.fill('#code', code);
      await Promise.all([page.waitForLoadState('load'), page.click('form[action="/t/acme/mfa"] button')]);
      expect(await page.textContent('[role=alert]')).toContain('not valid');
      await audit(page, 'mfa-challenge-refused');
      // a backup code works, once
      await page.fill('#code', codes[0]!);
      await Promise.all([page.waitForLoadState('load'), page.click('form[action="/t/acme/mfa"] button')]);
      expect(await page.textContent('h1')).toBe('Your account');
      expect(await page.textContent('#mfa')).toContain('9 backup codes left');
      await context.close();
    });

    it('registers a passkey with the virtual authenticator and signs in with it, no password', async () => {
      const { context, page } = await newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });
      await signInWithPassword(page, 'cy');
      await page.fill('#passkey-name', 'Laptop');
      // the page is the account page before and after: wait for the registration's redirect itself
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/account/passkeys')),
        page.click('#passkeys button[type=submit]:has-text("Add a passkey")'),
      ]);
      await page.waitForLoadState('load');
      await page.waitForSelector('#passkeys ul.sessions');
      expect(await page.textContent('#passkeys')).toContain('Laptop');
      await audit(page, 'account-passkey');
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(credentials).toHaveLength(1);
      expect(credentials[0]?.isResidentCredential).toBe(true);
      await signOut(page);

      // the sign-in page offers the passkey in the username autofill (conditional UI) and as a button;
      // the virtual authenticator answers the autofill request by itself, else the button is pressed
      let signedAssertion: string | undefined;
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith('/t/acme/passkeys/sign-in'))
          signedAssertion = r.postData() ?? undefined;
      });
      // (on a loaded 2-core machine the autofill request and the button's request can cross and
      // neither completes: a sign-in that led nowhere is tried once more on a fresh page, as a
      // person would)
      const button = page.locator('form[data-passkey] button');
      const atAccount = () => /\/t\/acme\/account/.test(page.url());
      for (let attempt = 1; ; attempt++) {
        // (a late submission of the attempt before may cut this navigation short)
        await page.goto(`${origin}/t/acme/sign-in`).catch(() => {});
        await page.waitForLoadState('load');
        if (atAccount()) break;
        const reached = page.waitForURL(/\/t\/acme\/account/, { timeout: 10_000 }).then(
          () => true,
          () => false,
        );
        await Promise.race([reached, button.click({ timeout: 5000 }).catch(() => {})]);
        if (await reached) break;
        if (attempt === 3) throw new Error(`the passkey sign-in never completed (at ${page.url()})`);
      }
      expect(await page.textContent('h1')).toBe('Your account');
      const session = await (await page.request.get(`${origin}/t/acme/account/api/session`)).json();
      expect(session.amr).toEqual(expect.arrayContaining(['hwk', 'user']));

      // the same signed assertion posted again (with a fresh form token) is refused: its challenge was
      // taken; so is a tampered one
      await signOut(page);
      // (the authenticator stops answering by itself, so the autofill request does not sign in again)
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });
      await page.goto(`${origin}/t/acme/sign-in`);
      const csrf = await page.getAttribute('form[data-passkey] input[name=csrf]', 'value');
      const replay = new URLSearchParams(signedAssertion);
      replay.set('csrf', csrf!);
      const replayed = await page.request.post(`${origin}/t/acme/passkeys/sign-in`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        data: replay.toString(),
      });
      expect(replayed.status()).toBe(400);
      expect(await replayed.text()).toContain('The passkey could not be used');

      // a password sign-in of a user with a passkey asks for it as the second factor
      await context.clearCookies();
      // (on a loaded 2-core machine a submission has once led nowhere within 30 s: one that led
      // nowhere is made again on a fresh page, as a person would)
      for (let attempt = 1; ; attempt++) {
        await page.goto(`${origin}/t/acme/sign-in?prompt=login`).catch(() => {});
        await page.waitForLoadState('load');
        if (/\/t\/acme\/mfa$/.test(page.url())) break;
        await page.fill('#login', 'cy');
        await page.fill('#password', PASSWORD);
        const reached = page.waitForURL(/\/t\/acme\/mfa$/, { timeout: 15_000 }).then(
          () => true,
          () => false,
        );
        await page.click('form[action="/t/acme/sign-in"] button[type=submit]').catch(() => {});
        if (await reached) break;
        if (attempt === 3)
          throw new Error(`the password sign-in never reached the MFA step (at ${page.url()})`);
      }
      await audit(page, 'mfa-challenge-passkey');
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
      // (on a loaded 2-core machine the renderer has once never acted on the click, and once acted
      // on it only after the wait gave up, so the reload that followed was cut short by the late
      // submission: a click that led nowhere is tried again on a reloaded page, as a person would,
      // and a late arrival at the account page counts)
      for (let attempt = 1; ; attempt++) {
        await page.waitForLoadState('load');
        if (atAccount()) break;
        const done = page.waitForURL(/\/t\/acme\/account/, { timeout: 20_000 });
        const clicked = page.locator('form[data-passkey] button').click({ timeout: 20_000 });
        const outcome = await Promise.all([done, clicked]).then(
          () => null,
          (err: unknown) => err,
        );
        if (!outcome || atAccount()) break;
        if (attempt === 3 || !/\/t\/acme\/mfa$/.test(page.url())) throw outcome;
        await page.reload().catch(() => {});
      }
      await page.waitForLoadState('load');
      const second = await (await page.request.get(`${origin}/t/acme/account/api/session`)).json();
      expect(second.amr).toEqual(expect.arrayContaining(['pwd', 'hwk', 'mfa']));
      await context.close();
    });

    it('saw no CSP violation or script error on any page, and checked every page', () => {
      expect(problems).toEqual([]);
      expect(checked.size).toBeGreaterThanOrEqual(14);
    });
  },
);
