/**
 * The API tokens capability's public surface: personal and service tokens for the gateway (scoped,
 * bounded by their owner at use time), their admin routes under `/tenants/:tenant/api-tokens`, and
 * the self-service part of the account page (account.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import { type AccountsService, pageContextWithKit } from '../accounts/index.ts';
import type { TenantsService } from '../tenants/service.ts';
import type { UsersService } from '../users/index.ts';
import { registerAccountTokenRoutes } from './account.ts';
import { registerApiTokenRoutes } from './routes.ts';
import type { ApiTokensService } from './service.ts';

export {
  type ApiTokenOwner,
  type ApiTokensDeps,
  type ApiTokensService,
  type ApiTokenView,
  boundScopes,
  type CreateApiTokenInput,
  createApiTokensService,
  type TokenCaller,
  type TokenRefusal,
} from './service.ts';

/** The API token routes, registered under `/tenants/:tenant/api-tokens` behind the admin guard. */
export const apiTokensPlugin: FastifyPluginAsync<{ apiTokens: ApiTokensService }> = async (
  app,
  { apiTokens },
) => {
  registerApiTokenRoutes(app, { apiTokens });
};

/** A user's own personal tokens on the account page and the account API, under `/t/:slug`. */
export const apiTokensAccountPlugin: FastifyPluginAsync<{
  apiTokens: ApiTokensService;
  accounts: AccountsService;
  tenants: TenantsService;
  users: UsersService;
}> = async (app, deps) => {
  const kit = await pageContextWithKit(app, deps);
  registerAccountTokenRoutes(app, { apiTokens: deps.apiTokens, accounts: deps.accounts, kit });
};
