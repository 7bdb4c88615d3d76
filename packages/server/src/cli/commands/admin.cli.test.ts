/**
 * Bootstrap and automation as an operator meets them, every step a real process on one temp data dir
 * (the steps build on each other, in order): `serve` on an empty database prints the one-time setup
 * link on stderr and never into its JSON logs; `admin create` reads the password from stdin, makes a
 * root-tenant owner and retires the link (a second administrator only with `--force`, a short
 * password refused with exit 2); `admin token create` prints exactly the secret on stdout (the
 * explanation on stderr), and a `serve` process then accepts it with exactly its abilities;
 * `token list` never shows a secret; `token revoke` is seen by list and by the server; bad abilities,
 * tenants and expiries are one line and exit 2.
 *
 * The directory is read back by a child Node process (`probe`), not in this process: migration
 * checksums are taken over the migrations' code as loaded, and the test runner's transform differs
 * from Node's type stripping.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = new URL('../../../bin/gatekeeper.js', import.meta.url).pathname;
const src = (path: string) => JSON.stringify(new URL(`../../${path}`, import.meta.url).href);
const PASSWORD = 'a long admin password';

describe('gatekeeper admin (processes)', { timeout: 60_000 }, () => {
  let dir: string;
  let env: Record<string, string>;

  function baseEnv(): Record<string, string> {
    return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env };
  }

  function run(args: string[], input?: string) {
    const r = spawnSync(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      env: baseEnv(),
      input,
      timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** A mistake: exit 2 and exactly one `gatekeeper: …` line on stderr, nothing on stdout. */
  function expectUsageError(r: ReturnType<typeof run>, message: RegExp) {
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gatekeeper: /);
    expect(lines[0]).toMatch(message);
  }

  /**
   * Runs `body` in a child Node process with the services started on the data dir (`s`, the root
   * tenant id `root`, and `input`); returns what it returns.
   */
  function probe<T>(body: string, input: unknown = null): T {
    const script = `
      import { loadConfig } from ${src('config/load.ts')};
      import { createLogger } from ${src('logger.ts')};
      import { createRuntime } from ${src('runtime.ts')};
      import { createServices } from ${src('services.ts')};
      const runtime = await createRuntime(loadConfig({ env: process.env }), {
        logger: createLogger('silent'), migrate: false, warn: () => {},
      });
      const s = createServices(runtime);
      await s.start();
      const root = (await s.tenants.resolve('root')).id;
      const input = JSON.parse(process.env.PROBE_INPUT);
      const result = await (async () => { ${body} })();
      await s.stop();
      await runtime.close();
      process.stdout.write(JSON.stringify(result ?? null));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...baseEnv(), PROBE_INPUT: JSON.stringify(input) },
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`probe failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** Starts `gatekeeper serve` on a free loopback port; resolves once it logs "gatekeeper ready". */
  async function startServer() {
    const child: ChildProcess = spawn(process.execPath, [bin, 'serve'], {
      env: { ...baseEnv(), GATEKEEPER_HOST: '127.0.0.1', GATEKEEPER_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 20_000);
      child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        logs.push(line);
        const entry = JSON.parse(line) as { msg?: string; address?: string };
        if (entry.msg === 'gatekeeper ready' && entry.address) {
          clearTimeout(timer);
          resolve(entry.address);
        }
      });
    });
    return {
      url,
      logs,
      stderr: () => stderr,
      async stop() {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      },
    };
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gk-admin-cli-'));
    env = { GATEKEEPER_DATA_DIR: dir };
    // a master key in the environment, so commands print no "key file" warning
    env.GATEKEEPER_MASTER_KEYS = run(['keys', 'generate']).stdout.trim();
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  let setupLink: string;

  it('prints the one-time setup link on stderr at first start, never into the JSON logs', async () => {
    const server = await startServer();
    try {
      const link = /^ {2}(http\S+\/setup\?token=gk_setup_[0-9A-Za-z]{49})$/m.exec(server.stderr())?.[1];
      expect(link, server.stderr()).toBeDefined();
      setupLink = link!;
      expect(server.stderr()).toContain('gatekeeper admin create --email');
      for (const line of server.logs) expect(() => JSON.parse(line)).not.toThrow();
      expect(server.logs.join('\n')).not.toContain('gk_setup_');
      const { pathname, search } = new URL(setupLink);
      const page = await fetch(`${server.url}${pathname}${search}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('name="token"');
      // the request log carries the path, not the secret
      expect(server.logs.join('\n')).not.toContain(new URL(setupLink).searchParams.get('token'));
    } finally {
      await server.stop();
    }
  });

  it('creates the first administrator from a password on stdin, once, and retires the setup link', async () => {
    const first = run(['admin', 'create', '--email', 'a@example.com', '--password-stdin'], `${PASSWORD}\n`);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^administrator a@example\.com created \(user [0-9a-f-]{36}\)\n$/);
    expect(first.stderr).toBe('');

    const again = run(['admin', 'create', '--email', 'b@example.com', '--password-stdin'], PASSWORD);
    expectUsageError(again, /an administrator already exists \(use --force to add another\)/);

    const weak = run(
      ['admin', 'create', '--email', 'c@example.com', '--password-stdin', '--force'],
      'short\n',
    );
    expectUsageError(weak, /password: must be at least 12 characters/);

    const forced = run(
      [
        'admin',
        'create',
        '--email',
        'b@example.com',
        '--name',
        'Second Admin',
        '--password-stdin',
        '--force',
      ],
      PASSWORD,
    );
    expect(forced.code, forced.stderr).toBe(0);
    for (const r of [first, again, weak, forced]) expect(r.stdout + r.stderr).not.toContain(PASSWORD);

    const seen = probe<{
      admins: { email: string; name: string | null; owner: boolean }[];
      c: unknown;
      link: string | null;
      oldLink: boolean;
    }>(
      `
      const admins = [];
      for (const email of ['a@example.com', 'b@example.com']) {
        const u = await s.users.verifyPassword(root, email, input.password);
        admins.push({ email, name: u?.name ?? null, owner: u ? (await s.access.effectiveAccess(root, u.id)).roles.includes('owner') : false });
      }
      return {
        admins,
        c: await s.users.findByLogin(root, 'c@example.com'),
        link: await s.setup.issueLinkIfNeeded(),
        oldLink: await s.setup.checkLink(input.token),
      };`,
      { password: PASSWORD, token: new URL(setupLink).searchParams.get('token') },
    );
    // the trailing newline from stdin is not part of the password
    expect(seen.admins).toEqual([
      { email: 'a@example.com', name: null, owner: true },
      { email: 'b@example.com', name: 'Second Admin', owner: true },
    ]);
    expect(seen.c).toBeNull();
    expect(seen.link).toBeNull();
    expect(seen.oldLink).toBe(false);
  });

  let ciToken: string;

  it('prints a new admin API token alone on stdout; a server accepts it with exactly its abilities', async () => {
    const r = run(['admin', 'token', 'create', '--name', 'ci', '--abilities', 'users:read,tenants:read']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toEqual([expect.stringMatching(/^gk_adm_[0-9A-Za-z]{49}$/), '']);
    ciToken = lines[0]!;
    expect(r.stderr).toMatch(
      /^token [0-9a-f-]{36} \(all tenants; tenants:read,users:read\) — shown once:\n$/,
    );
    expect(r.stderr).not.toContain(ciToken);

    const list = run(['admin', 'token', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/ {2}ci {2}\[tenants:read,users:read\]\n/);
    expect(list.stdout).toContain(`${ciToken.slice(0, 13)}…`); // the display prefix only
    expect(list.stdout).not.toContain(ciToken);
    expect(list.stdout).not.toContain(ciToken.slice(13, -6));

    const server = await startServer();
    try {
      // an administrator exists now: no setup link on this start
      expect(server.stderr()).not.toContain('/setup?token=');
      const headers = { authorization: `Bearer ${ciToken}` };
      const read = await fetch(`${server.url}/api/v1/tenants`, { headers });
      expect(read.status).toBe(200);
      const body = (await read.json()) as { items: { slug: string }[] };
      expect(body.items.map((t) => t.slug)).toContain('root');
      const users = await fetch(`${server.url}/api/v1/tenants/root/users`, { headers });
      expect(users.status).toBe(200);
      const write = await fetch(`${server.url}/api/v1/tenants`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ slug: 'nope', displayName: 'Nope' }),
      });
      expect(write.status).toBe(403);
      expect((await fetch(`${server.url}/api/v1/tenants`)).status).toBe(401);
      expect(server.logs.join('\n')).not.toContain(ciToken);
    } finally {
      await server.stop();
    }
  });

  it('revokes a token: list shows it revoked and a server refuses it', async () => {
    const created = run(['admin', 'token', 'create', '--name', 'short-lived', '--abilities', '*']);
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    const id = /^token ([0-9a-f-]{36}) /.exec(created.stderr)?.[1];
    expect(id).toBeDefined();

    const revoked = run(['admin', 'token', 'revoke', id!]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toBe(`token ${id} revoked\n`);
    const list = run(['admin', 'token', 'list']).stdout;
    expect(list.split('\n').find((l) => l.startsWith(id!))).toMatch(/ {2}short-lived {2}\[\*\] {2}revoked$/);
    expect(list).toMatch(/ {2}ci {2}\[tenants:read,users:read\]\n/); // the other token is untouched

    const server = await startServer();
    try {
      const revokedUse = await fetch(`${server.url}/api/v1/tenants`, {
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(revokedUse.status).toBe(401);
      const liveUse = await fetch(`${server.url}/api/v1/tenants`, {
        headers: { authorization: `Bearer ${ciToken}` },
      });
      expect(liveUse.status).toBe(200);
    } finally {
      await server.stop();
    }

    expectUsageError(
      run(['admin', 'token', 'revoke', '01a20000-0000-7000-8000-000000000000']),
      /no such credential/,
    );
  });

  it('refuses unknown abilities, unknown tenants and bad expiries with one line and exit 2', () => {
    expectUsageError(
      run(['admin', 'token', 'create', '--name', 'x', '--abilities', 'bogus']),
      /unknown ability "bogus"/,
    );
    expectUsageError(
      run(['admin', 'token', 'create', '--name', 'x', '--abilities', 'users:read', '--tenant', 'ghost']),
      /no tenant "ghost"/,
    );
    expectUsageError(
      run(['admin', 'token', 'create', '--name', 'x', '--abilities', 'users:read', '--expires-in-days', '0']),
      /--expires-in-days must be between 1 and 3650/,
    );
    // the refused commands issued nothing
    expect(run(['admin', 'token', 'list']).stdout).not.toMatch(/ {2}x {2}\[/);
  });

  it('scopes a token to one tenant with --tenant', () => {
    expect(run(['tenants', 'create', '--slug', 'acme', '--name', 'Acme']).code).toBe(0);
    const r = run([
      'admin',
      'token',
      'create',
      '--name',
      'acme-bot',
      '--abilities',
      'users:read',
      '--tenant',
      'acme',
      '--expires-in-days',
      '30',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\(acme; users:read\)/);
    expect(run(['admin', 'token', 'list', '--tenant', 'acme']).stdout).toMatch(
      / {2}acme-bot {2}\[users:read\]\n/,
    );
    expect(run(['admin', 'token', 'list']).stdout).not.toContain('acme-bot');

    const principal = probe<{ tenantSlug: string | null; abilities: string[] }>(
      'return s.credentials.authenticateAdmin(input);',
      r.stdout.trim(),
    );
    expect(principal).toMatchObject({ tenantSlug: 'acme', abilities: ['users:read'] });
  });
});
