/**
 * `gatekeeper hmac-secrets create|list|revoke`: a client's HMAC shared secrets for signed requests
 * (at most two live, to rotate: create the new one, switch the signer, revoke the old one). The
 * secret is printed once; it is stored encrypted under the master keys.
 */
import type { Command } from 'commander';
import { AppError } from '../../errors/app-error.ts';
import { out } from '../context.ts';
import { confirm, orAsk } from '../prompt.ts';
import { inTenant } from './routes.ts';

const ctx = { actor: 'cli' };

export function registerHmacSecrets(program: Command): void {
  const hmac = program
    .command('hmac-secrets')
    .description("a client's HMAC secrets for signed requests (two live at most)");
  hmac
    .command('create')
    .description('add a secret to a client and print it once')
    .option('--tenant <slug>', 'tenant slug')
    .option('--client <client>', 'client id, client_id or name')
    .option('--expires-in-days <n>', 'expiry in days; none unless given')
    .option('--json', 'print JSON: {"secret", "hmacSecret": {…}}')
    .action(
      async (
        o: { tenant?: string; client?: string; expiresInDays?: string; json?: boolean },
        cmd: Command,
      ) => {
        const days = o.expiresInDays === undefined ? undefined : Number(o.expiresInDays);
        if (days !== undefined && (!Number.isSafeInteger(days) || days < 1 || days > 3650))
          throw new AppError('validation_failed', { detail: '--expires-in-days: 1 to 3650' });
        await inTenant(cmd, o.tenant, async (s, tenantId) => {
          const client = await s.clients.resolve(tenantId, await orAsk(o.client, '--client', 'Client'));
          const created = await s.gateway.hmacSecrets.create(
            tenantId,
            client.id,
            days ? { expiresInDays: days } : {},
            ctx,
          );
          if (o.json) return out(JSON.stringify({ ...created, clientId: client.clientId }, null, 2));
          out(
            `HMAC secret ${created.hmacSecret.id} of ${client.clientId} (fingerprint ${created.hmacSecret.fingerprint}) — shown once:`,
          );
          out(created.secret);
        });
      },
    );
  hmac
    .command('list')
    .description("list a client's HMAC secrets (fingerprints, never the secret)")
    .option('--tenant <slug>', 'tenant slug')
    .option('--client <client>', 'client id, client_id or name')
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; client?: string; json?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const client = await s.clients.resolve(tenantId, await orAsk(o.client, '--client', 'Client'));
        const all = await s.gateway.hmacSecrets.list(tenantId, client.id);
        if (o.json) return out(JSON.stringify(all, null, 2));
        for (const x of all)
          out(
            `${x.id}  ${x.fingerprint}  ${x.revokedAt ? 'revoked' : x.expiresAt ? `expires ${x.expiresAt}` : 'live'}`,
          );
        if (all.length === 0) out(`${client.clientId} has no HMAC secrets`);
      });
    });
  hmac
    .command('revoke')
    .description('revoke a secret: every instance refuses it within a second (asks for confirmation)')
    .argument('[secret]', 'secret id')
    .option('--tenant <slug>', 'tenant slug')
    .option('--client <client>', 'client id, client_id or name')
    .option('--yes', 'do not ask for confirmation')
    .action(
      async (
        id: string | undefined,
        o: { tenant?: string; client?: string; yes?: boolean },
        cmd: Command,
      ) => {
        await inTenant(cmd, o.tenant, async (s, tenantId) => {
          const client = await s.clients.resolve(tenantId, await orAsk(o.client, '--client', 'Client'));
          const secretId = await orAsk(id, '<secret>', 'Secret id');
          await confirm(o.yes, `revoke HMAC secret ${secretId} of ${client.clientId}`);
          await s.gateway.hmacSecrets.revoke(tenantId, client.id, secretId, ctx);
          out(`revoked HMAC secret ${secretId}`);
        });
      },
    );
}
