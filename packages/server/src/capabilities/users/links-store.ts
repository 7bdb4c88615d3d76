/**
 * What hangs off a user: external identities (links to a SCIM, LDAP or federated account, unique per
 * tenant + provider + subject) and per-application properties (app, key → value). Every statement
 * filters by `tenant_id`; a write first checks that the user belongs to the tenant, so another
 * tenant's user id can never gain a row here, and the foreign key turns a concurrent user deletion
 * into `not_found` rather than an orphan.
 */
import { AppError } from '../../errors/app-error.ts';
import type { Database } from '../../storage/database.ts';
import type { UserAppPropertiesTable, UserIdentitiesTable } from '../../storage/tables.ts';
import { LIMITS } from './schemas.ts';

export interface LinksStore {
  /** True when the user exists in this tenant. */
  userExists(tenantId: string, userId: string): Promise<boolean>;
  /** Inserts the link; false when the user is not in the tenant; `conflict` when already linked. */
  insertIdentity(row: UserIdentitiesTable): Promise<boolean>;
  deleteIdentity(tenantId: string, userId: string, provider: string, subject: string): Promise<boolean>;
  listIdentities(tenantId: string, userId: string): Promise<UserIdentitiesTable[]>;
  userIdByIdentity(tenantId: string, provider: string, subject: string): Promise<string | undefined>;
  /** Inserts or replaces the property; false when the user is not in the tenant. */
  upsertProperty(row: UserAppPropertiesTable): Promise<boolean>;
  deleteProperty(tenantId: string, userId: string, app: string, key: string): Promise<boolean>;
  listProperties(
    tenantId: string,
    userId: string,
    app: string | undefined,
  ): Promise<UserAppPropertiesTable[]>;
}

export function createLinksStore(database: Database): LinksStore {
  const { db, dialect } = database;

  async function userInTenant(tenantId: string, userId: string): Promise<boolean> {
    const row = await db
      .selectFrom('users')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A foreign-key violation means the user vanished between the check and the write. */
  function vanished(err: unknown): false {
    if (dialect.isForeignKeyViolation(err)) return false;
    throw err;
  }

  return {
    userExists: userInTenant,

    async insertIdentity(row) {
      if (!(await userInTenant(row.tenant_id, row.user_id))) return false;
      try {
        await db.insertInto('user_identities').values(row).execute();
        return true;
      } catch (err) {
        if (dialect.isUniqueViolation(err)) {
          throw new AppError('conflict', {
            detail: `an account with this subject at ${row.provider} is already linked to a user`,
          });
        }
        return vanished(err);
      }
    },

    async deleteIdentity(tenantId, userId, provider, subject) {
      const r = await db
        .deleteFrom('user_identities')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('provider', '=', provider)
        .where('subject', '=', subject)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    listIdentities: (tenantId, userId) =>
      db
        .selectFrom('user_identities')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .orderBy('provider')
        .orderBy('subject')
        .limit(LIMITS.linksPerList)
        .execute(),

    async userIdByIdentity(tenantId, provider, subject) {
      const row = await db
        .selectFrom('user_identities')
        .select('user_id')
        .where('tenant_id', '=', tenantId)
        .where('provider', '=', provider)
        .where('subject', '=', subject)
        .executeTakeFirst();
      return row?.user_id;
    },

    async upsertProperty(row) {
      if (!(await userInTenant(row.tenant_id, row.user_id))) return false;
      try {
        await db
          .insertInto('user_app_properties')
          .values(row)
          .onConflict((oc) =>
            oc
              .columns(['user_id', 'app', 'key'])
              .doUpdateSet({ value: row.value, updated_at: row.updated_at }),
          )
          .execute();
        return true;
      } catch (err) {
        return vanished(err);
      }
    },

    async deleteProperty(tenantId, userId, app, key) {
      const r = await db
        .deleteFrom('user_app_properties')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('app', '=', app)
        .where('key', '=', key)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async listProperties(tenantId, userId, app) {
      let q = db
        .selectFrom('user_app_properties')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId);
      if (app !== undefined) q = q.where('app', '=', app);
      return q.orderBy('app').orderBy('key').limit(LIMITS.linksPerList).execute();
    },
  };
}
