/**
 * The gateway capability's public surface: routes, permissions, rate limits and HMAC secrets (admin
 * API under `/tenants/:tenant`), and the `/authz` decision (endpoint.ts, registered at the root and
 * under every issuer, in its own context).
 */
import type { FastifyPluginAsync } from 'fastify';
import { type GatewayRouteDeps, registerGatewayRoutes } from './routes.ts';

export { type AuthzHandler, authzPlugin, createAuthzHandler, isAuthzUrl } from './endpoint.ts';
export { explainRequest, parseHeaderLines } from './explain.ts';
export { createHmacSecretsService, type HmacSecretsService, type HmacSecretView } from './hmac-secrets.ts';
export { AUTHZ_STEPS, createDecider, type Decider, parseIdentityHeaders } from './pipeline.ts';
export {
  AUTH_MODES,
  type AuthMode,
  type LimitView,
  type PermissionView,
  type RouteView,
} from './policy/model.ts';
export { DENY_REASONS, type DenyReason } from './reasons.ts';
export { parseAuthSpecs, parseRate } from './rules.ts';
export { createGatewayConfigService, type GatewayConfigService, type SubjectResolver } from './service.ts';
export { createGatewayStore } from './store.ts';

/** The gateway's admin routes, registered under `/tenants/:tenant` behind the admin guard. */
export const gatewayPlugin: FastifyPluginAsync<GatewayRouteDeps> = async (app, deps) => {
  registerGatewayRoutes(app, deps);
};
