/**
 * `gatekeeper routes create|list|show|update|delete` and `gatekeeper permissions grant|list|revoke`:
 * a tenant's gateway routes and who may call them, through the same gateway service the admin API
 * uses. `--auth METHOD=MODE[,MODE…]` is repeatable (`--auth GET=public --auth POST=hmac,api_key`;
 * `ANY` or `*` for every other method). Missing arguments are asked for in a terminal; deletes ask
 * for confirmation (`--yes` skips it).
 */
import type { Command } from 'commander';
import { type PermissionView, parseAuthSpecs, type RouteView } from '../../capabilities/gateway/index.ts';
import { AppError } from '../../errors/app-error.ts';
import { toListOptions } from '../../http/pagination.ts';
import type { Services } from '../../services.ts';
import { out } from '../context.ts';
import { collect, confirm, list, orAsk } from '../prompt.ts';
import { withServices } from './tenants.ts';

const ctx = { actor: 'cli' };

export async function inTenant<T>(
  cmd: Command,
  slug: string | undefined,
  fn: (s: Services, tenantId: string) => Promise<T>,
) {
  const tenant = await orAsk(slug, '--tenant', 'Tenant');
  return withServices(cmd, async (s) => fn(s, (await s.tenants.resolve(tenant)).id));
}

export function describeRoute(r: RouteView): string[] {
  return [
    `route ${r.id}  ${r.host} ${r.path}${r.description ? `  (${r.description})` : ''}`,
    ...Object.entries(r.auth).map(([m, modes]) => `  ${m.padEnd(7)} ${modes.join(' or ')}`),
    ...(r.audience ? [`  audience ${r.audience}`] : []),
  ];
}

