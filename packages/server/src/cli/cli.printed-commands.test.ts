/**
 * The commands Gatekeeper prints work as printed, run through a shell with the system's PATH (where
 * the system Node may be older than 24 and `gatekeeper` is not installed): the start-up banner's
 * `admin create` typed into a terminal (the password asked for, unechoed) and the setup page's
 * `admin token create` from the checkout (`npx gatekeeper …`,
 * with the data directory the server uses), and after a global install from the checkout
 * (`npm install -g ./packages/server`) plain `gatekeeper …` from any directory. The key-file notice
 * is printed once per server start.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTerminal, runShell } from '../../test/cli-process.ts';
import { repoRoot, setupLinksIn, spawnServe } from '../../test/serve-process.ts';

/** The system's PATH, without this repository's node_modules/.bin (as a fresh shell has it). */
const SYSTEM_PATH = (process.env.PATH ?? '')
  .split(':')
  .filter((d) => d !== '' && !d.includes('node_modules'))
  .join(':');
const PASSWORD = 'a long enough password';

function htmlText(html: string): string {
  return html.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

/** Starts `gatekeeper serve` (PATH and cwd as given), returns the printed `admin create` command. */
async function bannerOf(
  env: Record<string, string>,
  options: { command?: string; args?: string[]; cwd?: string } = {},
) {
  const proc = spawnServe({
    env: { GATEKEEPER_PORT: '0', ...env },
    ...(options.command ? { command: options.command, args: options.args ?? ['serve'] } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  const { address } = await proc.ready;
  const stderr = proc.stderr();
  const logs = proc.stdout.join('\n');
  const printed = /^or run: (.+)$/m.exec(stderr)?.[1];
  return { proc, address, stderr, logs, printed, link: setupLinksIn(stderr)[0] };
}

describe('commands printed by Gatekeeper work as printed (processes)', { timeout: 180_000 }, () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gk-printed-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('from the checkout: npx gatekeeper, with the data directory the server uses', async () => {
    // the banner's admin create, run as printed; the server started as the README says (npm start,
    // whose PATH has node_modules/.bin in front: the operator's shell does not)
    const dataDir = join(dir, 'data');
    const first = await bannerOf(
      { PATH: SYSTEM_PATH, GATEKEEPER_DATA_DIR: dataDir },
      { command: 'npm', args: ['start'] },
    );
    try {
      expect(first.printed).toBe(
        `GATEKEEPER_DATA_DIR=${dataDir} npx gatekeeper admin create --email you@example.com --password-stdin`,
      );
      expect(first.logs.match(/using the key file/g)).toHaveLength(1); // once per server start
      // typed into a terminal: the password is asked for twice and never shown
      const typed = await runInTerminal(
        first.printed!,
        [
          { prompt: 'Password: ', reply: `${PASSWORD}\r` },
          { prompt: 'Repeat the password: ', reply: `${PASSWORD}\r` },
        ],
        { env: { PATH: SYSTEM_PATH } },
      );
      expect(typed.code, typed.screen).toBe(0);
      expect(typed.screen).toMatch(/administrator you@example\.com created/);
      expect(typed.screen).not.toContain(PASSWORD);
    } finally {
      await first.proc.stop();
    }

    // the setup page's admin token create, run as printed
    const otherDir = join(dir, 'other');
    const second = await bannerOf({ PATH: SYSTEM_PATH, GATEKEEPER_DATA_DIR: otherDir });
    try {
      const token = new URL(second.link!).searchParams.get('token')!;
      const page = await fetch(`${second.address}/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, email: 'first@example.com', password: PASSWORD }),
      });
      expect(page.status).toBe(200);
      const code = htmlText(/<code>([^<]+)<\/code>/.exec(await page.text())?.[1] ?? '');
      expect(code).toBe(
        `GATEKEEPER_DATA_DIR=${otherDir} npx gatekeeper admin token create --name NAME --abilities '*'`,
      );
      const issued = runShell(code.replace('NAME', 'ci'), { env: { PATH: SYSTEM_PATH } });
      expect(issued.code, issued.stderr).toBe(0);
      expect(issued.stdout).toMatch(/^gk_adm_\S+\n$/);
      const works = await fetch(`${second.address}/api/v1/tenants`, {
        headers: { authorization: `Bearer ${issued.stdout.trim()}` },
      });
      expect(works.status).toBe(200);
    } finally {
      await second.proc.stop();
    }
  });

  it('after a global install from the checkout: gatekeeper, from any directory', async () => {
    const prefix = join(dir, 'global');
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, './packages/server'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { PATH: SYSTEM_PATH, HOME: process.env.HOME ?? '/tmp' },
      timeout: 120_000,
    });
    expect(install.status, install.stderr).toBe(0);
    const path = `${join(prefix, 'bin')}:${SYSTEM_PATH}`;
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);

    const help = runShell('gatekeeper --help', { env: { PATH: path }, cwd: elsewhere });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: gatekeeper /);

    const dataDir = join(dir, 'global-data');
    const started = await bannerOf(
      { PATH: path, GATEKEEPER_DATA_DIR: dataDir },
      { command: join(prefix, 'bin', 'gatekeeper'), cwd: elsewhere },
    );
    try {
      expect(started.printed).toBe(
        `GATEKEEPER_DATA_DIR=${dataDir} gatekeeper admin create --email you@example.com --password-stdin`,
      );
      const created = runShell(started.printed!, { env: { PATH: path }, cwd: elsewhere, input: PASSWORD });
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/^administrator you@example\.com created/);
    } finally {
      await started.proc.stop();
    }
  });
});
