/**
 * Every hosted-page route (sign-in, MFA, passkeys, magic links, reset, account, OIDC interaction,
 * enrollment, setup) under a battery of malformed requests — signed in and not, with a valid CSRF
 * token and without: NUL bytes, invalid percent-encoding, oversize and repeated fields, the wrong
 * content type, JSON where a form is expected, a body on a GET, absurd query strings and cookies.
 * None may answer 5xx, and none may answer with a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { createTestBrowser, csrfOf, ORIGIN, PASSWORD, seedUser } from './test-support.ts';

// the ones that can end the session last, so the signed-in round stays signed in until then
const POSTS = [
  'sign-in',
  'change-password',
  'account/mfa/backup-codes',
  'account/mfa/remove',
  'account/passkeys',
  'account/passkeys/delete',
  'account/passkeys/rename',
  'account/api-tokens',
  'account/api-tokens/revoke',
  'account/api/tokens',
  'mfa',
  'mfa/continue',
  'mfa/enrol',
  'mfa/enrol/skip',
  'mfa/passkey',
  'passkeys/sign-in',
  'enroll',
  'interaction/abc/confirm',
  'forgot-password',
  'magic-link',
  'magic-link/open',
  'reset-password',
  'account/sessions/revoke',
  'sign-out',
];
const GETS = [
  'sign-in?return_to=%00',
  'sign-in?return_to=%E0%A4%A',
  'sign-in?return_to=javascript:alert(1)&return_to=/t/acme/account',
  `sign-in?return_to=${'a'.repeat(5000)}`,
  'sign-out?x[y]=1',
  'change-password?reason=%ff',
  'account?tab[]=1',
  'account/api/sessions?limit=1e400',
  'account/api/tokens?limit=%00',
  'mfa',
  'mfa/enrol',
  'mfa/step-up?return_to=//evil.example',
  'mfa/passkey-options',
  'passkeys/sign-in-options',
  'account/passkeys/options',
  'magic-link',
  'magic-link/open?token=%00',
  'magic-link/open?token=gk_ml_x',
  `magic-link/open?token=${'x'.repeat(3000)}`,
  'reset-password?token=%C3%28',
  'forgot-password?email=%00',
  'interaction/%00',
  'interaction/..%2f..%2fetc%2fpasswd',
  'assets/..%2f..%2fpackage.json',
  'assets/%00.css',
  'logo/%00',
  'logo/x.png?v=%ff',
];

type Body = { contentType?: string; payload: string };
const FORM = 'application/x-www-form-urlencoded';
const form = (fields: [string, string][]) => new URLSearchParams(fields).toString();

function bodies(csrf: string): [string, Body][] {
  return [
    ['empty', { contentType: FORM, payload: '' }],
    ['only csrf', { contentType: FORM, payload: form([['csrf', csrf]]) }],
    [
      'NUL in every field',
      {
        contentType: FORM,
        payload: form([
          ['csrf', csrf],
          ['login', 'a\0b'],
          ['password', '\0'],
          ['code', '\0'],
          ['name', '\0'],
          ['email', 'a\0@b.c'],
          ['session', '\0'],
          ['token', '\0'],
          ['id', '\0'],
          ['return_to', '/t/acme/\0'],
        ]),
      },
    ],
    ['bad percent-encoding', { contentType: FORM, payload: `csrf=${csrf}&login=%E0%A4%A&password=%ZZ` }],
    [
      'repeated fields',
      {
        contentType: FORM,
        payload: form([
          ['csrf', csrf],
          ['csrf', csrf],
          ['login', 'a'],
          ['login', 'b'],
          ['password', PASSWORD],
          ['password', 'x'],
        ]),
      },
    ],
    [
      'oversize fields',
      {
        contentType: FORM,
        payload: form([
          ['csrf', csrf],
          ['login', 'l'.repeat(20_000)],
          ['password', 'p'.repeat(20_000)],
          ['name', 'n'.repeat(20_000)],
          ['response', 'r'.repeat(20_000)],
        ]),
      },
    ],
    ['bracket fields', { contentType: FORM, payload: `csrf=${csrf}&login[]=a&password[x]=b&__proto__[a]=1` }],
    ['JSON body', { contentType: 'application/json', payload: JSON.stringify({ csrf, login: 'x' }) }],
    ['broken JSON', { contentType: 'application/json', payload: '{"csrf":' }],
    ['JSON array', { contentType: 'application/json', payload: '[1,2,3]' }],
    ['text body', { contentType: 'text/plain', payload: 'hello' }],
    ['multipart', { contentType: 'multipart/form-data; boundary=x', payload: '--x\r\n\r\n--x--' }],
    ['no content type', { payload: 'csrf=x' }],
    ['odd charset', { contentType: `${FORM}; charset=utf-7`, payload: 'a=1' }],
    [
      'webauthn garbage',
      {
        contentType: FORM,
        payload: form([
          ['csrf', csrf],
          ['response', '{"id":1,"rawId":[],"response":{"clientDataJSON":"%%%"},"type":"public-key"}'],
          ['credential', 'x'],
        ]),
      },
    ],
  ];
}

describe('hosted pages under malformed requests', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await createTestRuntime();
    await seedUser(t.services, 'acme', 'fuzzy');
  });
  afterAll(async () => t?.close());

  const failures: string[] = [];
  async function check(
    label: string,
    method: 'GET' | 'POST',
    url: string,
    body: Body | undefined,
    cookie: string,
  ) {
    const r = await t.app.inject({
      method,
      url,
      headers: {
        origin: ORIGIN,
        accept: 'text/html',
        'user-agent': 'fuzz',
        ...(cookie ? { cookie } : {}),
        ...(body?.contentType ? { 'content-type': body.contentType } : {}),
      },
      ...(body ? { payload: body.payload } : {}),
    });
    if (r.statusCode >= 500 || /\n\s+at .+\(.+:\d+:\d+\)/.test(r.body))
      failures.push(`${label}: ${method} ${url.slice(0, 80)} → ${r.statusCode} ${r.body.slice(0, 200)}`);
  }

  for (const signedIn of [false, true]) {
    const state = signedIn ? 'signed in' : 'signed out';
    it(`never answers 5xx to a malformed form post (${state})`, async () => {
      failures.length = 0;
      const b = createTestBrowser(t.app);
      if (signedIn) {
        const r = await b.submit('/t/acme/sign-in', { login: 'fuzzy', password: PASSWORD });
        expect(r.status).toBe(303);
      }
      // a token of a real form (the sign-in page's, or the account page's first once signed in): the
      // parsers and the CSRF check see a well-formed token
      const csrf = csrfOf((await b.get(signedIn ? '/t/acme/account' : '/t/acme/sign-in')).body);
      // a fresh token of the form itself where a page shows that form (tokens are single-use), so
      // the handler behind the CSRF check runs too
      const showing = ['/t/acme/sign-in', '/t/acme/account', '/t/acme/forgot-password', '/t/acme/magic-link'];
      const tokenFor = async (action: string) => {
        for (const url of showing)
          try {
            return csrfOf((await b.get(url)).body, action);
          } catch {}
        return csrf;
      };
      for (const path of POSTS)
        for (let i = 0; i < bodies('').length; i++) {
          const [label, body] = bodies(await tokenFor(`/t/acme/${path}`))[i] as [string, Body];
          await check(label, 'POST', `/t/acme/${path}`, body, b.cookieHeader());
        }
      for (const [label, body] of bodies(csrf)) {
        await check(label, 'POST', '/setup', body, b.cookieHeader());
        await check(label, 'POST', '/t/nope/sign-in', body, b.cookieHeader());
        await check(label, 'POST', '/t/%00/sign-in', body, b.cookieHeader());
      }
      expect(failures).toEqual([]);
    });

    it(`never answers 5xx to an odd page request or cookie (${state})`, async () => {
      failures.length = 0;
      const b = createTestBrowser(t.app);
      if (signedIn) await b.submit('/t/acme/sign-in', { login: 'fuzzy', password: PASSWORD });
      for (const path of GETS) {
        await check('get', 'GET', `/t/acme/${path}`, undefined, b.cookieHeader());
        await check(
          'get with a body',
          'GET',
          `/t/acme/${path}`,
          { contentType: 'application/json', payload: '{' },
          b.cookieHeader(),
        );
      }
      for (const cookie of [
        'gk_session_acme=%00',
        `gk_session_acme=${'a'.repeat(8000)}`,
        'gk_session_acme=a; gk_session_acme=b',
        'gk_csrf=%ff; gk_device_acme=~~~.~~~',
        'gk_pending_acme=..',
      ]) {
        await check('odd cookie', 'GET', '/t/acme/account', undefined, cookie);
        await check('odd cookie', 'GET', '/t/acme/mfa', undefined, cookie);
        await check(
          'odd cookie',
          'POST',
          '/t/acme/sign-in',
          { contentType: FORM, payload: 'csrf=x' },
          cookie,
        );
      }
      expect(failures).toEqual([]);
    });
  }
});
