/**
 * The one recursive query over nested groups (`group_groups`, parent_id → child_id), shared by the
 * groups capability (a user's transitive groups; cycle refusal) and the roles capability (effective
 * access), so the walk is written — and bounded — once. `WITH RECURSIVE … UNION` runs on both
 * dialects and terminates even on a cycle (UNION drops rows already seen). Every step stays inside
 * the tenant.
 */
import { type RawBuilder, sql } from 'kysely';

export type NestingStart =
  /** The groups a user belongs to, directly or through any depth of nesting (upwards). */
  | { groupsOfUser: string }
  /** The groups nested in a group, at any depth (downwards), not the group itself. */
  | { nestedIn: string };

/**
 * `with recursive <name>(id) as (…)`: prefix a query with it and read `<name>` as a table of group
 * ids.
 *
 * @example
 * sql`${withNestedGroups(tenantId, { groupsOfUser: userId })} select id from nested`
 */
export function withNestedGroups(
  tenantId: string,
  start: NestingStart,
  name = 'nested',
): RawBuilder<unknown> {
  const table = sql.id(name);
  if ('groupsOfUser' in start) {
    return sql`with recursive ${table}(id) as (
      select group_id from group_users where tenant_id = ${tenantId} and user_id = ${start.groupsOfUser}
      union
      select gg.parent_id from group_groups gg join ${table} n on gg.child_id = n.id
      where gg.tenant_id = ${tenantId}
    )`;
  }
  return sql`with recursive ${table}(id) as (
    select child_id from group_groups where tenant_id = ${tenantId} and parent_id = ${start.nestedIn}
    union
    select gg.child_id from group_groups gg join ${table} n on gg.parent_id = n.id
    where gg.tenant_id = ${tenantId}
  )`;
}
