/**
 * The accounts capability: server-side sessions, the tenant sign-in settings (password policy,
 * session lifetimes, lockout, branding), password sign-in as a pipeline of steps, forced and
 * self-service password changes, and the hosted pages under `/t/<slug>/` (sign-in, sign-out,
 * account, change password) with their page shell, escaping `html` template, page-security
 * headers and CSRF guard.
 *
 * What other capabilities use (through `services.accounts`):
 * - `sessions.authenticate(tenantId, cookieHeader) → Session | null` (no SQL in steady state);
 * - `completeSignIn({ tenant, userId, amr, acr?, returnTo, ip, userAgent, requestId })` → outcome,
 *   then `pageKit.sendOutcome(request, reply, tenant, outcome)` sets the cookie and redirects;
 * - `setRequireMfa(hook)` (the MFA step), `pending` (sign-ins waiting for a second factor);
 * - `signInUrl(slug, returnTo)`, `allowReturnTo(check)` (OIDC interactions, gateway hosts);
 * - `pageKit` / `html` / `layout` to render more pages in the same shell.
 */
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import { classify, sendProblem } from '../../http/problem.ts';
import type { TenantsService } from '../tenants/service.ts';
import type { UsersService } from '../users/index.ts';
import { registerAccountAdminRoutes } from './admin-routes.ts';
import { registerLogoAdminRoutes } from './logo-routes.ts';
import { registerAssetRoutes } from './pages/assets.ts';
import { type Brand, layout } from './pages/layout.ts';
import { messagePage } from './pages/message.ts';
import { messages } from './pages/messages.en.ts';
import { pageNonce, registerPageSecurity } from './pages/security.ts';
import { createPageKit, type PageKit, registerPageRoutes } from './routes.ts';
import type { AccountsService } from './service.ts';

export { registerAsset } from './pages/assets.ts';
export { clearCookie, setCookie } from './pages/cookies.ts';
export { type Csrf, createCsrf } from './pages/csrf.ts';
export { readForm } from './pages/form.ts';
export { escapeHtml, html, raw, SafeHtml } from './pages/html.ts';
export { alert, type Brand, layout } from './pages/layout.ts';
export { messagePage } from './pages/message.ts';
export { messages } from './pages/messages.en.ts';
export { type PagePolicy, pageNonce, registerPageSecurity, setPagePolicy } from './pages/security.ts';
export type { PendingSignIn, PendingSignIns } from './pending.ts';
export type { ReturnToCheck } from './return-to.ts';
export { createPageKit, type PageKit, type PageRoutesDeps, type PageSpec } from './routes.ts';
export {
  type AccountsDeps,
  type AccountsService,
  createAccountsService,
  type PageExtensions,
} from './service.ts';
export { ACR_MFA, ACR_PASSWORD, readCookie, type Session, type SessionsService } from './sessions.ts';
export type { RequireMfa, SignInAttempt, SignInOutcome } from './steps/index.ts';

const FORM_BODY_LIMIT = 16_384;
const FALLBACK_BRAND: Brand = { name: messages.productName, logoUrl: null, accent: '#3358d4' };

/**
 * Registers what every hosted-page context needs: the form parser (16 KiB), the page-security
 * headers, and errors rendered as a page for browsers (problem+json for other clients).
 */
export async function registerPageContext(app: FastifyInstance): Promise<void> {
  // forms only: a JSON (or any other) body is 415 here
  app.removeAllContentTypeParsers();
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
  registerPageSecurity(app);
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const problem = classify(err);
    if (problem.status >= 500 && problem.code !== 'service_unavailable')
      request.log.error({ err }, 'page failed');
    else request.log.info({ code: problem.code, status: problem.status }, 'page request refused');
    if (problem.code === 'service_unavailable')
      reply.header('retry-after', String(problem.retryAfterSeconds ?? 1));
    if (!String(request.headers.accept ?? '').includes('text/html'))
      return sendProblem(reply, request, problem);
    const message =
      problem.status === 404
        ? messages.notFoundBody
        : problem.status >= 500
          ? messages.unavailableBody
          : (problem.detail ?? messages.badRequestBody);
    const title = problem.status === 404 ? messages.notFoundTitle : messages.errorTitle;
    return reply
      .code(problem.status)
      .type('text/html; charset=utf-8')
      .send(
        layout({
          title,
          brand: FALLBACK_BRAND,
          nonce: pageNonce(request),
          body: messagePage({ title, message, error: problem.status !== 404 }),
        }),
      );
  });
}

/**
 * The hosted-page context (`registerPageContext`) and a page kit for a capability that adds pages
 * beside the accounts ones (MFA, sign-in links, API tokens).
 */
export async function pageContextWithKit(
  app: FastifyInstance,
  deps: { accounts: AccountsService; tenants: TenantsService; users: UsersService },
): Promise<PageKit> {
  await registerPageContext(app);
  return createPageKit({
    accounts: deps.accounts,
    tenants: deps.tenants,
    users: deps.users,
    csrf: deps.accounts.csrf,
  });
}

export interface AccountsPluginDeps {
  accounts: AccountsService;
  tenants: TenantsService;
  users: UsersService;
}

/** The hosted pages, registered under `/t/:slug`. */
export const accountsPlugin: FastifyPluginAsync<AccountsPluginDeps> = async (app, deps) => {
  await registerPageContext(app);
  const routeDeps = { ...deps, csrf: deps.accounts.csrf };
  registerPageRoutes(app, routeDeps, createPageKit(routeDeps));
};

/** The admin API routes, registered under `/tenants/:tenant` behind the admin guard. */
export const accountsAdminPlugin: FastifyPluginAsync<{
  accounts: AccountsService;
  users: UsersService;
}> = async (app, deps) => {
  registerAccountAdminRoutes(app, deps);
  await registerLogoAdminRoutes(app, deps);
};

/** `GET /assets/:file`: the pages' stylesheet and scripts (content-hashed, immutable). */
export const pageAssetsPlugin: FastifyPluginAsync = async (app) => {
  registerAssetRoutes(app);
};
