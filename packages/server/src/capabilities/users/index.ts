/**
 * The users capability: tenant-scoped users (case-insensitive unique username and email, profile,
 * status, Argon2id password), their external identities and per-application properties, the admin
 * API routes under `/tenants/:tenant/users`, and CSV import / export. This file is its public face:
 * other capabilities, the CLI and `app.ts` import from here, never from the files behind it.
 *
 * @example
 * const users = createUsersService({ database, passwords, bus, slugOf: (id) => tenants.slugOf(id) });
 * await app.register(async (admin) => registerUserRoutes(admin, { users }), { prefix: '/api/v1' });
 */
import type { FastifyPluginAsync } from 'fastify';
import { type ImportRoutesDeps, registerImportRoutes } from './import-routes.ts';
import { registerUserRoutes, type UserRoutesDeps } from './routes.ts';

export { exportUsers, USER_EXPORT_COLUMNS, type UserExportRow } from './export.ts';
export {
  countDataLines,
  type ImportFailure,
  type ImportFormat,
  type ImportOptions,
  type ImportResult,
  importUsers,
} from './import.ts';
export { ImportReportSchema, type ImportRoutesDeps } from './import-routes.ts';
export { type ImportGroups, type RunImportOptions, runUserImport } from './import-run.ts';
export { createLinksStore, type LinksStore } from './links-store.ts';
export { registerUserRoutes, type UserRoutesDeps } from './routes.ts';
export {
  checkPassword,
  DEFAULT_PASSWORD_POLICY,
  emailProblem,
  foldCase,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  type PasswordPolicy,
  passwordProblem,
} from './rules.ts';
export {
  type CreateUserInput,
  type IdentityView,
  type LinkIdentityInput,
  type PropertyView,
  type UpdateUserInput,
  USER_SORTS,
  UserSchema,
  type UserSort,
  type UserStatus,
  type UserView,
} from './schemas.ts';
export {
  type BatchOutcome,
  createUsersService,
  type ImportSummary,
  type ListUsersOptions,
  type LoginVerdict,
  type PasswordRules,
  type UsersDeps,
  type UsersService,
} from './service.ts';
export { createUsersStore, type UserFilters, type UsersStore } from './store.ts';

/**
 * The users admin routes, registered under `/tenants/:tenant` behind the admin guard; with
 * `importBodyLimit`, also the bulk import (`POST /users/import`).
 */
export const usersPlugin: FastifyPluginAsync<
  UserRoutesDeps & Partial<Omit<ImportRoutesDeps, 'users'>>
> = async (app, deps) => {
  registerUserRoutes(app, deps);
  if (deps.importBodyLimit) {
    await registerImportRoutes(app, {
      users: deps.users,
      importBodyLimit: deps.importBodyLimit,
      ...(deps.groups ? { groups: deps.groups } : {}),
      ...(deps.refreshStatistics ? { refreshStatistics: deps.refreshStatistics } : {}),
    });
  }
};
