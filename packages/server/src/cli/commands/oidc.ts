/**
 * `gatekeeper keys signing list|rotate`, `gatekeeper resources create|list|delete` and
 * `gatekeeper trust create|list|delete`: a tenant's signing keys, resource servers and trust links
 * through the same oidc services the admin API uses (same validation, same audit events; a change
 * reaches every running server within a second through the change feed).
 */
import type { Command } from 'commander';
import { AppError } from '../../errors/app-error.ts';
import { createServices, type Services } from '../../services.ts';
import { cliContext, out, withRuntime } from '../context.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const scopesOf = (values: string[] | undefined) => values?.flatMap((s) => s.split(/[\s,]+/).filter(Boolean));

function withTenant<T>(cmd: Command, slug: string, fn: (s: Services, tenantId: string) => Promise<T>) {
  return withRuntime(cmd, async (rt) => {
    const services = createServices(rt);
    const { id } = await services.tenants.resolve(slug);
    return fn(services, id);
  });
}

export function registerSigningKeys(keys: Command): void {
  const signing = keys.command('signing').description("a tenant's token signing keys");
  signing
    .command('list')
    .description('list published keys: pending (published, not signing yet), signing, retired')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (opts: { tenant: string; json?: boolean }, cmd: Command) => {
      await withTenant(cmd, opts.tenant, async (s, tenantId) => {
        const list = await s.oidc.keys.list(tenantId);
        if (opts.json) return out(JSON.stringify(list, null, 2));
        for (const k of list)
          out(
            `${k.kid}  ${k.alg.padEnd(5)}  ${k.state.padEnd(7)}  signs from ${k.activatesAt}${k.expiresAt ? `  until ${k.expiresAt}` : ''}`,
          );
      });
    });
  signing
    .command('rotate')
    .description('publish a new key now; it signs after the lead time (oidcKeyPublishLeadSeconds)')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--alg <alg>', "RS256, ES256 or EdDSA (default: the current key's)")
    .option('--json', 'print JSON')
    .action(async (opts: { tenant: string; alg?: string; json?: boolean }, cmd: Command) => {
      if (opts.alg !== undefined && !['RS256', 'ES256', 'EdDSA'].includes(opts.alg))
        throw new AppError('validation_failed', { detail: '--alg: RS256, ES256 or EdDSA' });
      await withTenant(cmd, opts.tenant, async (s, tenantId) => {
        const key = await s.oidc.keys.rotate(
          tenantId,
          opts.alg ? { alg: opts.alg as 'RS256' } : {},
          cliContext(),
        );
        if (opts.json) return out(JSON.stringify(key, null, 2));
        out(`new ${key.alg} key ${key.kid} published; signs from ${key.activatesAt}`);
      });
    });
}

