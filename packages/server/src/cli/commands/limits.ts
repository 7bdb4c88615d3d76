/**
 * `gatekeeper limits set|list|delete`: gateway rate limits — per client (`--client`), per token
 * (`--token`) or per caller of any kind (`--any`), on one route (`--route`) or all — as a rolling
 * quota and/or a burst: `--quota 1000/24h --burst 10/1s`.
 */
import type { Command } from 'commander';
import type { LimitView } from '../../capabilities/gateway/index.ts';
import { parseRate } from '../../capabilities/gateway/index.ts';
import { AppError } from '../../errors/app-error.ts';
import { out } from '../context.ts';
import { confirm, orAsk } from '../prompt.ts';
import { inTenant } from './routes.ts';

const ctx = { actor: 'cli' };
const show = (l: LimitView) =>
  `${l.id}  ${l.subjectType}${l.subject ? ` ${l.subject}` : ''}  route ${l.routeId ?? '*'}  ${l.quota ? `quota ${l.quota}/${l.quotaWindowSeconds}s` : ''} ${l.burst ? `burst ${l.burst}/${l.burstWindowSeconds}s` : ''}`.trim();

export function registerLimits(program: Command): void {
  const limits = program.command('limits').description('gateway rate limits per client, token or caller');
  limits
    .command('set')
    .description('set (or replace) a limit')
    .option('--tenant <slug>', 'tenant slug')
    .option('--client <client>', 'for this client (id, client_id or name)')
    .option('--token <id>', 'for this API token')
    .option('--any', 'for every caller, each counted on its own (anonymous callers by address)')
    .option('--route <id>', 'only on this route (default: every route)')
    .option('--quota <rate>', 'requests per window, e.g. 1000/24h')
    .option('--burst <rate>', 'requests per short window, e.g. 10/1s')
    .option('--json', 'print JSON')
    .action(
      async (
        o: {
          tenant?: string;
          client?: string;
          token?: string;
          any?: boolean;
          route?: string;
          quota?: string;
          burst?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const subjects = [o.client, o.token, o.any].filter(Boolean).length;
        if (subjects !== 1)
          throw new AppError('validation_failed', { detail: 'give one of --client, --token, --any' });
        if (!o.quota && !o.burst)
          throw new AppError('validation_failed', { detail: 'give --quota and/or --burst' });
        const quota = o.quota ? parseRate(o.quota, 86_400) : null;
        const burst = o.burst ? parseRate(o.burst, 1) : null;
        await inTenant(cmd, o.tenant, async (s, tenantId) => {
          const l = await s.gateway.config.setLimit(
            tenantId,
            {
              subjectType: o.client ? 'client' : o.token ? 'token' : 'any',
              subject: o.client ?? o.token ?? '',
              routeId: o.route ?? null,
              quota: quota?.count ?? null,
              quotaWindowSeconds: quota?.windowSeconds ?? null,
              burst: burst?.count ?? null,
              burstWindowSeconds: burst?.windowSeconds ?? null,
            },
            ctx,
          );
          out(o.json ? JSON.stringify(l, null, 2) : `limit ${show(l)}`);
        });
      },
    );
  limits
    .command('list')
    .description("list a tenant's limits")
    .option('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; json?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const all = await s.gateway.config.listLimits(tenantId);
        if (o.json) return out(JSON.stringify(all, null, 2));
        for (const l of all) out(show(l));
        if (all.length === 0) out('no limits');
      });
    });
  limits
    .command('delete')
    .description('delete a limit (asks for confirmation)')
    .argument('[limit]', 'limit id')
    .option('--tenant <slug>', 'tenant slug')
    .option('--yes', 'do not ask for confirmation')
    .action(async (id: string | undefined, o: { tenant?: string; yes?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const limitId = await orAsk(id, '<limit>', 'Limit id');
        await confirm(o.yes, `delete limit ${limitId}`);
        await s.gateway.config.deleteLimit(tenantId, limitId, ctx);
        out(`deleted limit ${limitId}`);
      });
    });
}
