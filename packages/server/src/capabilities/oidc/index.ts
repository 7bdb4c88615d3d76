/**
 * The oidc capability: OAuth 2 / OpenID Connect provider per tenant on oidc-provider (mount.ts),
 * its storage (adapter.ts), signing keys (signing-keys.ts), resource servers and trust links
 * (resources.ts), and the admin API over them (routes.ts).
 */
export { createAccountLookup } from './account.ts';
export { matchProviderUrl, oidcMount } from './mount.ts';
export type { RegistrationPolicy, RegistrationPolicyInput } from './registration.ts';
export { createOidcService, type OidcService, publicPart } from './service.ts';

import type { FastifyPluginAsync } from 'fastify';
import type { EventBus } from '../../events/event-bus.ts';
import { type AccountsService, createPageKit, registerPageContext } from '../accounts/index.ts';
import type { TenantsService } from '../tenants/service.ts';
import type { UsersService } from '../users/index.ts';
import { registerEnrollmentRoute } from './enrollment.ts';
import { interactionPlugin } from './interaction.ts';
import type { OidcService } from './service.ts';

/** The provider's hosted pages under `/t/:slug`: the login interaction and consent. */
export const oidcPagesPlugin: FastifyPluginAsync<{
  oidc: OidcService;
  accounts: AccountsService;
  tenants: TenantsService;
  users: UsersService;
  bus: EventBus;
}> = async (app, deps) => {
  await registerPageContext(app);
  const kit = createPageKit({ ...deps, csrf: deps.accounts.csrf });
  await app.register(interactionPlugin, { oidc: deps.oidc, accounts: deps.accounts, kit });
  registerEnrollmentRoute(app, { enrollment: deps.oidc.enrollment, tenants: deps.tenants, bus: deps.bus });
};

import { registerOidcRoutes } from './routes.ts';

/** The oidc admin routes (signing keys, resource servers, trust links) under `/tenants/:tenant`. */
export const oidcAdminPlugin: FastifyPluginAsync<{ oidc: OidcService }> = async (app, { oidc }) => {
  registerOidcRoutes(app, { oidc });
};
