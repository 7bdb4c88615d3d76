/**
 * The CLI refuses what the API refuses, with the same message: validation lives in the services, so
 * `tenants create`, `users create`, `groups create` and `admin create`, run as real processes, exit 2
 * with one line `gatekeeper: <the API's detail>` for each of the API's bad-input cases, and write
 * nothing. The API's detail is taken from an in-process app given the same input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../../test/admin.ts';

const bin = new URL('../../../bin/gatekeeper.js', import.meta.url).pathname;

describe('the CLI refuses what the API refuses (processes)', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  let api: AdminTestApp;

  function run(args: string[], input?: string) {
    const r = spawnSync(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      input: input ?? '',
      timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** The API's answer to the same input: its 400 detail. */
  async function apiDetail(path: string, body: unknown): Promise<string> {
    const r = await api.call('POST', path, { body });
    expect(r.statusCode, r.body).toBe(400);
    return r.json<{ detail: string }>().detail;
  }

  function expectRefused(r: ReturnType<typeof run>, detail: string) {
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([`gatekeeper: ${detail}`]);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gk-cli-validation-'));
    env = { GATEKEEPER_DATA_DIR: dir };
    env.GATEKEEPER_MASTER_KEYS = run(['keys', 'generate']).stdout.trim();
    expect(run(['tenants', 'create', '--slug', 'acme', '--name', 'Acme']).code).toBe(0);
    api = await createAdminTestApp();
    await api.tenant('acme');
  });

  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['a slug with a space', 'Bad Slug', undefined],
    ['a slug with a slash', 'a/b', undefined],
    ['an empty slug', '', undefined],
    ['an upper-case slug', 'UPPER', undefined],
    ['a bad domain', 'good-slug', 'NOT A DOMAIN'],
  ])('tenants create refuses %s', async (_what, slug, domain) => {
    const detail = await apiDetail('/api/v1/tenants', {
      slug,
      displayName: 'x',
      ...(domain ? { domains: [domain] } : {}),
    });
    expectRefused(
      run(['tenants', 'create', '--slug', slug, '--name', 'x', ...(domain ? ['--domain', domain] : [])]),
      detail,
    );
  });

  it.each([
    ['a username with a space', { username: 'has space' }],
    ['a bad email', { username: 'okname', email: 'not-an-email' }],
  ])('users create refuses %s', async (_what, body) => {
    const detail = await apiDetail('/api/v1/tenants/acme/users', body);
    const args = ['users', 'create', '--tenant', 'acme', '--username', body.username];
    if ('email' in body) args.push('--email', body.email!);
    expectRefused(run(args), detail);
  });

  it('users create refuses a short password with the API set-password message', async () => {
    const detail = await apiDetail('/api/v1/tenants/acme/users', { username: 'pw', password: 'short' });
    expectRefused(
      run(['users', 'create', '--tenant', 'acme', '--username', 'pw', '--password-stdin'], 'short\n'),
      detail,
    );
  });

  it.each([
    ['a name with a leading space', ' leading'],
    ['a too long name', 'g'.repeat(129)],
  ])('groups create refuses %s', async (_what, name) => {
    const detail = await apiDetail('/api/v1/tenants/acme/groups', { name });
    expectRefused(run(['groups', 'create', '--tenant', 'acme', '--name', name]), detail);
  });

  it('admin create refuses a bad email and a short password with the API messages', async () => {
    const badEmail = await apiDetail('/api/v1/tenants/acme/users', { username: 'x', email: 'nope' });
    expectRefused(
      run(['admin', 'create', '--email', 'nope', '--password-stdin'], 'a long enough password\n'),
      badEmail,
    );
    const shortPassword = await apiDetail('/api/v1/tenants/acme/users', { username: 'y', password: 'short' });
    expectRefused(
      run(['admin', 'create', '--email', 'admin@example.com', '--password-stdin'], 'short\n'),
      shortPassword,
    );
  });

  it('wrote nothing for any refused command', () => {
    const tenants = JSON.parse(run(['tenants', 'list', '--json']).stdout) as { items: { slug: string }[] };
    expect(tenants.items.map((t) => t.slug).sort()).toEqual(['acme', 'root']);
    const users = JSON.parse(run(['users', 'list', '--tenant', 'acme', '--json']).stdout) as unknown[];
    expect(users).toEqual([]);
    const groups = JSON.parse(run(['groups', 'list', '--tenant', 'acme', '--json']).stdout) as unknown[];
    expect(groups).toEqual([]);
  });
});
