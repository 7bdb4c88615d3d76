/**
 * `gatekeeper mfa …` as an operator runs them, each a real process on one temp data dir: status of
 * a user with an authenticator app, reset (audited as the CLI user), requirements for everyone and a
 * group, and bad input (exit 2, one line, nothing changed).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../capabilities/mfa/totp.ts';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../logger.ts';
import { createRuntime } from '../../runtime.ts';
import { createServices } from '../../services.ts';

const bin = new URL('../../../bin/gatekeeper.js', import.meta.url).pathname;

describe('gatekeeper mfa (processes)', { timeout: 120_000 }, () => {
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

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gk-mfa-cli-'));
    env = { GATEKEEPER_DATA_DIR: join(dir, 'data') };
    env.GATEKEEPER_MASTER_KEYS = ok(['keys', 'generate']).trim();
    ok(['tenants', 'create', '--slug', 'acme', '--name', 'Acme']);
    ok(['groups', 'create', '--name', 'sre', '--tenant', 'acme']);
    const runtime = await createRuntime(loadConfig({ env: { ...env, GATEKEEPER_LOG_LEVEL: 'silent' } }), {
      logger: createLogger('silent'),
      role: 'cli',
    });
    const s = createServices(runtime);
    const acme = await s.tenants.resolve('acme');
    const user = await s.users.create(
      acme.id,
      { username: 'ada', email: 'ada@example.test' },
      { actor: 'test' },
    );
    const { secret } = await s.mfa.beginTotp(acme.id, user.id, { issuer: 'Acme', label: 'ada' });
    await s.mfa.confirmTotp(acme.id, user.id, totpCode(secret, Date.now()), { actor: 'test' });
    await runtime.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows and resets a user’s MFA', () => {
    expect(ok(['mfa', 'status', '--tenant', 'acme', '--user', 'ada'])).toMatch(
      /authenticator app on since .*10 backup codes left, 0 passkeys/,
    );
    expect(
      JSON.parse(ok(['mfa', 'status', '--tenant', 'acme', '--user', 'ada@example.test', '--json'])),
    ).toMatchObject({ totp: true, backupCodesLeft: 10 });
    expect(ok(['mfa', 'reset', '--tenant', 'acme', '--user', 'ada', '--yes'])).toContain(
      'reset ada: removed totp, backup_codes',
    );
    expect(ok(['mfa', 'status', '--tenant', 'acme', '--user', 'ada'])).toContain('authenticator app off');
    expect(ok(['mfa', 'reset', '--tenant', 'acme', '--user', 'ada', '--yes'])).toContain(
      'had no MFA to reset',
    );
  });

  it('requires MFA of everyone or a group, and refuses bad input', () => {
    expect(ok(['mfa', 'require', '--tenant', 'acme', '--all', '--grace-days', '3'])).toContain(
      'everyone in the tenant, grace period 3 days',
    );
    expect(ok(['mfa', 'require', '--tenant', 'acme', '--group', 'sre'])).toContain(
      'members of sre, grace period 7 days',
    );
    const items = JSON.parse(ok(['mfa', 'requirements', '--tenant', 'acme', '--json'])) as {
      subjectType: string;
    }[];
    expect(items.map((i) => i.subjectType).sort()).toEqual(['group', 'tenant']);
    expect(ok(['mfa', 'status', '--tenant', 'acme', '--user', 'ada'])).toContain('MFA required');
    for (const bad of [
      ['mfa', 'require', '--tenant', 'acme'],
      ['mfa', 'require', '--tenant', 'acme', '--all', '--group', 'sre'],
      ['mfa', 'require', '--tenant', 'acme', '--all', '--grace-days', '-1'],
      ['mfa', 'require', '--tenant', 'acme', '--group', 'nope'],
      ['mfa', 'status', '--tenant', 'acme', '--user', 'nobody'],
    ]) {
      const r = run(bad);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    ok(['mfa', 'unrequire', '--tenant', 'acme', '--all']);
    ok(['mfa', 'unrequire', '--tenant', 'acme', '--group', 'sre']);
    expect(ok(['mfa', 'requirements', '--tenant', 'acme'])).toContain('required of nobody');
    expect(run(['mfa', 'unrequire', '--tenant', 'acme', '--all']).code).toBe(2);
  });
});
