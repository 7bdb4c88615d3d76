/**
 * The CLI as a new operator meets it, every step a real `gatekeeper` process on one temp data dir
 * that uses the development key file: commands are quiet unless asked (no key-file notice, no raw
 * JSON log lines; `--verbose` or GATEKEEPER_LOG_LEVEL bring the notice back, once); a mistyped option
 * is reported as unknown with a suggestion, not as a missing required one; users and groups are named
 * by name or id and a miss says which of the two was not found; `admin token list` says what it
 * leaves out; `audit verify` prints only its report; audit entries name the OS user and host.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGatekeeper, runShell, type SyncCliRun } from '../../test/cli-process.ts';
import { launcher } from '../../test/serve-process.ts';

describe('gatekeeper CLI for an operator (processes)', { timeout: 120_000 }, () => {
  let dir: string;
  let env: Record<string, string>;

  const run = (args: string[], extra: Record<string, string> = {}, input?: string) =>
    runGatekeeper(args, { env: { ...env, ...extra }, ...(input !== undefined ? { input } : {}) });

  function ok(args: string[], extra: Record<string, string> = {}): SyncCliRun {
    const r = run(args, extra);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  }

  /** No line of the output is a raw JSON log line. */
  function expectNoJsonLines(text: string) {
    for (const line of text.split('\n')) expect(line, text).not.toMatch(/^\s*\{"level"/);
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gk-operator-cli-'));
    env = { GATEKEEPER_DATA_DIR: join(dir, 'data') };
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays quiet unless asked: no key-file notice and no JSON log lines, even on the first run', () => {
    // the first command creates the database (migrations) and the key file
    const first = run(['tenants', 'create', '--slug', 'acme', '--name', 'Acme'], {
      GATEKEEPER_LOG_LEVEL: 'info',
    });
    expect(first.code, first.stderr).toBe(0);
    expectNoJsonLines(first.stderr);
    expect(first.stderr.match(/key file/g)).toHaveLength(1); // asked for: printed, once

    const quiet = ok(['tenants', 'list']);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toMatch(/^acme /m);

    const verbose = ok(['--verbose', 'tenants', 'list']);
    expect(verbose.stderr.match(/^warning: GATEKEEPER_MASTER_KEYS is not set/gm)).toHaveLength(1);
    expect(verbose.stdout).toBe(quiet.stdout);
  });

  it('reports a mistyped option as unknown, with a suggestion, not as a missing required option', () => {
    const r = run(['users', 'create', '--tenat', 'acme', '--username', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--tenat'/);
    expect(r.stderr).toMatch(/Did you mean --tenant\?/);
    expect(r.stderr).not.toMatch(/required option/);
    expect(r.stderr).not.toMatch(/Usage:/); // one pointer to --help, not the whole help

    const missing = run(['users', 'create', '--username', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--tenant <slug>' not specified/);
  });

  it('names users and groups by name or id, and says which of the two was not found', () => {
    ok(['users', 'create', '--tenant', 'acme', '--username', 'bob', '--email', 'bob@example.com']);
    const sre = ok(['groups', 'create', '--tenant', 'acme', '--name', 'sre']).stdout;
    const sreId = /\(([0-9a-f-]{36})\)/.exec(sre)![1]!;

    expect(ok(['groups', 'add-member', 'sre', '--tenant', 'acme', '--user', 'bob']).stdout).toBe(
      'user bob added to sre\n',
    );
    expect(ok(['groups', 'add-member', sreId, '--tenant', 'acme', '--user', 'BOB@example.com']).stdout).toBe(
      'user bob already in sre\n',
    );
    const members = JSON.parse(ok(['groups', 'members', 'SRE', '--tenant', 'acme', '--json']).stdout);
    expect(members.map((m: { name: string }) => m.name)).toEqual(['bob']);

    const noUser = run(['groups', 'add-member', 'sre', '--tenant', 'acme', '--user', 'bobby']);
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toBe('gatekeeper: no user "bobby" in tenant acme\n');
    const noGroup = run(['groups', 'add-member', 'ops', '--tenant', 'acme', '--user', 'bob']);
    expect(noGroup.code).toBe(2);
    expect(noGroup.stderr).toBe('gatekeeper: no group "ops" in tenant acme\n');

    expect(ok(['groups', 'remove-member', 'sre', '--tenant', 'acme', '--user', 'bob']).stdout).toBe(
      'user bob removed from sre\n',
    );
  });

  it('admin token list says how many tenant-scoped tokens it does not show and how to list them', () => {
    expect(ok(['admin', 'token', 'list']).stdout).toBe('no all-tenant admin tokens\n');
    for (const name of ['one', 'two']) {
      ok(['admin', 'token', 'create', '--name', name, '--abilities', 'users:read', '--tenant', 'acme']);
    }
    ok(['admin', 'token', 'create', '--name', 'global', '--abilities', '*']);
    const all = ok(['admin', 'token', 'list']).stdout.trimEnd().split('\n');
    expect(all).toHaveLength(2);
    expect(all[0]).toMatch(/ global /);
    expect(all[1]).toBe('2 tenant-scoped tokens not shown (acme: 2); list them with --tenant <slug>');
    const json = ok(['admin', 'token', 'list', '--json']);
    expect(JSON.parse(json.stdout).map((c: { name: string }) => c.name)).toEqual(['global']);
    expect(json.stderr).toBe('2 tenant-scoped tokens not shown (acme: 2); list them with --tenant <slug>\n');
    const scoped = ok(['admin', 'token', 'list', '--tenant', 'acme']).stdout.trimEnd().split('\n');
    expect(scoped.map((l) => l.split(/\s+/)[2])).toEqual(['one', 'two']);
  });

  it('audit verify prints only its report, also when logs are asked for', () => {
    for (const extra of [{}, { GATEKEEPER_LOG_LEVEL: 'debug' }] as Record<string, string>[]) {
      const r = ok(['audit', 'verify'], extra);
      expect(r.stdout).toMatch(/^audit chain OK: \d+ entries, head seq \d+, 0 checkpoint\(s\) verified\n$/);
      expectNoJsonLines(r.stderr);
      for (const line of r.stderr.trimEnd().split('\n')) {
        expect(line).toMatch(/^(verify: \d+\/\d+ \(\d+%\)|warning: .*|gatekeeper: (debug|info|warn): .*)$/);
      }
    }
  });

  it('stops quietly when its output pipe closes early (| head)', () => {
    const errFile = join(dir, 'pipe.err');
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(launcher)}`;
    // many lines, so the pipe is closed while the command still writes
    const r = runShell(`${cmd} config list 2>${errFile} | head -n 1; echo "status $?"`, { env });
    expect(r.stdout).toMatch(/^publicUrl\s.*\nstatus 0\n$/);
    expect(readFileSync(errFile, 'utf8')).not.toMatch(/EPIPE|\n\s+at /);
  });

  it('audits CLI changes as cli:<OS user>@<host>', () => {
    const out = join(dir, 'audit.csv');
    ok(['audit', 'export', '--output', out]);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    const actions = ['tenant.created', 'user.created', 'group.member_added', 'credential.issued'];
    const cliRows = rows.filter((r) => r.tenant === 'acme' && actions.includes(r.action!));
    expect(new Set(cliRows.map((r) => r.action))).toEqual(new Set(actions));
    expect(new Set(cliRows.map((r) => r.actor))).toEqual(
      new Set([`cli:${userInfo().username}@${hostname()}`]),
    );
    expect(rows.filter((r) => r.actor === 'cli')).toEqual([]);
  });
});
