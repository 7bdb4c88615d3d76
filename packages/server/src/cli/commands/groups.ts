/**
 * `gatekeeper groups list|create|delete|add-member|remove-member|members`: groups of one tenant
 * through the same groups service the admin API uses (validation, cycle refusal, effective-access
 * invalidation on every instance, audit events with actor `cli:<user>@<host>`). Groups are named by id
 * or by name, users by id, username or email; a name that matches nothing says which was not found.
 */
import type { Command } from 'commander';
import type { GroupsService } from '../../capabilities/groups/index.ts';
import type { RolesService } from '../../capabilities/roles/index.ts';
import type { UsersService } from '../../capabilities/users/index.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import { type Page, toListOptions } from '../../http/pagination.ts';
import type { Runtime } from '../../runtime.ts';
import { cliContext, out, withRuntime } from '../context.ts';
import { resolveGroup, resolveUser } from '../resolve.ts';

export interface GroupCommandServices {
  groups: GroupsService;
  roles: RolesService;
  users: Pick<UsersService, 'get' | 'findByLogin'>;
  tenants: { resolve(slug: string): Promise<{ id: string }> };
  /** Called around the command when present (e.g. cache subscriptions). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

type MakeServices = (rt: Runtime) => GroupCommandServices;

const ctx: ActionContext = cliContext();

/** Every item of a paged listing, page by page. */
async function everything<T>(fetch: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

/** The member named by exactly one of `--user <user>` / `--group <group>`. */
function memberOf(opts: { user?: string; group?: string }): { user: string } | { group: string } {
  if ((opts.user === undefined) === (opts.group === undefined)) {
    throw new AppError('validation_failed', {
      detail: 'name exactly one member: --user <user> or --group <group>',
    });
  }
  return opts.user !== undefined ? { user: opts.user } : { group: opts.group! };
}

export function registerGroups(program: Command, makeServices: MakeServices): void {
  /** Runs `fn` with the services and the id of the `--tenant` slug. */
  function withTenant<T>(
    cmd: Command,
    slug: string,
    fn: (s: GroupCommandServices, tenantId: string) => Promise<T>,
  ): Promise<T> {
    return withRuntime(cmd, async (rt) => {
      const services = makeServices(rt);
      await services.start?.();
      try {
        const { id } = await services.tenants.resolve(slug);
        return await fn(services, id);
      } finally {
        await services.stop?.();
      }
    });
  }

  const groups = program.command('groups').description("manage a tenant's groups and their members");

  groups
    .command('list')
    .description('list every group of a tenant, by name')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (opts: { tenant: string; json?: boolean }, cmd: Command) => {
      await withTenant(cmd, opts.tenant, async (s, tenantId) => {
        const all = await everything((cursor) =>
          s.groups.list(tenantId, toListOptions({ limit: 200, cursor }, 'name'), {}),
        );
        if (opts.json) return out(JSON.stringify(all, null, 2));
        const width = Math.max(4, ...all.map((g) => g.name.length));
        for (const g of all) out(`${g.name.padEnd(width)}  ${g.id}  ${g.description ?? ''}`.trimEnd());
        if (all.length === 0) out('no groups');
      });
    });

  groups
    .command('create')
    .description('create a group (names are unique per tenant, ignoring case)')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--name <name>', 'group name')
    .option('--description <text>', 'free-text description')
    .action(async (opts: { tenant: string; name: string; description?: string }, cmd: Command) => {
      await withTenant(cmd, opts.tenant, async (s, tenantId) => {
        const g = await s.groups.create(
          tenantId,
          { name: opts.name, description: opts.description ?? null },
          ctx,
        );
        out(`created group ${g.name} (${g.id})`);
      });
    });

  groups
    .command('delete')
    .description('delete a group with its memberships and role mappings')
    .argument('<group>', 'group id or name')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .action(async (idOrName: string, opts: { tenant: string }, cmd: Command) => {
      await withTenant(cmd, opts.tenant, async (s, tenantId) => {
        const g = await resolveGroup(s.groups, tenantId, idOrName, opts.tenant);
        await s.groups.delete(tenantId, g.id, g.version, ctx);
        out(`deleted group ${g.name} (${g.id})`);
      });
    });

  groups
    .command('add-member')
    .description('add a user, or nest a group, in a group (refuses cycles)')
    .argument('<group>', 'group id or name')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--user <user>', 'the user (id, username or email) to add')
    .option('--group <child>', 'the group (id or name) to nest')
    .action(
      async (idOrName: string, opts: { tenant: string; user?: string; group?: string }, cmd: Command) => {
        const member = memberOf(opts);
        await withTenant(cmd, opts.tenant, async (s, tenantId) => {
          const g = await resolveGroup(s.groups, tenantId, idOrName, opts.tenant);
          if ('user' in member) {
            const u = await resolveUser(s.users, tenantId, member.user, opts.tenant);
            const added = await s.groups.addUser(tenantId, g.id, u.id, ctx);
            return out(
              added ? `user ${u.username} added to ${g.name}` : `user ${u.username} already in ${g.name}`,
            );
          }
          const child = await resolveGroup(s.groups, tenantId, member.group, opts.tenant);
          const added = await s.groups.addGroup(tenantId, g.id, child.id, ctx);
          out(added ? `group ${child.name} nested in ${g.name}` : `group ${child.name} already in ${g.name}`);
        });
      },
    );

  groups
    .command('remove-member')
    .description('remove a user, or un-nest a group, from a group')
    .argument('<group>', 'group id or name')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--user <user>', 'the user (id, username or email) to remove')
    .option('--group <child>', 'the nested group (id or name) to remove')
    .action(
      async (idOrName: string, opts: { tenant: string; user?: string; group?: string }, cmd: Command) => {
        const member = memberOf(opts);
        await withTenant(cmd, opts.tenant, async (s, tenantId) => {
          const g = await resolveGroup(s.groups, tenantId, idOrName, opts.tenant);
          if ('user' in member) {
            const u = await resolveUser(s.users, tenantId, member.user, opts.tenant);
            await s.groups.removeUser(tenantId, g.id, u.id, ctx);
            return out(`user ${u.username} removed from ${g.name}`);
          }
          const child = await resolveGroup(s.groups, tenantId, member.group, opts.tenant);
          await s.groups.removeGroup(tenantId, g.id, child.id, ctx);
          out(`group ${child.name} removed from ${g.name}`);
        });
      },
    );

  groups
    .command('members')
    .description('list the direct members of a group: users and nested groups')
    .argument('<group>', 'group id or name')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (idOrName: string, opts: { tenant: string; json?: boolean }, cmd: Command) => {
      await withTenant(cmd, opts.tenant, async (s, tenantId) => {
        const g = await resolveGroup(s.groups, tenantId, idOrName, opts.tenant);
        const all = await everything((cursor) =>
          s.groups.listMembers(
            tenantId,
            g.id,
            toListOptions({ limit: 200, cursor, sort: 'name' }, 'addedAt'),
          ),
        );
        if (opts.json) return out(JSON.stringify(all, null, 2));
        for (const m of all) out(`${m.type.padEnd(5)}  ${m.id}  ${m.name}`);
        if (all.length === 0) out(`${g.name} has no members`);
      });
    });
}
