/**
 * Sign-in links: magic links and password resets (service.ts) and their hosted pages (pages.ts).
 */
export {
  createSignInLinksService,
  type LinkPurpose,
  type SignInLinksService,
} from './service.ts';

import type { FastifyPluginAsync } from 'fastify';
import { type AccountsService, pageContextWithKit } from '../accounts/index.ts';
import type { MfaSignIn } from '../mfa/index.ts';
import type { TenantsService } from '../tenants/service.ts';
import type { UsersService } from '../users/index.ts';
import { registerSignInLinkRoutes } from './routes.ts';
import type { SignInLinksService } from './service.ts';

export interface SignInLinksPluginDeps {
  links: SignInLinksService;
  accounts: AccountsService;
  tenants: TenantsService;
  users: UsersService;
  mfaSignIn: MfaSignIn;
  ttlMinutes(purpose: 'magic' | 'reset'): number;
}

/** The magic-link and password-reset pages, registered under `/t/:slug`. */
export const signInLinksPlugin: FastifyPluginAsync<SignInLinksPluginDeps> = async (app, deps) => {
  const kit = await pageContextWithKit(app, deps);
  registerSignInLinkRoutes(app, {
    links: deps.links,
    accounts: deps.accounts,
    kit,
    afterFirstFactor: (...args) => deps.mfaSignIn.afterFirstFactor(...args),
    ttlMinutes: deps.ttlMinutes,
  });
};
