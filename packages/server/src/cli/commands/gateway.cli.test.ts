/**
 * The gateway's CLI as an operator runs it, every step a real process on one temp data dir: routes
 * create (repeatable --auth) and list (what each method allows), a tie refused with a clear line and
 * exit 2, permissions grant, tokens create --json (the secret once), authz explain (every step),
 * limits and HMAC secrets, and deletes that need --yes without a terminal.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = new URL('../../../bin/gatekeeper.js', import.meta.url).pathname;

describe('gatekeeper routes / permissions / tokens / authz (processes)', { timeout: 180_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (args: string[]) => {
    const r = run(args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gk-gateway-cli-'));
    env = { GATEKEEPER_DATA_DIR: join(dir, 'data') };
    env.GATEKEEPER_MASTER_KEYS = ok(['keys', 'generate']).trim();
    ok(['tenants', 'create', '--slug', 'acme', '--name', 'Acme']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('configures a protected API and explains a decision', () => {
    const client = JSON.parse(
      ok(['clients', 'create', '--tenant', 'acme', '--name', 'reports', '--json']),
    ) as { id: string; client_id: string };
    const route = JSON.parse(
      ok([
        'routes',
        'create',
        '--tenant',
        'acme',
        '--host',
        'api.example.com',
        '--path',
        '/reports/*',
        '--auth',
        'GET=api_key',
        '--auth',
        'POST=hmac,api_key',
        '--json',
      ]),
    ) as { id: string; auth: Record<string, string[]> };
    expect(route.auth).toEqual({ GET: ['api_key'], POST: ['hmac', 'api_key'] });
    expect(ok(['routes', 'list', '--tenant', 'acme'])).toMatch(/POST\s+hmac or api_key/);

    const tie = run([
      'routes',
      'create',
      '--tenant',
      'acme',
      '--host',
      'API.example.com',
      '--path',
      '/reports/*',
      '--auth',
      'GET=public',
    ]);
    expect(tie.code).toBe(2);
    expect(tie.stderr).toContain(`route ${route.id}`);
    expect(tie.stderr.trim().split('\n')).toHaveLength(1);

    ok([
      'permissions',
      'grant',
      '--tenant',
      'acme',
      '--route',
      route.id,
      '--client',
      'reports',
      '--methods',
      'GET,POST',
    ]);
    expect(ok(['permissions', 'list', '--tenant', 'acme'])).toContain(`client ${client.id}  GET,POST`);

    const token = JSON.parse(
      ok([
        'tokens',
        'create',
        '--tenant',
        'acme',
        '--client',
        client.client_id,
        '--name',
        'nightly',
        '--abilities',
        'reports:read',
        '--expires',
        '30d',
        '--json',
      ]),
    ) as { id: string; secret: string; scopes: string[] };
    expect(token.secret).toMatch(/^gk_svc_/);
    expect(token.scopes).toEqual(['reports:read']);

    const explained = ok([
      'authz',
      'explain',
      '--tenant',
      'acme',
      '--method',
      'GET',
      '--url',
      'https://api.example.com/reports/7',
      '--header',
      `Authorization: Bearer ${token.secret}`,
    ]);
    for (const step of ['resolveTenant', 'matchRoute', 'authenticate', 'checkPermission', 'rateLimit'])
      expect(explained).toContain(step);
    expect(explained).toContain('decision: allow (200)');
    expect(explained).toContain(`x-client-id: ${client.client_id}`);
    const denied = ok([
      'authz',
      'explain',
      '--tenant',
      'acme',
      '--method',
      'DELETE',
      '--url',
      'https://api.example.com/reports/7',
    ]);
    expect(denied).toContain('decision: deny (403 method_not_allowed)');

    expect(
      ok([
        'limits',
        'set',
        '--tenant',
        'acme',
        '--client',
        'reports',
        '--quota',
        '1000/24h',
        '--burst',
        '10/1s',
      ]),
    ).toContain('quota 1000/86400s burst 10/1s');
    const hmac = JSON.parse(
      ok(['hmac-secrets', 'create', '--tenant', 'acme', '--client', 'reports', '--json']),
    ) as { secret: string };
    expect(hmac.secret).toMatch(/^gk_hms_/);
    expect(ok(['hmac-secrets', 'list', '--tenant', 'acme', '--client', 'reports'])).toContain('live');

    const refused = run(['tokens', 'revoke', token.id, '--tenant', 'acme']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    ok(['tokens', 'revoke', token.id, '--tenant', 'acme', '--yes']);
    expect(ok(['tokens', 'list', '--tenant', 'acme'])).toContain('revoked');
    expect(run(['routes', 'create', '--tenant', 'acme', '--host', 'x.example.com']).stderr).toContain(
      'missing --path',
    );
    ok(['routes', 'delete', route.id, '--tenant', 'acme', '--yes']);
    expect(ok(['routes', 'list', '--tenant', 'acme'])).toContain('no routes');
  });
});