async function allRoutes(s: Services, tenantId: string): Promise<RouteView[]> {
  const all: RouteView[] = [];
  let cursor: string | undefined;
  do {
    const page = await s.gateway.config.listRoutes(
      tenantId,
      toListOptions({ limit: 200, cursor }, 'createdAt'),
    );
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

export function registerRoutes(program: Command): void {
  const routes = program
    .command('routes')
    .description("manage a tenant's gateway routes (host + path → auth per method)");
  routes
    .command('create')
    .description('add a route; a route tying with an existing one (same host and path pattern) is refused')
    .option('--tenant <slug>', 'tenant slug')
    .option('--host <pattern>', 'api.example.com, *.example.com or *')
    .option('--path <pattern>', '/exact, /prefix/*, /users/{id}')
    .option(
      '--auth <METHOD=MODES>',
      'auth per method, modes tried in order (repeatable): public, api_key, hmac',
      collect,
    )
    .option('--audience <id>', 'audience of the resource server (jwt)')
    .option('--description <text>', 'what the route is')
    .option('--json', 'print JSON')
    .action(
      async (
        o: {
          tenant?: string;
          host?: string;
          path?: string;
          auth?: string[];
          audience?: string;
          description?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        await inTenant(cmd, o.tenant, async (s, tenantId) => {
          const host = await orAsk(o.host, '--host', 'Host (api.example.com, *.example.com or *)');
          const path = await orAsk(o.path, '--path', 'Path (/exact, /prefix/*, /users/{id})');
          const auth = o.auth?.length
            ? o.auth
            : list(await orAsk(undefined, '--auth', 'Auth per method (e.g. GET=public POST=hmac,api_key)'));
          const r = await s.gateway.config.createRoute(
            tenantId,
            {
              host,
              path,
              auth: parseAuthSpecs(auth),
              audience: o.audience ?? null,
              description: o.description ?? null,
            },
            ctx,
          );
          if (o.json) return out(JSON.stringify(r, null, 2));
          for (const line of describeRoute(r)) out(line);
        });
      },
    );
  routes
    .command('list')
    .description('list routes and what each allows per method')
    .option('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; json?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const all = await allRoutes(s, tenantId);
        if (o.json) return out(JSON.stringify(all, null, 2));
        for (const r of all) for (const line of describeRoute(r)) out(line);
        if (all.length === 0) out('no routes');
      });
    });
  routes
    .command('show')
    .description('show one route with its permissions')
    .argument('[route]', 'route id')
    .option('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, o: { tenant?: string; json?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const r = await s.gateway.config.getRoute(tenantId, await orAsk(id, '<route>', 'Route id'));
        const grants = await s.gateway.config.listPermissions(
          tenantId,
          { routeId: r.id },
          toListOptions({ limit: 200 }, 'createdAt'),
        );
        if (o.json) return out(JSON.stringify({ ...r, permissions: grants.items }, null, 2));
        for (const line of describeRoute(r)) out(line);
        for (const p of grants.items)
          out(
            `  grant ${p.id}: ${p.subjectType} ${p.subject} ${p.methods.join(',')}${p.scopes.length ? ` scopes ${p.scopes.join(' ')}` : ''}`,
          );
      });
    });
  routes
    .command('update')
    .description('change a route (given --auth replaces every method)')
    .argument('[route]', 'route id')
    .option('--tenant <slug>', 'tenant slug')
    .option('--host <pattern>', 'new host pattern')
    .option('--path <pattern>', 'new path pattern')
    .option('--auth <METHOD=MODES>', 'auth per method (repeatable)', collect)
    .option('--audience <id>', 'audience (jwt)')
    .option('--description <text>', 'description')
    .option('--json', 'print JSON')
    .action(
      async (
        id: string | undefined,
        o: {
          tenant?: string;
          host?: string;
          path?: string;
          auth?: string[];
          audience?: string;
          description?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        await inTenant(cmd, o.tenant, async (s, tenantId) => {
          const routeId = await orAsk(id, '<route>', 'Route id');
          const r = await s.gateway.config.updateRoute(
            tenantId,
            routeId,
            {
              ...(o.host ? { host: o.host } : {}),
              ...(o.path ? { path: o.path } : {}),
              ...(o.auth ? { auth: parseAuthSpecs(o.auth) } : {}),
              ...(o.audience !== undefined ? { audience: o.audience } : {}),
              ...(o.description !== undefined ? { description: o.description } : {}),
            },
            undefined,
            ctx,
          );
          if (o.json) return out(JSON.stringify(r, null, 2));
          for (const line of describeRoute(r)) out(line);
        });
      },
    );
  routes
    .command('delete')
    .description('delete a route and its permissions (asks for confirmation)')
    .argument('[route]', 'route id')
    .option('--tenant <slug>', 'tenant slug')
    .option('--yes', 'do not ask for confirmation')
    .action(async (id: string | undefined, o: { tenant?: string; yes?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const r = await s.gateway.config.getRoute(tenantId, await orAsk(id, '<route>', 'Route id'));
        for (const line of describeRoute(r)) out(line);
        await confirm(o.yes, `delete route ${r.host} ${r.path}`);
        await s.gateway.config.deleteRoute(tenantId, r.id, undefined, ctx);
        out(`deleted route ${r.id}`);
      });
    });

  const permissions = program
    .command('permissions')
    .description('grant clients, users and roles methods on gateway routes');
  const show = (p: PermissionView) =>
    `${p.id}  route ${p.routeId}  ${p.subjectType} ${p.subject}  ${p.methods.join(',')}${p.scopes.length ? `  scopes ${p.scopes.join(' ')}` : ''}`;
  permissions
    .command('grant')
    .description(
      'let a client, a user or a role call methods of a route (replaces an earlier grant to the same subject)',
    )
    .option('--tenant <slug>', 'tenant slug')
    .option('--route <id>', 'route id')
    .option('--client <client>', 'client id, client_id or name')
    .option('--user <user>', 'user id, username or email (personal tokens and sessions)')
    .option('--role <name>', 'role name (its users)')
    .option('--methods <list>', 'e.g. GET,POST or *')
    .option('--scopes <list>', 'scopes the caller must hold, e.g. datasets:read')
    .option('--json', 'print JSON')
    .action(
      async (
        o: {
          tenant?: string;
          route?: string;
          client?: string;
          user?: string;
          role?: string;
          methods?: string;
          scopes?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        await inTenant(cmd, o.tenant, async (s, tenantId) => {
          const given = (['client', 'user', 'role'] as const).filter((k) => o[k]);
          if (given.length > 1)
            throw new AppError('validation_failed', { detail: 'give one of --client, --user, --role' });
          const subjectType = given[0] ?? 'client';
          const subject = await orAsk(
            o[subjectType],
            `--client, --user or --role`,
            'Client (id, client_id or name)',
          );
          const routeId = await orAsk(o.route, '--route', 'Route id');
          const methods = list(await orAsk(o.methods, '--methods', 'Methods (e.g. GET,POST)'));
          const p = await s.gateway.config.grant(
            tenantId,
            { routeId, subjectType, subject, methods, scopes: list(o.scopes) },
            ctx,
          );
          out(o.json ? JSON.stringify(p, null, 2) : `granted ${show(p)}`);
        });
      },
    );
  permissions
    .command('list')
    .description('list permissions (of one route with --route)')
    .option('--tenant <slug>', 'tenant slug')
    .option('--route <id>', 'only this route')
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; route?: string; json?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const page = await s.gateway.config.listPermissions(
          tenantId,
          o.route ? { routeId: o.route } : {},
          toListOptions({ limit: 200 }, 'createdAt'),
        );
        if (o.json) return out(JSON.stringify(page.items, null, 2));
        for (const p of page.items) out(show(p));
        if (page.items.length === 0) out('no permissions');
      });
    });
  permissions
    .command('revoke')
    .description('revoke a permission (asks for confirmation)')
    .argument('[permission]', 'permission id')
    .option('--tenant <slug>', 'tenant slug')
    .option('--yes', 'do not ask for confirmation')
    .action(async (id: string | undefined, o: { tenant?: string; yes?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const permissionId = await orAsk(id, '<permission>', 'Permission id');
        await confirm(o.yes, `revoke permission ${permissionId}`);
        await s.gateway.config.revokePermission(tenantId, permissionId, ctx);
        out(`revoked permission ${permissionId}`);
      });
    });
}
