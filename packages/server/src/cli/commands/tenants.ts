/** `gatekeeper tenants list|create|show|suspend|activate|delete`: tenant management through the tenants service. */
import type { Command } from 'commander';
import { toListOptions } from '../../http/pagination.ts';
import { createServices, type Services } from '../../services.ts';
import { cliContext, out, withRuntime } from '../context.ts';

/** Runs `fn` with the capability services started over a CLI runtime. */
export async function withServices<T>(cmd: Command, fn: (s: Services) => Promise<T>): Promise<T> {
  return withRuntime(cmd, async (rt) => {
    const services = createServices(rt);
    await services.start();
    try {
      return await fn(services);
    } finally {
      await services.stop();
    }
  });
}

export function registerTenants(program: Command): void {
  const tenants = program.command('tenants').description('manage tenants');
  const ctx = cliContext();

  tenants
    .command('list')
    .description('list tenants (paged)')
    .option('--status <status>', 'active or suspended')
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 100)
    .option('--json', 'print JSON')
    .action(
      async (opts: { status?: 'active' | 'suspended'; limit: number; json?: boolean }, cmd: Command) => {
        await withServices(cmd, async (s) => {
          const page = await s.tenants.list(
            toListOptions({ limit: Math.min(Math.max(opts.limit, 1), 200) }, 'slug'),
            {
              status: opts.status,
            },
          );
          if (opts.json) return out(JSON.stringify(page, null, 2));
          for (const t of page.items) out(`${t.slug.padEnd(24)} ${t.status.padEnd(9)} ${t.displayName}`);
          if (page.nextCursor) out('… more (use the admin API to page through all)');
        });
      },
    );

  tenants
    .command('create')
    .description('create a tenant')
    .requiredOption('--slug <slug>', 'URL-safe identifier (issuer /t/<slug>)')
    .requiredOption('--name <name>', 'display name')
    .option('--domain <domain...>', 'custom domains')
    .action(async (opts: { slug: string; name: string; domain?: string[] }, cmd: Command) => {
      await withServices(cmd, async (s) => {
        const t = await s.tenants.create(
          { slug: opts.slug, displayName: opts.name, domains: opts.domain ?? [] },
          ctx,
        );
        out(`created tenant ${t.slug} (issuer ${t.issuer})`);
      });
    });

  tenants
    .command('show')
    .description('show one tenant')
    .argument('<slug>')
    .action(async (slug: string, _o, cmd: Command) => {
      await withServices(cmd, async (s) => out(JSON.stringify(await s.tenants.get(slug), null, 2)));
    });

  for (const [name, status] of [
    ['suspend', 'suspended'],
    ['activate', 'active'],
  ] as const) {
    tenants
      .command(name)
      .description(`${name} a tenant (suspension blocks its sign-ins and token use)`)
      .argument('<slug>')
      .action(async (slug: string, _o, cmd: Command) => {
        await withServices(cmd, async (s) => {
          await s.tenants.update(slug, { status }, undefined, ctx);
          out(`tenant ${slug} is ${status}`);
        });
      });
  }

  tenants
    .command('delete')
    .description('delete a tenant and everything it owns')
    .argument('<slug>')
    .requiredOption('--yes', 'confirm the deletion')
    .action(async (slug: string, _o, cmd: Command) => {
      await withServices(cmd, async (s) => {
        await s.tenants.delete(slug, undefined, ctx);
        out(`tenant ${slug} deleted`);
      });
    });
}
