/**
 * Authorization code + PKCE through the real hosted sign-in in Chromium, with openid-client as the
 * relying party: sign-in page → consent page → code → tokens; the ID token (profile, email, groups,
 * roles) verifies with jose against the tenant JWKS; userinfo; refresh rotation with reuse detection
 * (a reused refresh token revokes its whole family); a first-party client skips consent; RP-initiated
 * logout ends the Gatekeeper session; device flow; MFA step-up by acr_values. On SQLite and PostgreSQL.
 * Skipped only where `/usr/bin/chromium` is missing (never in CI).
 */
import { existsSync } from 'node:fs';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'openid-client';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { within } from '../../../test/second-instance.ts';
import { freePort } from '../../../test/serve-process.ts';
import { ACR_MFA, ACR_PASSWORD } from '../accounts/index.ts';
import { PASSWORD, seedUser } from '../accounts/test-support.ts';
import { totpCode } from '../mfa/totp.ts';

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
const REDIRECT = 'http://localhost/cb';
const SYSTEM = { actor: 'system' };

// on both dialects: the adapter's single-use models (codes, refresh tokens) are consumed by each's SQL
for (const dialect of ['sqlite', 'postgres'] as const)
  describe.skipIf((!existsSync(CHROMIUM) && !process.env.CI) || !dialectAvailable(dialect))(
    `authorization code + PKCE in Chromium [${dialect}]`,
    () => {
      let t: TestRuntime;
      let browser: Browser;
      let issuer: string;
      let userId: string;
      let tenantId: string;

      beforeAll(async () => {
        const port = await freePort();
        t = await createTestRuntime({
          dialect,
          env: {
            GATEKEEPER_PUBLIC_URL: `http://127.0.0.1:${port}`,
            GATEKEEPER_OIDC_REFRESH_REUSE_GRACE_SECONDS: '0',
          },
        });
        await t.app.listen({ host: '127.0.0.1', port });
        ({ userId, tenantId } = await seedUser(t.services, 'shop', 'alice', {
          email: 'alice@example.com',
          name: 'Alice',
        }));
        const group = await t.services.groups.create(tenantId, { name: 'engineers' }, SYSTEM);
        await t.services.groups.addUser(tenantId, group.id, userId, SYSTEM);
        issuer = t.services.oidc.issuerOf('shop');
        browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      });
      afterAll(async () => {
        await browser?.close();
        await t?.close();
      });

      async function publicClient(options: { firstParty?: boolean } = {}) {
        const { client } = await t.services.clients.create(
          tenantId,
          {
            name: `spa ${Math.random()}`,
            kind: 'public',
            redirectUris: [REDIRECT],
            postLogoutRedirectUris: ['http://localhost/bye'],
            scopes: ['openid', 'profile', 'email', 'groups', 'roles', 'offline_access'],
            firstParty: options.firstParty ?? false,
          },
          SYSTEM,
        );
        const config = await oauth.discovery(new URL(issuer), client.clientId, undefined, oauth.None(), {
          execute: [oauth.allowInsecureRequests],
        });
        return config;
      }

      /** Follows the browser until it reaches the redirect URI; returns that URL. */
      async function untilCallback(
        page: Page,
        start: string,
        act: (page: Page) => Promise<void>,
      ): Promise<URL> {
        let landed: string | undefined;
        await page.route('http://localhost/**', async (route) => {
          landed = route.request().url();
          await route.fulfill({ status: 200, body: 'rp' });
        });
        await page.goto(start);
        await act(page);
        for (let i = 0; i < 100 && !landed; i++) await page.waitForTimeout(50);
        if (!landed)
          throw new Error(
            `never reached the redirect URI; at ${page.url()}: ${(await page.content()).slice(0, 1500)}`,
          );
        return new URL(landed);
      }

      async function signIn(page: Page) {
        await page.waitForSelector('#login');
        await page.fill('#login', 'alice');
        await page.fill('#password', PASSWORD);
        await page.click('button[type=submit]');
      }

      it('signs in, consents, and gets verifiable tokens; refresh rotates and reuse revokes the family', async () => {
        const config = await publicClient();
        const verifier = oauth.randomPKCECodeVerifier();
        const url = oauth.buildAuthorizationUrl(config, {
          redirect_uri: REDIRECT,
          scope: 'openid profile email groups roles offline_access',
          code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          prompt: 'consent',
          nonce: 'n1',
        });
        const context = await browser.newContext();
        const page = await context.newPage();
        const callback = await untilCallback(page, url.href, async (p) => {
          await signIn(p);
          await p.waitForSelector('button[value=allow]');
          expect(await p.textContent('h1')).toContain('wants to');
          await p.click('button[value=allow]');
        });
        const tokens = await oauth.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: verifier,
          expectedNonce: 'n1',
        });
        const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
        const { payload } = await jwtVerify(tokens.id_token!, jwks, {
          issuer,
          audience: config.clientMetadata().client_id,
        });
        expect(payload).toMatchObject({
          sub: userId,
          email: 'alice@example.com',
          name: 'Alice',
          preferred_username: 'alice',
          groups: ['engineers'],
          // how the user signed in (RFC 8176), with every ID token, asked for or not
          amr: ['pwd'],
          acr: ACR_PASSWORD,
        });
        const info = await oauth.fetchUserInfo(config, tokens.access_token, userId);
        expect(info.amr).toBeUndefined();
        expect(info.email).toBe('alice@example.com');

        const first = tokens.refresh_token!;
        const refreshed = await oauth.refreshTokenGrant(config, first);
        expect(refreshed.refresh_token).not.toBe(first);
        const reuse = await oauth.refreshTokenGrant(config, first).catch((e: unknown) => e);
        expect((reuse as oauth.ResponseBodyError).error).toBe('invalid_grant');
        // the whole family is gone: the newest refresh token and its access token too
        const after = await oauth
          .refreshTokenGrant(config, refreshed.refresh_token!)
          .catch((e: unknown) => e);
        expect((after as oauth.ResponseBodyError).error).toBe('invalid_grant');
        await context.close();
      });

      it('acr_values asking for MFA: a TOTP user passes the code page, and the ID token says acr mfa', async () => {
        const { userId: totpUser } = await seedUser(t.services, 'shop', 'tom', { email: 'tom@example.com' });
        const enrolment = await t.services.mfa.beginTotp(tenantId, totpUser, {
          issuer: 'shop',
          label: 'tom',
        });
        await t.services.mfa.confirmTotp(
          tenantId,
          totpUser,
          totpCode(enrolment.secret, Date.now() - 30_000),
          SYSTEM,
        );
        const config = await publicClient({ firstParty: true });
        const verifier = oauth.randomPKCECodeVerifier();
        const url = oauth.buildAuthorizationUrl(config, {
          redirect_uri: REDIRECT,
          scope: 'openid',
          code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          acr_values: ACR_MFA,
        });
        const context = await browser.newContext();
        const page = await context.newPage();
        const callback = await untilCallback(page, url.href, async (p) => {
          await p.waitForSelector('#login');
          await p.fill('#login', 'tom');
          await p.fill('#password', PASSWORD);
          await p.click('button[type=submit]');
          await p.waitForSelector('#code');
          await p.fill('#code', totpCode(enrolment.secret, Date.now()));
          await p.click('button[type=submit]');
        });
        const tokens = await oauth.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
        const claims = tokens.claims()!;
        expect(claims.sub).toBe(totpUser);
        expect(claims.acr).toBe(ACR_MFA);
        expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'otp']));
        await context.close();
      });

      it('device flow (RFC 8628): the user confirms the code on the hosted page, the device polls tokens', async () => {
        const { client } = await t.services.clients.create(
          tenantId,
          {
            name: 'tv app',
            kind: 'public',
            grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'] as never,
            scopes: ['openid', 'profile'],
            firstParty: true,
          },
          SYSTEM,
        );
        const config = await oauth.discovery(new URL(issuer), client.clientId, undefined, oauth.None(), {
          execute: [oauth.allowInsecureRequests],
        });
        const device = await oauth.initiateDeviceAuthorization(config, { scope: 'openid profile' });
        expect(device.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(device.verification_uri_complete!);
        await page.click('button[type=submit]');
        await signIn(page);
        await page.waitForURL(/\/device\/.*|success/, { timeout: 10_000 }).catch(() => undefined);
        const tokens = await oauth.pollDeviceAuthorizationGrant(config, { ...device, interval: 1 });
        expect(tokens.claims()?.sub).toBe(userId);
        expect(tokens.claims()?.preferred_username).toBe('alice');
        // the code works once
        const again = await oauth
          .pollDeviceAuthorizationGrant(config, { ...device, interval: 1 })
          .catch((e: unknown) => e);
        expect((again as oauth.ResponseBodyError).error).toBe('invalid_grant');
        await context.close();
      });

      it('a first-party client skips consent; RP-initiated logout ends the Gatekeeper session', async () => {
        const config = await publicClient({ firstParty: true });
        const verifier = oauth.randomPKCECodeVerifier();
        const url = oauth.buildAuthorizationUrl(config, {
          redirect_uri: REDIRECT,
          scope: 'openid profile',
          code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        });
        const context = await browser.newContext();
        const page = await context.newPage();
        const callback = await untilCallback(page, url.href, signIn);
        const tokens = await oauth.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
        expect(tokens.id_token).toBeDefined();
        const sessionsBefore = await t.services.accounts.sessions.list(tenantId, { userId });
        expect(sessionsBefore.length).toBeGreaterThan(0);

        const logout = oauth.buildEndSessionUrl(config, {
          id_token_hint: tokens.id_token!,
          post_logout_redirect_uri: 'http://localhost/bye',
        });
        const second = await context.newPage();
        const bye = await untilCallback(second, logout.href, async (p) => {
          await p.waitForSelector('button[autofocus], button[type=submit]');
          await p.click('button[autofocus], button[type=submit]');
        });
        expect(bye.pathname).toBe('/bye');
        const cookies = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
        const ended = await within(
          1000,
          async () => (await t.services.accounts.sessions.authenticate(tenantId, cookies)) === null,
        );
        expect(ended).toBeGreaterThanOrEqual(0);
        await context.close();
      });
    },
  );
