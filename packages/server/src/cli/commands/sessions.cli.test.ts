/**
 * `gatekeeper sessions …` and `gatekeeper sign-in …` as an operator runs them, real processes on one
 * temp data dir: sessions started through the service are listed and revoked (one, a user's, the
 * tenant's); a user's lockout state, unlock and forced password change; sign-in settings shown and
 * changed (bad JSON or a bad value: one line, exit 2, nothing written); the tenant logo uploaded,
 * shown and removed (an SVG or a polyglot refused, exit 2).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../logger.ts';
import { createRuntime } from '../../runtime.ts';
import { createServices } from '../../services.ts';

const bin = new URL('../../../bin/gatekeeper.js', import.meta.url).pathname;

describe('gatekeeper sessions / sign-in (processes)', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  function run(args: string[]) {
    const r = spawnSync(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  function ok(args: string[]): string {
    const r = run(args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  }
  /** Starts sessions for `user` in this process (as a sign-in would). */
  async function startSessions(user: string, n: number) {
    const runtime = await createRuntime(loadConfig({ env }), { logger: createLogger('silent'), role: 'cli' });
    const services = createServices(runtime);
    try {
      const tenant = await services.tenants.resolve('acme');
      const u = await services.users.findByLogin(tenant.id, user);
      for (let i = 0; i < n; i++)
        await services.accounts.sessions.create(
          tenant.id,
          { userId: u!.id, amr: ['pwd'], ip: '10.0.0.1', userAgent: `agent ${i}` },
          { actor: 'test' },
        );
    } finally {
      await services.stop();
      await runtime.close();
    }
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gk-sessions-cli-'));
    env = {
      GATEKEEPER_DATA_DIR: join(dir, 'data'),
      GATEKEEPER_ARGON2_MEMORY_KIB: '1024',
      GATEKEEPER_ARGON2_ITERATIONS: '1',
    };
    env.GATEKEEPER_MASTER_KEYS = ok(['keys', 'generate']).trim();
    ok(['tenants', 'create', '--slug', 'acme', '--name', 'Acme']);
    ok(['users', 'create', '--tenant', 'acme', '--username', 'hana']);
    ok(['users', 'create', '--tenant', 'acme', '--username', 'ivan']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists and revokes sessions: one, a user’s, the tenant’s', async () => {
    await startSessions('hana', 2);
    await startSessions('ivan', 1);
    const all = JSON.parse(ok(['sessions', 'list', '--tenant', 'acme', '--json'])) as {
      id: string;
      userAgent: string;
    }[];
    expect(all).toHaveLength(3);
    expect(ok(['sessions', 'list', '--tenant', 'acme', '--user', 'ivan'])).toContain('agent 0');
    const first = all[0]!;
    expect(ok(['sessions', 'revoke', first.id, '--tenant', 'acme', '--yes'])).toContain(
      `revoked session ${first.id}`,
    );
    expect(run(['sessions', 'revoke', first.id, '--tenant', 'acme', '--yes']).code).toBe(2);
    expect(run(['sessions', 'revoke', '--tenant', 'acme', '--all']).code).toBe(2); // no --yes, no terminal
    expect(ok(['sessions', 'revoke', '--tenant', 'acme', '--user', 'hana', '--yes'])).toMatch(
      /revoked \d sessions/,
    );
    expect(ok(['sessions', 'revoke', '--tenant', 'acme', '--all', '--yes'])).toMatch(/revoked \d sessions/);
    expect(ok(['sessions', 'list', '--tenant', 'acme'])).toContain('no sessions');
    const both = run(['sessions', 'revoke', first.id, '--all', '--tenant', 'acme', '--yes']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('one of them');
  });

  it('shows lockout state, unlocks, requires a password change', () => {
    expect(ok(['sign-in', 'state', '--tenant', 'acme', '--user', 'hana'])).toContain('not locked');
    expect(ok(['sign-in', 'require-password-change', '--tenant', 'acme', '--user', 'hana'])).toContain(
      'must change password',
    );
    const state = JSON.parse(ok(['sign-in', 'state', '--tenant', 'acme', '--user', 'hana', '--json']));
    expect(state.mustChangePassword).toBe(true);
    expect(
      ok(['sign-in', 'require-password-change', '--tenant', 'acme', '--user', 'hana', '--off']),
    ).toContain('no forced change');
    expect(ok(['sign-in', 'unlock', '--tenant', 'acme', '--user', 'hana'])).toContain('not locked');
    expect(run(['sign-in', 'unlock', '--tenant', 'acme', '--user', 'nobody']).code).toBe(2);
  });

  it('shows and changes sign-in settings, refusing bad ones', () => {
    expect(JSON.parse(ok(['sign-in', 'settings', '--tenant', 'acme'])).lockout.maxFailures).toBe(5);
    const changed = JSON.parse(
      ok([
        'sign-in',
        'settings',
        '--tenant',
        'acme',
        '--set',
        '{"lockout":{"maxFailures":9},"branding":{"accentColor":"#0a7d52"}}',
      ]),
    );
    expect(changed).toMatchObject({
      lockout: { maxFailures: 9, durationSeconds: 900 },
      branding: { accentColor: '#0a7d52' },
      version: 1,
    });
    for (const bad of [
      '{not json',
      '{"lockout":{"maxFailures":0}}',
      '{"branding":{"accentColor":"red"}}',
      '{"extra":1}',
    ]) {
      const r = run(['sign-in', 'settings', '--tenant', 'acme', '--set', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr.trim().split('\n'), bad).toHaveLength(1);
    }
    expect(JSON.parse(ok(['sign-in', 'settings', '--tenant', 'acme'])).version).toBe(1);
  });

  it('uploads, shows and removes the tenant logo, refusing SVG and polyglots', () => {
    const png = new URL('../../capabilities/accounts/fixtures/logo.png', import.meta.url).pathname;
    expect(ok(['sign-in', 'logo', '--tenant', 'acme'])).toContain('no logo uploaded');
    const shown = ok(['sign-in', 'logo', '--tenant', 'acme', '--file', png]);
    expect(shown).toMatch(/image\/png 96×96, \d+ bytes, sha256 [0-9a-f]{64}/);
    expect(shown).toMatch(/served at \/t\/acme\/logo\/[0-9a-f]{32}\.png/);
    const svg = join(dir, 'logo.svg');
    writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const refused = run(['sign-in', 'logo', '--tenant', 'acme', '--file', svg]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('SVG logos are refused');
    const polyglot = join(dir, 'logo-polyglot.png');
    writeFileSync(polyglot, Buffer.concat([readFileSync(png), Buffer.from('<html><script>x</script>')]));
    const r = run(['sign-in', 'logo', '--tenant', 'acme', '--file', polyglot]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('data follows the end of the PNG image');
    expect(ok(['sign-in', 'logo', '--tenant', 'acme'])).toBe(shown);
    expect(ok(['sign-in', 'logo', '--tenant', 'acme', '--remove'])).toContain('logo removed');
    expect(run(['sign-in', 'logo', '--tenant', 'acme', '--remove']).code).toBe(2);
  });
});
