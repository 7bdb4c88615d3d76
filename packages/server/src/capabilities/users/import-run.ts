/**
 * One bulk import as the CLI and the admin API both run it: `importUsers` wired to the groups
 * capability's service (a row's groups resolved by name, created when asked, the user added to
 * them), planner statistics refreshed after a bulk load, and the summary audit event. Each created
 * user has its own `user.created` event from the users service; `users.imported` sums the run up.
 */
import { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import { type ImportFormat, type ImportResult, importUsers } from './import.ts';
import type { UsersService } from './service.ts';

/** What an import needs of the groups capability. */
export interface ImportGroups {
  getByName(tenantId: string, name: string): Promise<{ id: string }>;
  create(
    tenantId: string,
    input: { name: string; description: null },
    ctx: ActionContext,
  ): Promise<{ id: string }>;
  addUser(tenantId: string, groupId: string, userId: string, ctx: ActionContext): Promise<boolean>;
}

export interface RunImportOptions {
  format: ImportFormat;
  dryRun: boolean;
  /** Create the groups a row names that do not exist yet (otherwise such a row fails). */
  createGroups: boolean;
  ctx: ActionContext;
  groups?: ImportGroups | undefined;
  onProgress?: (linesRead: number) => void;
  /** Refresh planner statistics after rows were written (`database.refreshStatistics`). */
  refreshStatistics?: (tables: readonly string[]) => Promise<void>;
}

const isNotFound = (err: unknown) => err instanceof AppError && err.code === 'not_found';
const isConflict = (err: unknown) => err instanceof AppError && err.code === 'conflict';

/**
 * Runs an import and records it.
 *
 * @example
 * const result = await runUserImport(users, tenantId, createReadStream(file), {
 *   format: 'csv', dryRun: false, createGroups: true, ctx, groups,
 * });
 */
export async function runUserImport(
  users: UsersService,
  tenantId: string,
  input: Readable | AsyncIterable<string | Buffer>,
  options: RunImportOptions,
): Promise<ImportResult> {
  const { groups, ctx } = options;
  const byName = async (t: string, name: string) =>
    groups!.getByName(t, name).then(
      (g) => g.id,
      (err: unknown) => {
        if (isNotFound(err)) return null;
        throw err;
      },
    );
  const result = await importUsers(
    users,
    tenantId,
    input instanceof Readable ? input : Readable.from(input),
    {
      ctx,
      format: options.format,
      dryRun: options.dryRun,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(groups && {
        resolveGroup: byName,
        addToGroup: async (t, groupId, userId) => {
          await groups.addUser(t, groupId, userId, ctx);
        },
        ...(options.createGroups && {
          createGroup: async (t, name) => {
            try {
              return (await groups.create(t, { name, description: null }, ctx)).id;
            } catch (err) {
              // another import created it meanwhile
              if (isConflict(err)) return (await byName(t, name)) ?? Promise.reject(err);
              throw err;
            }
          },
        }),
      }),
    },
  );
  if (!options.dryRun) {
    // a bulk load skews per-tenant row counts: refresh planner statistics now rather than waiting
    // for autovacuum, so list queries keep their index plans
    if (result.imported > 0) await options.refreshStatistics?.(['users', 'group_users']);
    await users.recordImport(
      tenantId,
      {
        format: options.format,
        imported: result.imported,
        failed: result.failed.length,
        total: result.total,
        groupsCreated: result.groupsCreated.length,
      },
      ctx,
    );
  }
  return result;
}
