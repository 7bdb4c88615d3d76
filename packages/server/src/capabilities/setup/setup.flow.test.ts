/**
 * The first-run setup link end to end on the real app (SQLite, `inject()`): a link is issued only
 * while no administrator exists; the page is script-free under a strict CSP and never cached; a
 * rejected form keeps the link usable; a successful one creates a root-tenant owner whose password
 * verifies and burns the link; a newer link supersedes an older one; expired, garbage and
 * wrong-kind tokens get the invalid page; POSTs are rate limited per IP; the secret never reaches the
 * logs or the audit log; and two submissions racing on one link create exactly one administrator.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';
import { ROOT_TENANT } from '../tenants/service.ts';

const PASSWORD = 'correct horse battery staple';

describe('first-run setup link', () => {
  let t: AdminTestApp;

  beforeEach(async () => {
    t = await createAdminTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  /** The link's path and query, for `inject()`. */
  function pathOf(link: string): string {
    const u = new URL(link);
    return `${u.pathname}${u.search}`;
  }

  function tokenOf(link: string): string {
    return new URL(link).searchParams.get('token') ?? '';
  }

  function get(url: string) {
    return t.app.inject({ method: 'GET', url });
  }

  function post(
    fields: Record<string, string>,
    remoteAddress = '198.51.100.1',
  ): Promise<LightMyRequestResponse> {
    return t.app.inject({
      method: 'POST',
      url: '/setup',
      remoteAddress,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
  }

  async function rootId(): Promise<string> {
    return (await t.services.tenants.resolve(ROOT_TENANT)).id;
  }

  /** Every root-tenant user holding the owner role. */
  async function owners(): Promise<string[]> {
    const root = await rootId();
    const page = await t.services.users.list(root, {
      limit: 200,
      sort: 'createdAt',
      descending: false,
      after: undefined,
    });
    const found: string[] = [];
    for (const u of page.items) {
      if ((await t.services.access.effectiveAccess(root, u.id)).roles.includes('owner'))
        found.push(u.username);
    }
    return found;
  }

  function expectInvalidPage(res: LightMyRequestResponse, status: number) {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Link not valid');
    expect(res.body).not.toContain('<form');
  }

  it('issues a link, shows a script-free form under a strict CSP, and creates the owner once', async () => {
    const link = await t.services.setup.issueLinkIfNeeded();
    expect(link).toMatch(/\/setup\?token=gk_setup_[0-9A-Za-z]{49}$/);
    const token = tokenOf(link!);

    const form = await get(pathOf(link!));
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toMatch(/^text\/html/);
    expect(form.headers['content-security-policy']).toContain("default-src 'none'");
    expect(form.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(form.headers['cache-control']).toBe('no-store');
    expect(form.headers['referrer-policy']).toBe('no-referrer');
    expect(form.body).toContain(`<input type="hidden" name="token" value="${token}">`);
    expect(form.body).toMatch(/<form method="post" action="setup">/);
    expect(form.body.toLowerCase()).not.toContain('<script');
    expect(form.body).not.toMatch(/\son[a-z]+=/i); // no inline event handlers either

    // a weak password: the form again with the reason, and the link still works
    const weak = await post({ token, email: 'root@example.com', password: 'short', name: 'Root' });
    expect(weak.statusCode).toBe(400);
    expect(weak.headers['content-security-policy']).toContain("default-src 'none'");
    expect(weak.body).toContain('role="alert"');
    expect(weak.body).toContain('password: must be at least 12 characters');
    expect(weak.body).toContain(`name="token" value="${token}"`);
    expect(await t.services.setup.checkLink(token)).toBe(true);
    expect((await get(pathOf(link!))).statusCode).toBe(200);
    expect(await owners()).toEqual([]);

    const done = await post({ token, email: 'root@example.com', password: PASSWORD, name: 'Root Admin' });
    expect(done.statusCode).toBe(200);
    expect(done.headers['cache-control']).toBe('no-store');
    expect(done.body).toContain('Administrator created');
    expect(done.body).toContain('root@example.com');

    const root = await rootId();
    const user = await t.services.users.findByLogin(root, 'root@example.com');
    expect(user).toMatchObject({
      username: 'root@example.com',
      email: 'root@example.com',
      name: 'Root Admin',
    });
    expect((await t.services.access.effectiveAccess(root, user!.id)).roles).toContain('owner');
    expect((await t.services.users.verifyPassword(root, 'root@example.com', PASSWORD))?.id).toBe(user!.id);
    expect(await t.services.users.verifyPassword(root, 'root@example.com', 'short')).toBeNull();

    // the link is spent: both the page and the form refuse it, and nothing changes
    expectInvalidPage(await get(pathOf(link!)), 404);
    expectInvalidPage(await post({ token, email: 'other@example.com', password: PASSWORD }), 410);
    expect(await t.services.users.findByLogin(root, 'other@example.com')).toBeNull();
    expect(await owners()).toEqual(['root@example.com']);

    // with an administrator there is no new link
    expect(await t.services.setup.issueLinkIfNeeded()).toBeNull();
  });

  it('revokes the older link when a new one is issued', async () => {
    const first = (await t.services.setup.issueLinkIfNeeded())!;
    expect((await get(pathOf(first))).statusCode).toBe(200);
    const second = (await t.services.setup.issueLinkIfNeeded())!;
    expect(tokenOf(second)).not.toBe(tokenOf(first));

    expectInvalidPage(await get(pathOf(first)), 404);
    expectInvalidPage(
      await post({ token: tokenOf(first), email: 'old@example.com', password: PASSWORD }),
      410,
    );
    expect(await owners()).toEqual([]);

    expect((await get(pathOf(second))).statusCode).toBe(200);
    const done = await post({ token: tokenOf(second), email: 'new@example.com', password: PASSWORD });
    expect(done.statusCode).toBe(200);
    expect(await owners()).toEqual(['new@example.com']);
  });

  it('revokes an outstanding link when an administrator is created another way (CLI)', async () => {
    const link = (await t.services.setup.issueLinkIfNeeded())!;
    await t.services.setup.createAdmin({ email: 'cli@example.com', password: PASSWORD }, { actor: 'cli' });
    expectInvalidPage(await get(pathOf(link)), 404);
    expectInvalidPage(
      await post({ token: tokenOf(link), email: 'web@example.com', password: PASSWORD }),
      410,
    );
    expect(await owners()).toEqual(['cli@example.com']);
  });

  it('shows the invalid page for expired, garbage and wrong-kind tokens', async () => {
    const link = (await t.services.setup.issueLinkIfNeeded())!;
    // expire it in the database before anything has looked it up (and cached it)
    await t.runtime.database.db
      .updateTable('credentials')
      .set({ expires_at: Date.now() - 1000 })
      .where('kind', '=', 'setup')
      .execute();
    expectInvalidPage(await get(pathOf(link)), 404);
    expectInvalidPage(
      await post({ token: tokenOf(link), email: 'late@example.com', password: PASSWORD }),
      410,
    );

    // a well-formed token with a wrong checksum, plain garbage, an admin API token, and no token
    const token = tokenOf(link);
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [flipped, 'gk_setup_nonsense', 'nonsense', t.rootToken]) {
      expectInvalidPage(await get(`/setup?token=${encodeURIComponent(bad)}`), 404);
      expectInvalidPage(await post({ token: bad, email: 'x@example.com', password: PASSWORD }), 410);
    }
    expectInvalidPage(await get('/setup'), 404);
    expect(await owners()).toEqual([]);
  });

  it('rate limits POSTs per client address', async () => {
    const link = (await t.services.setup.issueLinkIfNeeded())!;
    const statuses = (
      await Promise.all(
        Array.from({ length: 20 }, () =>
          post({ token: 'gk_setup_nonsense', email: 'x@example.com', password: PASSWORD }, '203.0.113.9'),
        ),
      )
    ).map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 429).every((s) => s === 410)).toBe(true);
    const limited = await post(
      { token: tokenOf(link), email: 'x@example.com', password: PASSWORD },
      '203.0.113.9',
    );
    expect(limited.statusCode).toBe(429);
    // the valid link was not consumed by the refused attempt, and another address is not limited
    const other = await post(
      { token: tokenOf(link), email: 'ok@example.com', password: PASSWORD },
      '203.0.113.10',
    );
    expect(other.statusCode).toBe(200);
  });

  it('keeps the setup secret and the password out of the logs and the audit log', async () => {
    const link = (await t.services.setup.issueLinkIfNeeded())!;
    const token = tokenOf(link);
    await get(pathOf(link));
    await post({ token, email: 'root@example.com', password: 'short' });
    expect((await post({ token, email: 'root@example.com', password: PASSWORD })).statusCode).toBe(200);
    await post({ token, email: 'root@example.com', password: PASSWORD }); // replayed
    await t.runtime.audit.flush();

    const logs = t.logs.join('\n');
    expect(logs).toContain('/setup'); // the requests were logged…
    expect(logs).not.toContain(token); // …but never the secret
    expect(logs).not.toContain(token.slice('gk_setup_'.length, -6));
    expect(logs).not.toContain(PASSWORD);

    const rows = await t.runtime.database.db.selectFrom('audit_log').selectAll().execute();
    const actions = rows.map((r) => r.action);
    expect(actions).toContain('credential.consumed');
    expect(actions).toContain('user.created');
    const audit = JSON.stringify(rows);
    expect(audit).not.toContain(token);
    expect(audit).not.toContain(token.slice('gk_setup_'.length, -6));
    expect(audit).not.toContain(PASSWORD);
  });

  it('creates exactly one administrator when two submissions race on one link', async () => {
    const link = (await t.services.setup.issueLinkIfNeeded())!;
    const token = tokenOf(link);
    const [a, b] = await Promise.all([
      post({ token, email: 'a@example.com', password: PASSWORD }, '198.51.100.21'),
      post({ token, email: 'b@example.com', password: PASSWORD }, '198.51.100.22'),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 410]);
    const winner = a.statusCode === 200 ? 'a@example.com' : 'b@example.com';
    expect(await owners()).toEqual([winner]);

    // and at the service level, eight at once
    const t2 = await createAdminTestApp();
    try {
      const link2 = (await t2.services.setup.issueLinkIfNeeded())!;
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          t2.services.setup.complete(
            tokenOf(link2),
            { email: `racer${i}@example.com`, password: PASSWORD },
            { actor: 'setup' },
          ),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const root = (await t2.services.tenants.resolve(ROOT_TENANT)).id;
      expect(await t2.services.users.count(root)).toBe(1);
    } finally {
      await t2.close();
    }
  });

  it('shows the form again with the reason when the directory refuses the email', async () => {
    // the setup form applies the users service's email rule: `admin@localhost` has no dot in its domain
    const link = (await t.services.setup.issueLinkIfNeeded())!;
    const refused = await post({ token: tokenOf(link), email: 'admin@localhost', password: PASSWORD });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('email: must be an email address');
    expect(refused.body).toContain(`name="token" value="${tokenOf(link)}"`);
    expect(await owners()).toEqual([]);
  });

  // `complete()` consumes the token first (so two submissions cannot both create an administrator)
  // and gives it back when the directory refuses the input, so the form's retry still works.
  it('keeps the link usable after the directory refuses the email', async () => {
    const link = (await t.services.setup.issueLinkIfNeeded())!;
    const token = tokenOf(link);
    await post({ token, email: 'admin@localhost', password: PASSWORD });
    expect(await t.services.setup.checkLink(token)).toBe(true);
    const retried = await post({ token, email: 'admin@example.com', password: PASSWORD });
    expect(retried.statusCode).toBe(200);
    expect(await owners()).toEqual(['admin@example.com']);
  });
});
