/**
 * OpenID Connect Back-Channel Logout when a Gatekeeper session ends, with a real HTTP receiver on
 * loopback standing in for the relying parties: the user signs in over HTTP (hosted sign-in) to an
 * RP with a `backchannel_logout_uri` and to one without; then signing out on the hosted sign-out
 * page, revoking the session from the account page of another browser, revoking it through the
 * admin API, and a session ended behind the server's back (the CLI: the periodic reconciliation)
 * each deliver one logout token to that RP only. Every logout token verifies with jose against the
 * tenant JWKS (`typ: logout+jwt`, the back-channel event, the ID token's `sid`, no nonce), and the
 * delivery is audited. A receiver that fails the first attempt gets the token again after the retry
 * delay (each attempt audited with its number); one that keeps failing is tried a bounded number of
 * times and then given up; the library's own delivery at RP-initiated logout is retried the same way.
 * A waiting retry is a row: one left by an instance that stopped is run by another.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { openSecondInstance, within } from '../../../test/second-instance.ts';
import { freePort } from '../../../test/serve-process.ts';
import { PASSWORD, seedUser } from '../accounts/test-support.ts';
import { authorizeOverHttp, createHttpAgent, type HttpAgent } from './test-support.ts';

const SYSTEM = { actor: 'system' };
const REDIRECT = 'http://localhost/cb';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

describe('back-channel logout when a Gatekeeper session ends', () => {
  let t: AdminTestApp;
  let base: string;
  let issuer: string;
  let tenantId: string;
  let userId: string;
  let receiver: Server;
  let receiverUrl: string;
  const received: { path: string; token: string }[] = [];
  const events: { type: string; result: string; data?: Record<string, unknown> }[] = [];
  let withLogout: oauth.Configuration;
  let withoutLogout: oauth.Configuration;
  let flaky: oauth.Configuration;
  let down: oauth.Configuration;
  let flakyRp: oauth.Configuration;
  let flakyLater: oauth.Configuration;
  let lastIdToken = '';

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const path = req.url ?? '';
        received.push({ path, token: new URLSearchParams(body).get('logout_token') ?? '' });
        const hits = received.filter((r) => r.path === path).length;
        // /flaky… fails its first delivery, /down every one
        const fail = path.startsWith('/down/') || (path.startsWith('/flaky') && hits === 1);
        res.writeHead(fail ? 503 : 200, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await createAdminTestApp({
      env: {
        GATEKEEPER_PUBLIC_URL: base,
        GATEKEEPER_OIDC_OUTBOUND_ALLOW_PRIVATE_ADDRESSES: 'true',
        GATEKEEPER_OIDC_BACKCHANNEL_LOGOUT_ATTEMPTS: '3',
        GATEKEEPER_OIDC_BACKCHANNEL_LOGOUT_RETRY_BASE_MS: '150',
      },
    });
    await t.app.listen({ host: '127.0.0.1', port });
    ({ tenantId, userId } = await seedUser(t.services, 'shop', 'bob', { email: 'bob@example.com' }));
    issuer = t.services.oidc.issuerOf('shop');
    t.runtime.bus.subscribe((e) => {
      events.push(e as never);
    });
    const client = async (name: string, backchannelLogoutUri?: string) => {
      const { client: c } = await t.services.clients.create(
        tenantId,
        {
          name,
          kind: 'public',
          redirectUris: [REDIRECT],
          scopes: ['openid', 'profile'],
          firstParty: true,
          ...(backchannelLogoutUri ? { backchannelLogoutUri } : {}),
        },
        SYSTEM,
      );
      return oauth.discovery(new URL(issuer), c.clientId, undefined, oauth.None(), {
        execute: [oauth.allowInsecureRequests],
      });
    };
    withLogout = await client('wiki', `${receiverUrl}/wiki/backchannel`);
    withoutLogout = await client('chat');
    // a client with a logout URI that never signs anyone in: it must hear nothing
    await client('unused', `${receiverUrl}/unused/backchannel`);
    flaky = await client('flaky', `${receiverUrl}/flaky/backchannel`);
    down = await client('down', `${receiverUrl}/down/backchannel`);
    flakyRp = await client('flaky-rp', `${receiverUrl}/flaky-rp/backchannel`);
    flakyLater = await client('flaky-later', `${receiverUrl}/flaky-later/backchannel`);
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  /** Signs in through `config`'s client in this agent's cookie jar; returns the ID token's claims. */
  async function signIn(agent: HttpAgent, config: oauth.Configuration): Promise<JWTPayload> {
    const verifier = oauth.randomPKCECodeVerifier();
    const url = oauth.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await authorizeOverHttp(agent, url.href, {
      redirectUri: REDIRECT,
      login: 'bob',
      password: PASSWORD,
    });
    const tokens = await oauth.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    lastIdToken = tokens.id_token!;
    return tokens.claims()!;
  }

  async function verifyLogoutToken(token: string, idToken: JWTPayload, to: oauth.Configuration = withLogout) {
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(`${issuer}/jwks`)),
      {
        issuer,
        audience: to.clientMetadata().client_id,
        typ: 'logout+jwt',
      },
    );
    expect(protectedHeader.kid).toBeDefined();
    expect(payload.sub).toBe(userId);
    expect(payload.sid).toBe(idToken.sid);
    expect(payload.events).toEqual({ [EVENT]: {} });
    expect(payload.jti).toBeTruthy();
    expect(payload.nonce).toBeUndefined();
  }

  const gkSessions = () => t.services.accounts.sessions.list(tenantId, { userId });
  const csrfIn = (page: string, action: string) => {
    const form = page.split('<form').find((f) => f.includes(`action="${action}"`)) ?? '';
    return /name="csrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
  };

  it('the hosted sign-out page notifies the RP that had a grant in that session, and only it', async () => {
    const agent = createHttpAgent(base);
    const idToken = await signIn(agent, withLogout);
    await signIn(agent, withoutLogout);
    expect(idToken.sid).toBeTruthy();
    const before = received.length;
    const page = await (await agent.request('/t/shop/sign-out')).text();
    const posted = await agent.request('/t/shop/sign-out', {
      form: { csrf: csrfIn(page, '/t/shop/sign-out').replace(/&amp;/g, '&') },
    });
    expect(posted.status).toBeLessThan(400);
    expect(await within(3000, async () => received.length > before)).toBeGreaterThanOrEqual(0);
    await new Promise((r) => setTimeout(r, 200)); // nothing else arrives
    const delivered = received.slice(before);
    expect(delivered.map((d) => d.path)).toEqual(['/wiki/backchannel']);
    await verifyLogoutToken(delivered[0]!.token, idToken);
    const audited = events.find((e) => e.type === 'oidc.backchannel_logout');
    expect(audited).toMatchObject({
      result: 'success',
      data: { clientId: withLogout.clientMetadata().client_id },
    });
    expect(JSON.stringify(events)).not.toContain(delivered[0]!.token);
    // the provider session is gone too: a silent authorization asks for a login
    const silent = oauth.buildAuthorizationUrl(withLogout, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      prompt: 'none',
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const r = await agent.request(silent.href);
    expect(new URL(r.headers.get('location') ?? '', issuer).searchParams.get('error')).toBe('login_required');
  });

  it('revoking the session from the account page of another browser notifies the RP', async () => {
    const laptop = createHttpAgent(base);
    const idToken = await signIn(laptop, withLogout);
    const phone = createHttpAgent(base);
    await signIn(phone, withoutLogout);
    const sessions = await gkSessions();
    expect(sessions.length).toBe(2);
    const laptopSession = sessions[0]!; // oldest first
    const before = received.length;
    const account = await (await phone.request('/t/shop/account')).text();
    const posted = await phone.request('/t/shop/account/sessions/revoke', {
      form: {
        csrf: csrfIn(account, '/t/shop/account/sessions/revoke').replace(/&amp;/g, '&'),
        session: laptopSession.id,
      },
    });
    expect(posted.status).toBeLessThan(400);
    expect(await within(3000, async () => received.length > before)).toBeGreaterThanOrEqual(0);
    await verifyLogoutToken(received[before]!.token, idToken);
    expect(received.slice(before)).toHaveLength(1);
    await t.services.accounts.sessions.revokeUser(tenantId, userId, SYSTEM); // tidy: the phone too
  });

  it('an administrator revoking the session notifies the RP', async () => {
    const agent = createHttpAgent(base);
    const idToken = await signIn(agent, withLogout);
    const [session] = await gkSessions();
    const before = received.length;
    const r = await t.call('DELETE', `/api/v1/tenants/shop/sessions/${session!.id}`);
    expect(r.statusCode).toBe(204);
    expect(await within(3000, async () => received.length > before)).toBeGreaterThanOrEqual(0);
    await verifyLogoutToken(received[before]!.token, idToken);
  });

  it('a session ended behind the server (the CLI, another process) is caught up by the reconciliation', async () => {
    const agent = createHttpAgent(base);
    const idToken = await signIn(agent, withLogout);
    const [session] = await gkSessions();
    await within(
      1000,
      async () =>
        (await t.runtime.database.db.selectFrom('oidc_session_links').selectAll().execute()).length > 0,
    );
    // what another process's revocation leaves behind: the row is gone, no event was heard here
    await t.runtime.database.db.deleteFrom('sessions').where('id', '=', session!.id).execute();
    const before = received.length;
    expect(await t.services.oidc.logoutEnded(null, null)).toBe(1);
    expect(received.slice(before)).toHaveLength(1);
    await verifyLogoutToken(received[before]!.token, idToken);
    expect(await t.services.oidc.logoutEnded(null, null)).toBe(0);
  });

  const deliveriesTo = (path: string) => received.filter((r) => r.path === path);
  const audits = (clientId: string) =>
    events.filter((e) => e.type === 'oidc.backchannel_logout' && e.data?.clientId === clientId);

  it('retries a delivery the receiver failed: the second attempt delivers, each attempt audited', async () => {
    const agent = createHttpAgent(base);
    const idToken = await signIn(agent, flaky);
    const clientId = flaky.clientMetadata().client_id;
    const [session] = await gkSessions();
    const r = await t.call('DELETE', `/api/v1/tenants/shop/sessions/${session!.id}`);
    expect(r.statusCode).toBe(204);
    expect(
      await within(5000, async () => deliveriesTo('/flaky/backchannel').length >= 2),
    ).toBeGreaterThanOrEqual(0);
    const [first, second] = deliveriesTo('/flaky/backchannel');
    // a freshly signed token each attempt, both valid
    expect(second!.token).not.toBe(first!.token);
    const { payload } = await jwtVerify(second!.token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), {
      issuer,
      audience: clientId,
      typ: 'logout+jwt',
    });
    expect(payload).toMatchObject({ sub: userId, sid: idToken.sid });
    expect(await within(2000, async () => audits(clientId).length >= 2)).toBeGreaterThanOrEqual(0);
    expect(audits(clientId).map((e) => [e.result, e.data?.attempt])).toEqual([
      ['failure', 1],
      ['success', 2],
    ]);
    expect(audits(clientId)[0]!.data).toMatchObject({ retryInMs: 150 });
    expect(String(audits(clientId)[0]!.data?.error)).toMatch(/503|status/i);
    await new Promise((resolve) => setTimeout(resolve, 400)); // and nothing more
    expect(deliveriesTo('/flaky/backchannel')).toHaveLength(2);
  });

  it('gives up after the configured attempts, with backoff, when the receiver keeps failing', async () => {
    const agent = createHttpAgent(base);
    await signIn(agent, down);
    const clientId = down.clientMetadata().client_id;
    const [session] = await gkSessions();
    const started = Date.now();
    await t.services.accounts.sessions.revoke(tenantId, session!.id, SYSTEM);
    expect(await within(5000, async () => audits(clientId).length >= 3)).toBeGreaterThanOrEqual(0);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150 + 300 - 50); // 150 ms, then 300 ms
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(deliveriesTo('/down/backchannel')).toHaveLength(3);
    expect(audits(clientId).map((e) => [e.result, e.data?.attempt, e.data?.retryInMs])).toEqual([
      ['failure', 1, 150],
      ['failure', 2, 300],
      ['failure', 3, undefined],
    ]);
  });

  it("retries the library's own delivery at RP-initiated logout (/session/end) when the receiver failed it", async () => {
    const agent = createHttpAgent(base);
    const idToken = await signIn(agent, flakyRp);
    const clientId = flakyRp.clientMetadata().client_id;
    expect(deliveriesTo('/flaky-rp/backchannel')).toHaveLength(0);
    const logout = oauth.buildEndSessionUrl(flakyRp, { id_token_hint: lastIdToken });
    const page = await (await agent.request(logout.href)).text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
    expect(action && xsrf).toBeTruthy();
    const confirmed = await agent.request(action!.replace(/&amp;/g, '&'), {
      form: { xsrf: xsrf!, logout: 'yes' },
    });
    expect(confirmed.status).toBeLessThan(400);
    expect(
      await within(5000, async () => deliveriesTo('/flaky-rp/backchannel').length >= 2),
    ).toBeGreaterThanOrEqual(0);
    await verifyLogoutToken(deliveriesTo('/flaky-rp/backchannel')[1]!.token, idToken, flakyRp);
    expect(await within(2000, async () => audits(clientId).length >= 2)).toBeGreaterThanOrEqual(0);
    expect(audits(clientId).map((e) => [e.result, e.data?.attempt])).toEqual([
      ['failure', 1],
      ['success', 2],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(deliveriesTo('/flaky-rp/backchannel')).toHaveLength(2);
  });
  it('a retry left waiting by an instance that stopped is run by another instance', async () => {
    // instance B hears the revocation, fails the first delivery and stops before its retry is due
    const b = await openSecondInstance(t, {
      GATEKEEPER_PUBLIC_URL: base,
      GATEKEEPER_OIDC_OUTBOUND_ALLOW_PRIVATE_ADDRESSES: 'true',
      GATEKEEPER_OIDC_BACKCHANNEL_LOGOUT_ATTEMPTS: '3',
      GATEKEEPER_OIDC_BACKCHANNEL_LOGOUT_RETRY_BASE_MS: '600',
    });
    const heardByB: typeof events = [];
    b.runtime.bus.subscribe((e) => {
      heardByB.push(e as never);
    });
    const agent = createHttpAgent(base);
    const idToken = await signIn(agent, flakyLater);
    const clientId = flakyLater.clientMetadata().client_id;
    const [session] = await gkSessions();
    let stopped: Promise<void> | undefined;
    try {
      await b.services.accounts.sessions.revoke(tenantId, session!.id, SYSTEM);
      const failedAtB = () =>
        heardByB.some((e) => e.type === 'oidc.backchannel_logout' && e.data?.clientId === clientId);
      expect(await within(5000, async () => failedAtB())).toBeGreaterThanOrEqual(0);
      stopped = b.close();
      await stopped;
    } finally {
      await (stopped ?? b.close());
    }
    expect(deliveriesTo('/flaky-later/backchannel')).toHaveLength(1);
    const waiting = await t.runtime.database.db.selectFrom('oidc_logout_retries').selectAll().execute();
    expect(waiting.map((r) => [r.client_id, Number(r.failed)])).toEqual([[clientId, 1]]);
    // this instance's worker takes the row when it is due: the second attempt delivers
    expect(
      await within(5000, async () => deliveriesTo('/flaky-later/backchannel').length >= 2),
    ).toBeGreaterThanOrEqual(0);
    await verifyLogoutToken(deliveriesTo('/flaky-later/backchannel')[1]!.token, idToken, flakyLater);
    expect(await within(2000, async () => audits(clientId).length >= 1)).toBeGreaterThanOrEqual(0);
    expect(audits(clientId).map((e) => [e.result, e.data?.attempt])).toEqual([['success', 2]]);
    expect(
      await within(2000, async () => (await t.services.oidc.pendingLogoutRetries()) === 0),
    ).toBeGreaterThanOrEqual(0);
    await new Promise((resolve) => setTimeout(resolve, 300)); // and nothing more
    expect(deliveriesTo('/flaky-later/backchannel')).toHaveLength(2);
  });
});
