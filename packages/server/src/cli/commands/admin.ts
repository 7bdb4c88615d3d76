/**
 * `gatekeeper admin create|token create|token list|token revoke`: bootstrap and automation without a
 * browser. `admin create` makes a root-tenant user with the `owner` role (the password is read from
 * stdin, never from the command line where other users could see it in the process list);
 * `admin token create` prints a new admin API token once.
 */
import type { Command } from 'commander';
import { normaliseAbilities } from '../../capabilities/credentials/abilities.ts';
import { AppError } from '../../errors/app-error.ts';
import { toListOptions } from '../../http/pagination.ts';
import { cliContext, out } from '../context.ts';
import { readPassword } from '../password-prompt.ts';
import { withServices } from './tenants.ts';

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('administrators and admin API tokens');
  const ctx = cliContext();

  admin
    .command('create')
    .description('create an administrator (root-tenant user with the owner role)')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--password-stdin', 'read the password from standard input (asked for on a terminal)')
    .option('--name <name>', 'display name')
    .option('--force', 'add another administrator even if one exists')
    .action(async (opts: { email: string; name?: string; force?: boolean }, cmd: Command) => {
      const password = await readPassword();
      await withServices(cmd, async (s) => {
        const { userId } = await s.setup.createAdmin(
          { email: opts.email, password, ...(opts.name ? { name: opts.name } : {}) },
          ctx,
          opts.force === true,
        );
        out(`administrator ${opts.email} created (user ${userId})`);
      });
    });

  const token = admin.command('token').description('admin API tokens');

  token
    .command('create')
    .description('create an admin API token and print it once')
    .requiredOption('--name <name>', 'what the token is for')
    .requiredOption('--abilities <list>', "comma-separated abilities, e.g. 'users:write,groups:read' or '*'")
    .option('--tenant <slug>', 'scope the token to one tenant (default: all tenants)')
    .option('--expires-in-days <n>', 'expire after this many days', (v) => Number.parseInt(v, 10))
    .action(
      async (
        opts: { name: string; abilities: string; tenant?: string; expiresInDays?: number },
        cmd: Command,
      ) => {
        const abilities = normaliseAbilities(
          opts.abilities
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean),
        );
        if (opts.expiresInDays !== undefined && !(opts.expiresInDays >= 1 && opts.expiresInDays <= 3650)) {
          throw new AppError('validation_failed', { detail: '--expires-in-days must be between 1 and 3650' });
        }
        await withServices(cmd, async (s) => {
          const tenantId = opts.tenant ? (await s.tenants.resolve(opts.tenant)).id : null;
          const { secret, credential } = await s.credentials.issue(
            {
              kind: 'adm',
              tenantId,
              ownerType: 'system',
              name: opts.name,
              abilities,
              expiresAt: opts.expiresInDays ? Date.now() + opts.expiresInDays * 86_400_000 : null,
            },
            ctx,
          );
          process.stderr.write(
            `token ${credential.id} (${credential.tenant ?? 'all tenants'}; ${abilities.join(',')}) — shown once:\n`,
          );
          out(secret);
        });
      },
    );

  token
    .command('list')
    .description('list admin API tokens (never their secrets)')
    .option('--tenant <slug>', 'tokens of one tenant (default: all-tenant tokens)')
    .option('--json', 'print JSON')
    .action(async (opts: { tenant?: string; json?: boolean }, cmd: Command) => {
      await withServices(cmd, async (s) => {
        const tenantId = opts.tenant ? (await s.tenants.resolve(opts.tenant)).id : null;
        const items = [];
        let cursor: string | undefined;
        do {
          const page = await s.credentials.list(
            tenantId,
            ['adm'],
            toListOptions({ limit: 200, cursor }, 'createdAt'),
          );
          items.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        // without --tenant only all-tenant tokens are listed: say what that leaves out
        const hidden = tenantId === null ? await s.credentials.countByTenant('adm') : [];
        const total = hidden.reduce((n, h) => n + h.count, 0);
        const note =
          total > 0
            ? `${total} tenant-scoped token${total === 1 ? '' : 's'} not shown (${hidden.map((h) => `${h.tenant}: ${h.count}`).join(', ')}); list them with --tenant <slug>`
            : null;
        if (opts.json) {
          out(JSON.stringify(items, null, 2));
          if (note) process.stderr.write(`${note}\n`); // stdout stays one JSON document
          return;
        }
        for (const c of items) {
          out(
            `${c.id}  ${c.prefix}…  ${c.name}  [${c.abilities.join(',')}]${c.revokedAt ? '  revoked' : ''}`,
          );
        }
        if (items.length === 0)
          out(opts.tenant ? `no admin tokens scoped to ${opts.tenant}` : 'no all-tenant admin tokens');
        if (note) out(note);
      });
    });

  token
    .command('revoke')
    .description('revoke an admin API token (every instance refuses it within a second)')
    .argument('<id>', 'token id')
    .option('--tenant <slug>', 'the tenant the token belongs to')
    .action(async (id: string, opts: { tenant?: string }, cmd: Command) => {
      await withServices(cmd, async (s) => {
        const tenantId = opts.tenant ? (await s.tenants.resolve(opts.tenant)).id : null;
        await s.credentials.revoke(id, tenantId, ctx);
        out(`token ${id} revoked`);
      });
    });
}
