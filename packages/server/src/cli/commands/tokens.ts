/**
 * `gatekeeper tokens create|list|revoke`: a tenant's API tokens for the gateway — personal tokens of a
 * user (`--user`) and service tokens of a client (`--client`) — through the api-tokens service. The
 * secret is printed once (`--json` gives `{"id", "secret", …}`). `--abilities` are the token's scopes.
 */
import type { Command } from 'commander';
import type { ApiTokenOwner, ApiTokenView } from '../../capabilities/api-tokens/index.ts';
import { AppError } from '../../errors/app-error.ts';
import { toListOptions } from '../../http/pagination.ts';
import type { Services } from '../../services.ts';
import { out } from '../context.ts';
import { confirm, list, orAsk } from '../prompt.ts';
import { inTenant } from './routes.ts';

const ctx = { actor: 'cli' };

/** `30d`, `12h` or a date (`2027-01-31`) → days from now (rounded up, at least 1). */
export function expiryDays(text: string | undefined, now = Date.now()): number | undefined {
  if (text === undefined) return undefined;
  const rel = /^(\d{1,4})d$/.exec(text.trim());
  const days = rel ? Number(rel[1]) : Math.ceil((Date.parse(text) - now) / 86_400_000);
  if (!Number.isSafeInteger(days) || days < 1 || days > 3650)
    throw new AppError('validation_failed', {
      detail: '--expires: 1d to 3650d, or a future date (YYYY-MM-DD)',
    });
  return days;
}

async function ownerOf(
  s: Services,
  tenantId: string,
  o: { client?: string; user?: string },
): Promise<ApiTokenOwner | undefined> {
  if (o.client && o.user)
    throw new AppError('validation_failed', { detail: 'give --client or --user, not both' });
  if (o.client) return { type: 'client', id: (await s.clients.resolve(tenantId, o.client)).id };
  if (o.user) {
    const user = await s.users.findByLogin(tenantId, o.user);
    if (!user) throw new AppError('not_found', { detail: `no user "${o.user.slice(0, 80)}" in this tenant` });
    return { type: 'user', id: user.id };
  }
  return undefined;
}

const line = (t: ApiTokenView) =>
  `${t.id}  ${t.prefix}…  ${t.kind} of ${t.ownerType} ${t.ownerId}  ${t.name}  ${t.scopes.join(' ') || '-'}  ${t.revokedAt ? 'revoked' : t.expiresAt ? `expires ${t.expiresAt}` : 'no expiry'}`;

export function registerTokens(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('API tokens for the gateway: personal (of a user) and service (of a client)');
  tokens
    .command('create')
    .description('create a token and print its secret once')
    .option('--tenant <slug>', 'tenant slug')
    .option('--client <client>', 'service token of this client (id, client_id or name)')
    .option('--user <user>', 'personal token of this user (username or email)')
    .option('--name <name>', 'what the token is for')
    .option('--abilities <list>', 'scopes, e.g. datasets:read,reports:*')
    .option('--expires <when>', 'expiry: 30d or a date (YYYY-MM-DD); none unless given')
    .option('--json', 'print JSON: {"id", "secret", …}')
    .action(
      async (
        o: {
          tenant?: string;
          client?: string;
          user?: string;
          name?: string;
          abilities?: string;
          expires?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const days = expiryDays(o.expires);
        await inTenant(cmd, o.tenant, async (s, tenantId) => {
          const owner =
            (await ownerOf(s, tenantId, o)) ??
            (await ownerOf(s, tenantId, {
              user: await orAsk(undefined, '--client or --user', 'User (username or email)'),
            }))!;
          const name = await orAsk(o.name, '--name', 'Token name');
          const { secret, token } = await s.apiTokens.create(
            tenantId,
            { owner, name, scopes: list(o.abilities), ...(days ? { expiresInDays: days } : {}) },
            ctx,
          );
          if (o.json) return out(JSON.stringify({ ...token, secret }, null, 2));
          out(line(token));
          out(`secret: ${secret}   (shown once: store it now)`);
        });
      },
    );
  tokens
    .command('list')
    .description("list a tenant's API tokens (prefixes only), or one owner's")
    .option('--tenant <slug>', 'tenant slug')
    .option('--client <client>', "only this client's")
    .option('--user <user>', "only this user's")
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; client?: string; user?: string; json?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const owner = await ownerOf(s, tenantId, o);
        const page = await s.apiTokens.list(tenantId, toListOptions({ limit: 200 }, 'createdAt'), owner);
        if (o.json) return out(JSON.stringify(page.items, null, 2));
        for (const t of page.items) out(line(t));
        if (page.items.length === 0) out('no API tokens');
      });
    });
  tokens
    .command('revoke')
    .description('revoke a token: every instance refuses it within a second (asks for confirmation)')
    .argument('[token]', 'token id')
    .option('--tenant <slug>', 'tenant slug')
    .option('--yes', 'do not ask for confirmation')
    .action(async (id: string | undefined, o: { tenant?: string; yes?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const t = await s.apiTokens.get(tenantId, await orAsk(id, '<token>', 'Token id'));
        await confirm(o.yes, `revoke ${t.kind} token ${t.name} (${t.prefix}…)`);
        await s.apiTokens.revoke(tenantId, t.id, ctx);
        out(`revoked token ${t.id}`);
      });
    });
}
