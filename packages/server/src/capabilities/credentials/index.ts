/**
 * The credentials capability's public surface: the one credential mechanism (ARCHITECTURE.md §6) —
 * prefixed, checksummed secrets stored by digest, with abilities — and the admin token routes
 * (`/tokens` for all-tenant tokens, `/tenants/:tenant/tokens` for a tenant's).
 */
import type { FastifyPluginAsync } from 'fastify';
import { registerCredentialRoutes } from './routes.ts';
import type { CredentialsService } from './service.ts';

export { isAbility, isScope, normaliseAbilities, SCOPE_PATTERN } from './abilities.ts';
export {
  CREDENTIAL_KINDS,
  type CredentialKind,
  type CredentialRefusal,
  type CredentialsDeps,
  type CredentialsService,
  type CredentialView,
  createCredentialsService,
  type IssueInput,
} from './service.ts';
export { type CredentialRow, type CredentialStore, createCredentialStore } from './store.ts';

/** The admin token routes, registered at the admin API root behind the admin guard. */
export const credentialsPlugin: FastifyPluginAsync<{ credentials: CredentialsService }> = async (
  app,
  { credentials },
) => {
  registerCredentialRoutes(app, { credentials });
};
