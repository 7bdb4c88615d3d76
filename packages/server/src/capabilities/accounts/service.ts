/**
 * The accounts capability's service: sessions, the tenant sign-in settings, lockout, password
 * changes, pending sign-ins, the return-to policy and the password sign-in pipeline, built over the
 * users and tenants services. Other capabilities reach sign-in through this (see index.ts for the
 * surface the MFA and OIDC capabilities use).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantRef } from '../../access/principal.ts';
import { html, type SafeHtml } from './pages/html.ts';
import type { PagePolicy } from './pages/security.ts';
import './errors.ts';
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import type { PasswordHasher } from '../../crypto/password.ts';
import type { EventBus } from '../../events/event-bus.ts';
import type { UserMailer } from '../../mail/user-mailer.ts';
import type { SharedState } from '../../state/state.ts';
import type { Database } from '../../storage/database.ts';
import type { TenantsService } from '../tenants/service.ts';
import type { UsersService } from '../users/index.ts';
import { type CompleteSignInInput, createSignInCompleter, type SignInCompleter } from './complete.ts';
import { createLockout, type LockoutService } from './lockout.ts';
import { createLogosService, type LogosService } from './logo.ts';
import { type Csrf, createCsrf } from './pages/csrf.ts';
import { createPasswordsService, type PasswordsService } from './passwords.ts';
import { createPendingSignIns, type PendingSignIns } from './pending.ts';
import { createReturnToPolicy, type ReturnToCheck, type ReturnToPolicy } from './return-to.ts';
import { createSessionsService, readCookie, type Session, type SessionsService } from './sessions.ts';
import { createSignInSettings, type SignInSettingsService } from './settings.ts';
import { createDeviceMarks, createSignInAlerts, type DeviceMarks } from './sign-in-alert.ts';
import {
  createPasswordSignIn,
  type RequireMfa,
  type SignInAttempt,
  type SignInOutcome,
} from './steps/index.ts';
import { createAccountsStore } from './store.ts';

export interface AccountsService {
  sessions: SessionsService;
  settings: SignInSettingsService;
  lockout: LockoutService;
  /** The tenant's uploaded logo (branding). */
  logos: LogosService;
  passwords: PasswordsService;
  pending: PendingSignIns;
  returnTo: ReturnToPolicy;
  /** The CSRF guard every hosted form uses (tokens bound to the browser, single-use). */
  csrf: Csrf;
  /** The browsers' device marks behind new-sign-in alerts (sign-in-alert.ts). */
  devices: DeviceMarks;
  /** The device-mark cookie a request carries for the tenant (pass it as `device` to `completeSignIn`). */
  deviceOf(slug: string, cookieHeader: string | undefined): string | undefined;
  /** Runs the password sign-in pipeline and audits a refusal (`sign_in.failed`, with the reason). */
  signInWithPassword(attempt: SignInAttempt): Promise<SignInOutcome>;
  /** Finishes a sign-in whose factors all passed (forced password change first, then the session). */
  completeSignIn: SignInCompleter;
  /** Installs the MFA step of the pipeline (the MFA capability calls it once). */
  setRequireMfa(hook: RequireMfa): void;
  /** What other capabilities add to the hosted pages (MFA: account sections, sign-in options). */
  pageExtensions: PageExtensions;
  extendPages(ext: Partial<PageExtensions>): void;
  /** Lets another capability accept more return_to targets (OIDC interactions, gateway hosts). */
  allowReturnTo(check: ReturnToCheck): void;
  /** `/t/<slug>/sign-in?return_to=…` (relative to the public URL). */
  signInUrl(slug: string, returnTo?: string): string;
  /** Whether cookies are `__Host-`/`Secure` (the public URL is https). */
  secureCookies(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Hooks other capabilities fill to add to the hosted pages (the MFA capability: sections, sign-in options). */
export interface PageExtensions {
  /** Extra cards of the account page (MFA, passkeys) for this session, and what they need in <head>. */
  accountSections(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    session: Session,
  ): Promise<{ sections: SafeHtml[]; head?: SafeHtml }>;
  /** Extra sign-in options under the form (links, a passkey button) and what the page then needs. */
  signInExtras(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    returnTo: string,
  ): Promise<{ body: SafeHtml; head?: SafeHtml; policy?: PagePolicy; passkeyAutofill?: boolean } | null>;
}

export interface AccountsDeps {
  database: Database;
  state: SharedState;
  bus: EventBus;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  users: UsersService;
  tenants: TenantsService;
  hasher: PasswordHasher;
  /** MAC keys for CSRF tokens, newest first (derived from the master keys). */
  csrfKeys: () => readonly Buffer[];
  /** MAC keys for the browsers' device marks, newest first (derived from the master keys). */
  deviceKeys: () => readonly Buffer[];
  /** Mail to users (the new-sign-in alert); without it no alert is sent. */
  mailer?: UserMailer;
  publicUrl: () => string;
  rateLimits: () => { perIp: number; perTenant: number };
  onError(err: unknown, what: string): void;
  now?: () => number;
}

export function createAccountsService(deps: AccountsDeps): AccountsService {
  const { database, state, bus, users, tenants } = deps;
  const store = createAccountsStore(database);
  const slugOf = (id: string) => tenants.slugOf(id);
  // asked on every page and session check: the URL is parsed again only when the setting changes
  let parsedUrl = { source: '', secure: false };
  const secureCookies = () => {
    const source = deps.publicUrl();
    if (parsedUrl.source !== source) parsedUrl = { source, secure: new URL(source).protocol === 'https:' };
    return parsedUrl.secure;
  };
  const common = { store, database, bus, ...(deps.now ? { now: deps.now } : {}) };
  const settings = createSignInSettings({
    ...common,
    changes: deps.changes,
    ...(deps.cacheMetrics ? { cacheMetrics: deps.cacheMetrics } : {}),
    slugOf,
  });
  const sessions = createSessionsService({
    ...common,
    changes: deps.changes,
    ...(deps.cacheMetrics ? { cacheMetrics: deps.cacheMetrics } : {}),
    settings,
    slugOf,
    isActive: (tenantId, userId) => users.isActive(tenantId, userId),
    secureCookies,
    onError: deps.onError,
  });
  const lockout = createLockout({ ...common, state, settings });
  const logos = createLogosService({
    ...common,
    changes: deps.changes,
    ...(deps.cacheMetrics ? { cacheMetrics: deps.cacheMetrics } : {}),
    slugOf,
  });
  const passwords = createPasswordsService({ ...common, users, hasher: deps.hasher, settings });
  // every other password set (admin API, CLI, setup, new users) keeps the history and the expiry clock
  users.setPasswordRules(passwords.rules);
  const pending = createPendingSignIns(state, secureCookies);
  const returnTo = createReturnToPolicy(deps.publicUrl);
  const csrf = createCsrf({
    keys: deps.csrfKeys,
    state,
    secureCookies,
    publicOrigin: () => new URL(deps.publicUrl()).origin,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const limits = deps.rateLimits();
  const limiters = {
    perIp: state.createRateLimiter({ name: 'sign-in-ip', points: limits.perIp, durationSec: 60 }),
    perTenant: state.createRateLimiter({ name: 'sign-in-tenant', points: limits.perTenant, durationSec: 60 }),
  };
  let mfa: RequireMfa | undefined;
  const pageExtensions: PageExtensions = {
    accountSections: async () => ({ sections: [] }),
    signInExtras: async () => null,
  };
  const devices = createDeviceMarks({ keys: deps.deviceKeys, secureCookies });
  const alerts = createSignInAlerts({
    settings,
    marks: devices,
    lastSignInAt: async (tenantId, userId) => (await users.get(tenantId, userId)).lastSignInAt,
    ...(deps.mailer ? { mailer: deps.mailer } : {}),
  });
  const completeSignIn = createSignInCompleter({
    sessions,
    passwords,
    pending,
    alerts,
    ...(deps.now ? { now: deps.now } : {}),
    recordSignIn: (input: CompleteSignInInput) => users.recordSignIn(input.tenant.id, input.userId),
  });
  const pipeline = createPasswordSignIn({
    settings,
    limiters,
    users,
    lockout,
    mfa: () => mfa,
    complete: completeSignIn,
  });

  return {
    sessions,
    settings,
    lockout,
    logos,
    passwords,
    pending,
    returnTo,
    csrf,
    devices,
    deviceOf: (slug, cookieHeader) => readCookie(cookieHeader, devices.cookieName(slug)),
    async signInWithPassword(attempt) {
      const outcome = await pipeline(attempt);
      if (outcome.kind === 'refused') {
        bus.emit({
          type: 'sign_in.failed',
          tenant: attempt.tenant.slug,
          actor: `ip:${attempt.ip}`,
          target: attempt.user ? `user:${attempt.user.id}` : null,
          result: 'failure',
          requestId: attempt.requestId,
          data: {
            reason: outcome.reason,
            login: attempt.login.slice(0, 254),
            ip: attempt.ip,
            method: 'password',
          },
        });
      }
      return outcome;
    },
    completeSignIn,
    setRequireMfa(hook) {
      mfa = hook;
    },
    pageExtensions,
    extendPages(ext) {
      const { accountSections, ...rest } = ext;
      Object.assign(pageExtensions, rest);
      if (accountSections) {
        // each capability adds its cards after those added before (MFA, then API tokens)
        const before = pageExtensions.accountSections;
        pageExtensions.accountSections = async (request, reply, tenant, session) => {
          const a = await before(request, reply, tenant, session);
          const b = await accountSections(request, reply, tenant, session);
          const head = a.head && b.head ? html`${a.head}${b.head}` : (a.head ?? b.head);
          return { sections: [...a.sections, ...b.sections], ...(head ? { head } : {}) };
        };
      }
    },
    allowReturnTo: (check) => returnTo.allow(check),
    signInUrl(slug, target) {
      const base = `/t/${slug}/sign-in`;
      return target ? `${base}?return_to=${encodeURIComponent(target)}` : base;
    },
    secureCookies,
    async start() {
      settings.start();
      sessions.start();
      logos.start();
    },
    async stop() {
      logos.stop();
      sessions.stop();
      settings.stop();
    },
  };
}
