/**
 * `gatekeeper users …` and `audit export` as an operator runs them, every step a real process on one
 * temp data dir (the steps build on each other, in order): create (password from stdin, stored as a
 * verifiable hash), list, show, disable, enable, delete; CSV import that imports the good rows,
 * prints each bad one as `line N: reason`, writes `--errors`, exits 1 when any row failed, and
 * changes nothing with `--dry-run`; a 20,000-row import with progress lines on a pipe; exports to CSV
 * and XLSX that read back; and an audit export holding the `user.created` events.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = new URL('../../../bin/gatekeeper.js', import.meta.url).pathname;
const src = (path: string) => JSON.stringify(new URL(`../../${path}`, import.meta.url).href);
const PASSWORD = 'violet kettle drum 19';
const BIG_ROWS = 20_000;

interface UserJson {
  id: string;
  username: string;
  email: string | null;
  name: string | null;
  status: string;
}

describe('gatekeeper users (processes)', { timeout: 120_000 }, () => {
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
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Runs a command that must succeed; returns its stdout. */
  function ok(args: string[], input?: string): string {
    const r = run(args, input);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  }

  /** A mistake: exit 2 and exactly one `gatekeeper: …` line on stderr. */
  function expectUsageError(r: ReturnType<typeof run>, message: RegExp) {
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gatekeeper: /);
    expect(lines[0]).toMatch(message);
  }

  function list(tenant: string, ...extra: string[]): UserJson[] {
    return JSON.parse(ok(['users', 'list', '--tenant', tenant, '--limit', '1000', '--json', ...extra]));
  }

  function file(name: string, text?: string): string {
    const path = join(dir, name);
    if (text !== undefined) writeFileSync(path, text);
    return path;
  }

  /**
   * Checks a password in a child Node process with the services on the data dir (not in this process:
   * the test runner's transform changes the migrations' checksums).
   */
  function passwordVerifies(tenant: string, login: string, password: string): boolean {
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
      const [tenant, login, password] = JSON.parse(process.env.PROBE_INPUT);
      const user = await s.users.verifyPassword((await s.tenants.resolve(tenant)).id, login, password);
      await s.stop();
      await runtime.close();
      process.stdout.write(String(user !== null));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...baseEnv(), PROBE_INPUT: JSON.stringify([tenant, login, password]) },
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout === 'true';
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gk-users-cli-'));
    env = { GATEKEEPER_DATA_DIR: join(dir, 'data') };
    // a master key in the environment, so commands print no "key file" warning
    env.GATEKEEPER_MASTER_KEYS = ok(['keys', 'generate']).trim();
    expect(ok(['tenants', 'create', '--slug', 'acme', '--name', 'Acme'])).toMatch(/^created tenant acme /);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, lists, shows, disables, enables and deletes users', () => {
    const created = JSON.parse(
      ok(
        [
          'users',
          'create',
          '--tenant',
          'acme',
          '--username',
          'alice',
          '--email',
          'Alice@Example.com',
          '--name',
          'Alice A',
          '--password-stdin',
          '--json',
        ],
        `${PASSWORD}\n`,
      ),
    ) as UserJson;
    expect(created).toMatchObject({
      username: 'alice',
      email: 'Alice@Example.com',
      name: 'Alice A',
      status: 'active',
    });
    expect(JSON.stringify(created)).not.toContain(PASSWORD);
    expect(ok(['users', 'create', '--tenant', 'acme', '--username', 'bob'])).toMatch(
      /^created user bob \([0-9a-f-]{36}\) active\n$/,
    );
    // unique ignoring case; an empty stdin is no password; an unknown tenant
    expectUsageError(run(['users', 'create', '--tenant', 'acme', '--username', 'ALICE']), /exists/);
    expectUsageError(
      run(['users', 'create', '--tenant', 'acme', '--username', 'carol', '--password-stdin'], ''),
      /no password on standard input/,
    );
    expectUsageError(run(['users', 'list', '--tenant', 'ghost']), /no tenant "ghost"/);

    expect(list('acme').map((u) => u.username)).toEqual(['alice', 'bob']);
    expect(passwordVerifies('acme', 'alice', PASSWORD)).toBe(true);
    expect(passwordVerifies('acme', 'alice', `${PASSWORD}\n`)).toBe(false);

    // by username, by email in another case, and by id
    for (const name of ['alice', 'ALICE@example.com', created.id]) {
      const shown = JSON.parse(ok(['users', 'show', name, '--tenant', 'acme']));
      expect(shown).toMatchObject({ id: created.id, username: 'alice', identities: [], properties: [] });
    }
    expectUsageError(run(['users', 'show', 'nobody', '--tenant', 'acme']), /no user "nobody"/);

    expect(ok(['users', 'disable', 'alice', '--tenant', 'acme'])).toBe(
      `disabled user alice (${created.id})\n`,
    );
    expect(list('acme', '--status', 'disabled').map((u) => u.username)).toEqual(['alice']);
    expect(passwordVerifies('acme', 'alice', PASSWORD)).toBe(false); // a disabled user cannot sign in
    expect(ok(['users', 'enable', 'alice', '--tenant', 'acme'])).toBe(`enabled user alice (${created.id})\n`);
    expect(JSON.parse(ok(['users', 'show', 'alice', '--tenant', 'acme'])).status).toBe('active');

    expect(ok(['users', 'delete', 'bob', '--tenant', 'acme'])).toMatch(/^deleted user bob /);
    expectUsageError(run(['users', 'show', 'bob', '--tenant', 'acme']), /no user "bob"/);
    expect(list('acme').map((u) => u.username)).toEqual(['alice']);
  });

  const MIXED = [
    'username,email,fullname',
    'dave,dave@example.com,Dave D', // 2 ok
    ',nobody@example.com,No Name', // 3 missing username
    'erin,not-an-email,Erin', // 4 invalid email
    'ALICE,,Alice again', // 5 already exists (any case)
    'frank,,"Frank, ""the"" F"', // 6 ok, quoted
    'dave,,Dave twice', // 7 duplicate in the file
    'grace,grace@example.com,Grace,extra', // 8 too many fields
    'heidi,,Heidi', // 9 ok
  ].join('\n');

  it('--dry-run reports the bad rows and writes nothing', () => {
    const before = list('acme');
    const r = run(['users', 'import', file('mixed.csv', MIXED), '--tenant', 'acme', '--dry-run']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^would import 3 of 8 rows; 5 failed \(dry run: nothing was written\)$/m);
    expect(r.stdout).toMatch(/^line 3: missing username$/m);
    expect(r.stderr).toMatch(/^check: 8\/8 \(100%\)$/m);
    expect(list('acme')).toEqual(before);

    const clean = run([
      'users',
      'import',
      file('clean.csv', 'username,email,fullname\nivan,,Ivan\njudy,,Judy\n'),
      '--tenant',
      'acme',
      '--dry-run',
    ]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toBe('would import 2 of 2 rows; 0 failed (dry run: nothing was written)\n');
    expect(list('acme')).toEqual(before);
  });

  it('imports the good rows, prints each bad row as "line N: reason", writes --errors and exits 1', () => {
    const errors = file('errors.csv');
    const r = run(['users', 'import', file('mixed.csv', MIXED), '--tenant', 'acme', '--errors', errors]);
    expect(r.code, r.stderr).toBe(1);
    const bad = r.stdout.split('\n').filter((l) => l.startsWith('line '));
    expect(bad).toEqual([
      'line 3: missing username',
      'line 4: email: must be an email address',
      'line 5: username already exists',
      'line 7: duplicate username in file (first on line 2)',
      'line 8: expected 3 fields, found 4',
    ]);
    expect(r.stdout).toMatch(/^imported 3 of 8 rows; 5 failed$/m);
    expect(parse(readFileSync(errors, 'utf8'), { columns: true })).toEqual([
      { line: '3', reason: 'missing username' },
      { line: '4', reason: 'email: must be an email address' },
      { line: '5', reason: 'username already exists' },
      { line: '7', reason: 'duplicate username in file (first on line 2)' },
      { line: '8', reason: 'expected 3 fields, found 4' },
    ]);
    const users = list('acme');
    expect(users.map((u) => u.username)).toEqual(['alice', 'dave', 'frank', 'heidi']);
    expect(users.find((u) => u.username === 'frank')?.name).toBe('Frank, "the" F');

    // a file that cannot be read, and a header that is not the documented one: one line, exit 2
    expectUsageError(run(['users', 'import', join(dir, 'missing.csv'), '--tenant', 'acme']), /cannot read/);
    expectUsageError(
      run(['users', 'import', file('header.csv', 'login,mail\nx,y\n'), '--tenant', 'acme']),
      /line 1: unknown column "login"/,
    );
    expect(list('acme')).toHaveLength(4);
  });

  it(`imports ${BIG_ROWS} rows within a minute, with a progress line every 10 % on a pipe`, async () => {
    ok(['tenants', 'create', '--slug', 'big', '--name', 'Big']);
    let csv = 'username,email,fullname\n';
    for (let i = 0; i < BIG_ROWS; i++) csv += `user${i},user${i}@example.com,User ${i}\n`;
    const started = performance.now();
    const r = run(['users', 'import', file('big.csv', csv), '--tenant', 'big']);
    const elapsed = performance.now() - started;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`imported ${BIG_ROWS} of ${BIG_ROWS} rows; 0 failed\n`);
    expect(elapsed).toBeLessThan(60_000);

    const progress = r.stderr.trimEnd().split('\n');
    for (const line of progress) expect(line).toMatch(new RegExp(`^import: \\d+/${BIG_ROWS} \\(\\d+%\\)$`));
    const percents = progress.map((l) => Number(/\((\d+)%\)/.exec(l)![1]));
    expect(percents).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(progress.at(-1)).toBe(`import: ${BIG_ROWS}/${BIG_ROWS} (100%)`);

    // every row is there: the export holds them all, in both formats
    const csvOut = file('big-export.csv');
    expect(ok(['users', 'export', '--tenant', 'big', '--output', csvOut])).toBe(
      `${BIG_ROWS} users written to ${csvOut}\n`,
    );
    const rows = parse(readFileSync(csvOut, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(BIG_ROWS);
    expect(new Set(rows.map((row) => row.username)).size).toBe(BIG_ROWS);
    const xlsxOut = file('big-export.xlsx');
    ok(['users', 'export', '--tenant', 'big', '--output', xlsxOut]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsxOut);
    expect(wb.getWorksheet('users')?.actualRowCount).toBe(BIG_ROWS + 1);
  });

  it('exports users to CSV and XLSX (--format or from the file name)', async () => {
    const expected = list('acme').map((u) => u.username);
    const csvOut = file('acme.out');
    expect(ok(['users', 'export', '--tenant', 'acme', '--format', 'csv', '--output', csvOut])).toBe(
      `${expected.length} users written to ${csvOut}\n`,
    );
    const text = readFileSync(csvOut, 'utf8');
    expect(text.split(/\r?\n/)[0]).toBe(
      'username,email,fullname,groups,id,status,emailVerified,createdAt,lastSignInAt',
    );
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.username)).toEqual(expected);
    expect(rows.find((row) => row.username === 'frank')?.fullname).toBe('Frank, "the" F');

    const xlsxOut = file('acme-users.xlsx');
    ok(['users', 'export', '--tenant', 'acme', '--format', 'xlsx', '--output', xlsxOut]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsxOut);
    const sheet = wb.getWorksheet('users')!;
    expect(sheet.actualRowCount).toBe(expected.length + 1);
    expect(sheet.getRow(1).getCell(1).value).toBe('username');
    const names: unknown[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) names.push(row.getCell(1).value);
    });
    expect(names).toEqual(expected);
  });

  it('exports what import reads: export, then import into another tenant with --create-groups', () => {
    ok(['groups', 'create', '--tenant', 'acme', '--name', 'SRE']);
    ok(['groups', 'create', '--tenant', 'acme', '--name', 'Staff']);
    ok(['groups', 'add-member', 'SRE', '--tenant', 'acme', '--user', 'dave']);
    ok(['groups', 'add-member', 'Staff', '--tenant', 'acme', '--user', 'dave']);
    ok(['groups', 'add-member', 'staff', '--tenant', 'acme', '--user', 'frank']);
    const exported = file('round-trip.csv');
    ok(['users', 'export', '--tenant', 'acme', '--output', exported]);
    const rows = parse(readFileSync(exported, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.username === 'dave')?.groups).toBe('SRE;Staff');

    ok(['tenants', 'create', '--slug', 'copy', '--name', 'Copy']);
    // the groups do not exist in the other tenant: without --create-groups those rows fail
    const refused = run(['users', 'import', exported, '--tenant', 'copy', '--dry-run']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/unknown group "SRE" \(create it first, or import with create-groups\)/);
    const r = run(['users', 'import', exported, '--tenant', 'copy', '--create-groups']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `created 2 group(s): SRE, Staff\nimported ${rows.length} of ${rows.length} rows; 0 failed\n`,
    );
    const copied = list('copy');
    expect(copied.map((u) => [u.username, u.email, u.name])).toEqual(
      list('acme').map((u) => [u.username, u.email, u.name]),
    );
    const members = JSON.parse(ok(['groups', 'members', 'staff', '--tenant', 'copy', '--json']));
    expect(members.map((m: { name: string }) => m.name)).toEqual(['dave', 'frank']);
  });

  it('reports each bad line of a malformed CSV by its own number, with progress from a fixed total', () => {
    const text = [
      'username,email,fullname', // 1
      'kim,,Kim', // 2
      'lou,lou@example.com', // 3 short row
      'max,,"Max', // 4 quote never closed
      'ned,,Ned', // 5
      '', // 6 blank
      'ola,,Ola', // 7
    ].join('\n');
    const r = run(['users', 'import', file('malformed.csv', text), '--tenant', 'acme', '--dry-run']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        'line 3: expected 3 fields, found 2',
        'line 4: malformed CSV: a quote opened here is never closed on this line',
        'would import 3 of 5 rows; 2 failed (dry run: nothing was written)',
        '',
      ].join('\n'),
    );
    // six lines after the header: the total is known before the first row and never changes
    for (const line of r.stderr.trimEnd().split('\n')) expect(line).toMatch(/^check: \d+\/6 \(\d+%\)$/);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('check: 6/6 (100%)');
  });

  it('exports the audit log with the user.created events of the CLI', () => {
    const out = file('audit.csv');
    expect(ok(['audit', 'export', '--output', out])).toMatch(
      /^\d+ audit entries \(through seq \d+\) written to /,
    );
    const text = readFileSync(out, 'utf8');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    const created = rows.filter((row) => row.action === 'user.created' && row.tenant === 'acme');
    // alice, bob, and the three imported rows (dry runs write nothing)
    expect(created).toHaveLength(5);
    const copied = rows.filter((row) => row.action === 'user.created' && row.tenant === 'copy');
    expect(copied.length).toBeGreaterThan(0);
    const summaries = rows.filter((row) => row.action === 'users.imported' && row.tenant === 'copy');
    expect(summaries).toHaveLength(1);
    expect(JSON.parse(summaries[0]!.data!)).toMatchObject({ imported: copied.length, failed: 0 });
    for (const row of created) {
      expect(row.actor).toMatch(/^cli:.+@.+/);
      expect(row.target).toMatch(/^user:[0-9a-f-]{36}$/);
    }
    expect(rows.filter((row) => row.action === 'user.created' && row.tenant === 'big')).toHaveLength(
      BIG_ROWS,
    );
    const actions = new Set(rows.map((row) => row.action));
    for (const action of [
      'user.disabled',
      'user.enabled',
      'user.deleted',
      'users.imported',
      'users.exported',
    ]) {
      expect(actions, action).toContain(action);
    }
    expect(text).not.toContain(PASSWORD);
  });
});
