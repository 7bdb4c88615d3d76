/**
 * The `gatekeeper` command as an operator meets it: `--help` on every command and subcommand, one
 * clear line and exit 2 for mistakes (never a stack trace), nothing written for bad configuration,
 * and `audit verify` naming tampering with exit 1 — run as real processes on a temp data dir.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { Keyring, parseFernetKey } from '../crypto/fernet.ts';
import { buildProgram, loadCommands } from './main.ts';

const everyCommand = await loadCommands();

const bin = new URL('../../bin/gatekeeper.js', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    input,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function allCommands(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => {
    const path = [...prefix, c.name()];
    return [path, ...allCommands(c, path)];
  });
}

describe('gatekeeper CLI', () => {
  const commands = allCommands(buildProgram(everyCommand));

  it('has --help with a description on every command', () => {
    expect(commands.length).toBeGreaterThan(20);
    const program = buildProgram(everyCommand);
    for (const path of commands) {
      let cmd: Command = program;
      for (const name of path) cmd = cmd.commands.find((c) => c.name() === name)!;
      expect(cmd.description(), path.join(' ')).not.toBe('');
      expect(cmd.helpInformation(), path.join(' ')).toMatch(/^Usage: gatekeeper /);
    }
    // and as a process, for a sample
    for (const path of [['serve'], ['audit', 'verify'], ['users', 'import']]) {
      const r = run([...path, '--help']);
      expect(r.code, path.join(' ')).toBe(0);
      expect(r.stdout, path.join(' ')).toMatch(/^Usage: gatekeeper /);
    }
  });

  it('shows defaults one way in every --help: "(default: value)", never quoted', () => {
    const program = buildProgram(everyCommand);
    let defaults = 0;
    for (const path of commands) {
      let cmd: Command = program;
      for (const name of path) cmd = cmd.commands.find((c) => c.name() === name)!;
      for (const option of cmd.options) {
        // a default is given as a value commander prints, or said in the description the same way
        if (option.defaultValue !== undefined)
          expect(typeof option.defaultValue, option.flags).not.toBe('string');
      }
      // the help text with its line wrapping undone: every "default" is inside one "(default: …)"
      // (option names such as --default-scope say nothing about a default value)
      const text = cmd
        .helpInformation()
        .replace(/\s+/g, ' ')
        .replace(/--[a-z-]*default[a-z-]*/g, '--option');
      const shown = text.match(/\(default: [^"()]+\)/g) ?? [];
      defaults += shown.length;
      expect(text.replace(/\(default: [^"()]+\)/g, ''), path.join(' ')).not.toMatch(/default/i);
    }
    expect(defaults).toBeGreaterThan(5);
  });

  it('prints one line and exits 2 for bad configuration, writing nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-cli-'));
    const dataDir = join(dir, 'data');
    for (const [env, setting] of [
      [{ GATEKEEPER_PORT: 'eighty' }, 'GATEKEEPER_PORT'],
      [{ GATEKEEPER_UNKNOWN_THING: '1' }, 'GATEKEEPER_UNKNOWN_THING'],
      [{ GATEKEEPER_MASTER_KEYS: 'not-a-key' }, 'GATEKEEPER_MASTER_KEYS'],
      [{ GATEKEEPER_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, 'GATEKEEPER_DATABASE_URL'],
    ] as const) {
      const r = run(['migrate'], { GATEKEEPER_DATA_DIR: dataDir, ...env });
      expect(r.code, setting).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, setting).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^gatekeeper: ${setting}: `));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(dataDir)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses unknown commands and settings with exit 2', () => {
    expect(run(['frobnicate']).code).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), 'gk-cli-'));
    const r = run(['config', 'set', 'nope', '1'], { GATEKEEPER_DATA_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^gatekeeper: no setting named "nope"/m);
  });

  it('verifies the audit chain and names tampering (exit 1)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-cli-'));
    const env = { GATEKEEPER_DATA_DIR: dir };
    expect(run(['tenants', 'create', '--slug', 'one', '--name', 'One'], env).code).toBe(0);
    expect(run(['tenants', 'create', '--slug', 'two', '--name', 'Two'], env).code).toBe(0);
    const ok = run(['audit', 'verify'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit chain OK/);
    const db = new DatabaseSync(join(dir, 'gatekeeper.db'));
    db.prepare("update audit_log set actor = 'someone-else' where seq = 2").run();
    db.close();
    const broken = run(['audit', 'verify'], env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at seq 2: modified/);
    const json = run(['audit', 'verify', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problem: { seq: 2, kind: 'modified' } });
  });

  it('changes a runtime setting, and rewraps secrets under a new master key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-cli-'));
    const oldKey = run(['keys', 'generate']).stdout.trim();
    const newKey = run(['keys', 'generate']).stdout.trim();
    expect(oldKey).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    const env = { GATEKEEPER_DATA_DIR: dir, GATEKEEPER_MASTER_KEYS: oldKey };
    expect(run(['config', 'set', 'auditRetentionDays', '90'], env).stdout).toMatch(/auditRetentionDays = 90/);
    expect(run(['config', 'get', 'auditRetentionDays'], env).stdout.trim()).toBe('90');
    expect(run(['config', 'set', 'auditRetentionDays', '-5'], env).code).toBe(2);
    // a stored secret under the old key, written as the settings service writes secret values
    const db = new DatabaseSync(join(dir, 'gatekeeper.db'));
    const token = new Keyring([parseFernetKey(oldKey)]).encrypt('91');
    db.prepare("update settings set value = ?, encrypted = 1 where key = 'auditRetentionDays'").run(token);
    db.close();
    const rotated = { GATEKEEPER_DATA_DIR: dir, GATEKEEPER_MASTER_KEYS: `${newKey},${oldKey}` };
    const r = run(['keys', 'rewrap'], rotated);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^1 of 1 secret\(s\) re-encrypted under key/);
    // with only the new key the stored secret still reads, and a second rewrap has nothing to do
    const onlyNew = { GATEKEEPER_DATA_DIR: dir, GATEKEEPER_MASTER_KEYS: newKey };
    expect(run(['config', 'get', 'auditRetentionDays'], onlyNew).stdout.trim()).toBe('91');
    expect(run(['keys', 'rewrap'], onlyNew).stdout).toMatch(/^0 of 1 secret/);
  });
});
