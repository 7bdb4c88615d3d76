/**
 * The product docs (README.md, docs/*.md, packages/client/README.md) say what is true of this
 * repository: every relative link resolves to a file in it and none points at notes outside it;
 * the README's CLI table names every command group; what is built is listed as built and the
 * not-built list names only what is missing; the README's `--help` command is one
 * that works on an older system Node; backup.md lists exactly the encrypted columns that exist;
 * admin-api.md states the failed-authentication rate limit the server applies.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, loadCommands } from '../src/cli/main.ts';
import { ENCRYPTED_COLUMNS } from '../src/runtime.ts';
import { repoRoot } from './serve-process.ts';

const everyCommand = await loadCommands();

const DOCS = [
  'README.md',
  'packages/client/README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

describe('the docs say what is true', () => {
  it('link only to files in the repository, and to no notes outside it', () => {
    for (const doc of DOCS) {
      const text = read(doc);
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target!)) continue;
        const path = resolve(repoRoot, dirname(doc), target!.split('#')[0]!);
        expect(relative(repoRoot, path).startsWith('..'), `${doc} → ${target}`).toBe(false);
        expect(existsSync(path), `${doc} → ${target}`).toBe(true);
      }
      expect(text, doc).not.toMatch(
        /ARCHITECTURE\.md|STYLE\.md|PEERS\.md|shared\/|design notes?|\.\.\/shared/,
      );
    }
  });

  it('README: a CLI table row for every command group, and a --help that runs on any Node', () => {
    const readme = read('README.md');
    const cli = readme.slice(readme.indexOf('## CLI'), readme.indexOf('## Development'));
    for (const cmd of buildProgram(everyCommand).commands) {
      expect(cli, cmd.name()).toMatch(new RegExp(`\`gatekeeper ${cmd.name()}\\b`));
    }
    // `node packages/server/src/cli/main.ts` needs Node 24's type stripping; the launcher does not
    expect(readme).not.toMatch(/node packages\/server\/src\/cli\/main\.ts/);
    expect(cli).toMatch(/`npx gatekeeper --help`/);
  });

  it('README: what is built is listed as built, and the not-built list names only what is missing', () => {
    const readme = read('README.md');
    const notBuilt = readme.slice(readme.indexOf('**Not built yet**'), readme.indexOf('What is built'));
    const built = readme.slice(readme.indexOf('What is built'), readme.indexOf('## Quickstart'));
    expect(notBuilt).toMatch(/identity providers/);
    // sign-in, the OIDC provider and /authz exist (their capability folders), so they are built
    for (const capability of ['accounts', 'mfa', 'oidc', 'gateway'])
      expect(existsSync(join(repoRoot, 'packages/server/src/capabilities', capability))).toBe(true);
    for (const item of [
      /\*\*Sign-in\*\*/,
      /OpenID Connect provider/,
      /`\/authz`/,
      /magic .*links/,
      /passkeys/,
    ])
      expect(built).toMatch(item);
    for (const item of [/sign-in pages/i, /OpenID Connect/, /\/authz/, /passkeys/, /TOTP/])
      expect(notBuilt).not.toMatch(item);
    expect(built).toMatch(/\*\*Gateway\*\* — `\/authz`/);
    for (const mode of [/`jwt`/, /`session`/]) expect(built).toMatch(mode);
  });

  it('backup.md lists exactly the columns that are encrypted today', () => {
    const backup = read('docs/backup.md');
    const block = /<!-- encrypted-columns[^>]*-->([\s\S]*?)<!-- \/encrypted-columns -->/.exec(backup)?.[1];
    expect(block).toBeDefined();
    const listed = [...block!.matchAll(/^\s*\| `([a-z_]+\.[a-z_]+)`/gm)].map((m) => m[1]);
    expect(new Set(listed)).toEqual(new Set(ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.column}`)));
  });

  it('admin-api.md states the failed-authentication rate limit: 429 after 20 a minute, for five minutes', () => {
    const api = read('docs/admin-api.md');
    expect(api).toMatch(/after 20 requests with a missing,\s+malformed, unknown, expired or revoked token/);
    expect(api).toMatch(/within a minute/);
    expect(api).toMatch(/`429 rate_limited` \(with `Retry-After`\) for five minutes/);
    // the numbers are the server's (app.ts)
    const app = readFileSync(join(repoRoot, 'packages/server/src/app.ts'), 'utf8');
    const limiter =
      /name: 'admin-auth-failures',\s*points: (\d+),\s*durationSec: (\d+),\s*blockDurationSec: (\d+)/.exec(
        app,
      );
    expect(limiter?.slice(1).map(Number)).toEqual([20, 60, 300]);
  });
});
