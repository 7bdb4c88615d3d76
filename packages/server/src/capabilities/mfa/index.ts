/**
 * MFA: TOTP with backup codes, passkeys, and who must use them (enforcement with a grace period).
 * Services here; the hosted pages and the admin API register their routes from `pages/` and
 * `routes.ts`.
 */

export {
  createPasskeysService,
  type PasskeySignIn,
  type PasskeysService,
  type PasskeyView,
} from './passkeys.ts';
export {
  createMfaService,
  DEFAULT_GRACE_DAYS,
  type MfaService,
  type MfaSignInStep,
  type MfaStatus,
} from './service.ts';
export { createMfaSignIn, type MfaSignIn } from './sign-in.ts';
export { createMfaStore, type RequirementSubject } from './store.ts';

import type { FastifyPluginAsync } from 'fastify';
import type { RateLimiter } from '../../state/state.ts';
import { type AccountsService, pageContextWithKit } from '../accounts/index.ts';
import type { GroupsService } from '../groups/index.ts';
import type { TenantsService } from '../tenants/service.ts';
import type { UsersService } from '../users/index.ts';
import { registerMfaAdminRoutes } from './admin-routes.ts';
import type { PasskeysService } from './passkeys.ts';
import { registerMfaRoutes } from './routes.ts';
import type { MfaService } from './service.ts';
import type { MfaSignIn } from './sign-in.ts';

export interface MfaPluginDeps {
  mfa: MfaService;
  passkeys: PasskeysService;
  signIn: MfaSignIn;
  accounts: AccountsService;
  tenants: TenantsService;
  users: UsersService;
  ceremonyLimiter: RateLimiter;
}

/** The MFA and passkey pages, registered under `/t/:slug` beside the accounts pages. */
export const mfaPlugin: FastifyPluginAsync<MfaPluginDeps> = async (app, deps) => {
  const kit = await pageContextWithKit(app, deps);
  registerMfaRoutes(app, { ...deps, kit });
};

/** The MFA admin API (`/tenants/{tenant}/users/{userId}/mfa…`, `/tenants/{tenant}/mfa/requirements…`). */
export const mfaAdminPlugin: FastifyPluginAsync<{
  mfa: MfaService;
  passkeys: PasskeysService;
  users: UsersService;
  groups: GroupsService;
}> = async (app, deps) => {
  registerMfaAdminRoutes(app, deps);
};
