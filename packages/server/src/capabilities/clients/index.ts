/**
 * The clients capability's public surface: a tenant's OAuth/OIDC clients and service clients (exact
 * redirect URIs, grants, scopes, authentication method, token lifetimes, rotating secrets stored as
 * digests), the cached `byClientId` lookup hot paths use, and the admin routes under
 * `/tenants/:tenant/clients`.
 */
import type { FastifyPluginAsync } from 'fastify';
import { registerClientRoutes } from './routes.ts';
import type { ClientsService } from './service.ts';

export { clientErrors } from './errors.ts';
export {
  AUTH_METHODS,
  type AuthMethod,
  checkRedirectUri,
  checkRedirectUris,
  checkScopes,
  GRANT_TYPES,
  type GrantType,
} from './rules.ts';
export type {
  ClientSecretView,
  ClientView,
  CreateClientInput,
  UpdateClientInput,
} from './schemas.ts';
export {
  type ClientRecord,
  type ClientsDeps,
  type ClientsService,
  createClientsService,
  toClientView,
} from './service.ts';
export { type ClientRow, type ClientStore, createClientStore } from './store.ts';

/** The clients admin routes, registered under `/tenants/:tenant` behind the admin guard. */
export const clientsPlugin: FastifyPluginAsync<{ clients: ClientsService }> = async (app, { clients }) => {
  registerClientRoutes(app, { clients });
};