export function registerResources(program: Command): void {
  const resources = program.command('resources').description("a tenant's resource servers (APIs)");
  resources
    .command('create')
    .description('register a resource server (audience, scopes, token format)')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--identifier <uri>', 'the audience: an absolute URI, e.g. https://api.example.com/')
    .option('--name <name>', 'display name')
    .option('--scope <scope>', 'a scope it offers (repeatable, or space-separated)', collect)
    .option('--format <format>', 'access token format: jwt (RFC 9068) or opaque (default: jwt)')
    .option('--access-token-ttl <seconds>', 'access token lifetime for this API')
    .option('--json', 'print JSON')
    .action(
      async (
        opts: {
          tenant: string;
          identifier: string;
          name?: string;
          scope?: string[];
          format?: string;
          accessTokenTtl?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        if (opts.format !== undefined && opts.format !== 'jwt' && opts.format !== 'opaque')
          throw new AppError('validation_failed', { detail: '--format: jwt or opaque' });
        const ttl = opts.accessTokenTtl === undefined ? undefined : Number(opts.accessTokenTtl);
        await withTenant(cmd, opts.tenant, async (s, tenantId) => {
          const rs = await s.oidc.resources.createResource(
            tenantId,
            {
              identifier: opts.identifier,
              ...(opts.name ? { name: opts.name } : {}),
              ...(opts.scope ? { scopes: scopesOf(opts.scope) } : {}),
              ...(opts.format ? { tokenFormat: opts.format as 'jwt' } : {}),
              ...(ttl !== undefined ? { accessTokenTtl: ttl } : {}),
            },
            cliContext(),
          );
          if (opts.json) return out(JSON.stringify(rs, null, 2));
          out(`${rs.identifier}  ${rs.tokenFormat}  ${rs.scopes.join(' ') || '-'}  (id ${rs.id})`);
        });
      },
    );
  resources
    .command('list')
    .description("list a tenant's resource servers")
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (opts: { tenant: string; json?: boolean }, cmd: Command) => {
      await withTenant(cmd, opts.tenant, async (s, tenantId) => {
        const list = await s.oidc.resources.listResources(tenantId);
        if (opts.json) return out(JSON.stringify(list, null, 2));
        for (const rs of list) out(`${rs.identifier}  ${rs.tokenFormat}  ${rs.scopes.join(' ') || '-'}`);
        if (list.length === 0) out('no resource servers');
      });
    });
  resources
    .command('delete')
    .description('delete a resource server and its trust links')
    .argument('<resource>', 'id or identifier')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .action(async (ref: string, opts: { tenant: string }, cmd: Command) => {
      await withTenant(cmd, opts.tenant, async (s, tenantId) => {
        await s.oidc.resources.deleteResource(tenantId, ref, cliContext());
        out(`deleted ${ref} and its trust links`);
      });
    });
}

export function registerTrust(program: Command): void {
  const trust = program
    .command('trust')
    .description('trust links: which client may call which resource server');
  trust
    .command('create')
    .description('trust a client to get tokens for a resource server')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--client <client>', 'the calling client: id, client_id or name')
    .requiredOption('--resource <resource>', 'the resource server: id or identifier')
    .option('--scope <scope>', 'an allowed scope, repeatable (default: every scope of the resource)', collect)
    .option('--delegation', 'may act on behalf of users (token exchange, jwt-bearer)')
    .option('--json', 'print JSON')
    .action(
      async (
        opts: {
          tenant: string;
          client: string;
          resource: string;
          scope?: string[];
          delegation?: boolean;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        await withTenant(cmd, opts.tenant, async (s, tenantId) => {
          const { createdAtMs: _ms, ...link } = await s.oidc.resources.createTrust(
            tenantId,
            {
              client: opts.client,
              resourceServer: opts.resource,
              ...(opts.scope ? { scopes: scopesOf(opts.scope) } : {}),
              delegation: opts.delegation === true,
            },
            cliContext(),
          );
          if (opts.json) return out(JSON.stringify(link, null, 2));
          out(
            `${link.id}  ${opts.client} → ${link.audience}  ${link.scopes.join(' ') || '-'}${link.delegation ? '  delegation' : ''}`,
          );
        });
      },
    );
  trust
    .command('list')
    .description("list a tenant's trust links")
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (opts: { tenant: string; json?: boolean }, cmd: Command) => {
      await withTenant(cmd, opts.tenant, async (s, tenantId) => {
        const list = (await s.oidc.resources.listTrust(tenantId)).map(({ createdAtMs: _ms, ...l }) => l);
        if (opts.json) return out(JSON.stringify(list, null, 2));
        for (const l of list)
          out(
            `${l.id}  client ${l.client} → ${l.audience}  ${l.scopes.join(' ') || '-'}${l.delegation ? '  delegation' : ''}`,
          );
        if (list.length === 0) out('no trust links');
      });
    });
  trust
    .command('delete')
    .description('delete a trust link: its tokens stop working on every server')
    .argument('<id>', 'trust link id')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .action(async (id: string, opts: { tenant: string }, cmd: Command) => {
      await withTenant(cmd, opts.tenant, async (s, tenantId) => {
        await s.oidc.resources.deleteTrust(tenantId, id, cliContext());
        out(`deleted trust link ${id}; its tokens stop working on every server within a second`);
      });
    });
}
