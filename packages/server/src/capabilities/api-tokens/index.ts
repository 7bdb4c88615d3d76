/**
 * The API tokens capability's public surface: personal and service tokens for the gateway (scoped,
 * bounded by their owner at use time) and their admin routes under `/tenants/:tenant/api-tokens`.
 */
import type { FastifyPluginAsync } from 'fastify';
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
