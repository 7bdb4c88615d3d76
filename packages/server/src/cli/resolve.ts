/**
 * How CLI arguments name users and groups: by id, or by name (a user by username or email, any case;
 * a group by name, any case). A name that matches nothing is a user mistake that says which of the
 * two was not found (`no user "bob" in tenant acme`), so `groups add-member sre --user bob` tells
 * the operator whether the group or the user is missing.
 */
import type { GroupView } from '../capabilities/groups/index.ts';
import type { UsersService, UserView } from '../capabilities/users/index.ts';
import { AppError } from '../errors/app-error.ts';
import { isId } from '../storage/ids.ts';

const shown = (name: string) => JSON.stringify(name.slice(0, 80));
const inTenant = (slug: string | undefined) => (slug ? ` in tenant ${slug}` : ' in this tenant');

function isNotFound(err: unknown): boolean {
  return err instanceof AppError && err.code === 'not_found';
}

/** The user named by id, username or email. */
export async function resolveUser(
  users: Pick<UsersService, 'get' | 'findByLogin'>,
  tenantId: string,
  name: string,
  slug?: string,
): Promise<UserView> {
  const user = isId(name)
    ? await users.get(tenantId, name).catch((err: unknown) => {
        if (isNotFound(err)) return null;
        throw err;
      })
    : await users.findByLogin(tenantId, name);
  if (!user) throw new AppError('not_found', { detail: `no user ${shown(name)}${inTenant(slug)}` });
  return user;
}

/** The group named by id or name. */
export async function resolveGroup(
  groups: { resolve(tenantId: string, idOrName: string): Promise<GroupView> },
  tenantId: string,
  name: string,
  slug?: string,
): Promise<GroupView> {
  try {
    return await groups.resolve(tenantId, name);
  } catch (err) {
    if (isNotFound(err))
      throw new AppError('not_found', { detail: `no group ${shown(name)}${inTenant(slug)}` });
    throw err;
  }
}
