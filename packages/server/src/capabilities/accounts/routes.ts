/**
 * The hosted pages of a tenant under `/t/:slug`: `GET/POST /sign-in`, `GET/POST /sign-out`,
 * `GET /account` (profile, password, sessions), `POST /account/sessions/revoke`,
 * `GET/POST /change-password` (from the account page, or forced at sign-in), and
 * `GET /account/api/session` (the current session as JSON). HTTP only: every rule lives in the
 * service. Every form passes the CSRF guard; every response carries the page-security headers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { TenantRef } from '../../access/principal.ts';
import { AppError } from '../../errors/app-error.ts';
import { Obj, Str } from '../../http/schema-kit.ts';
import type { TenantsService } from '../tenants/service.ts';
import type { UsersService } from '../users/index.ts';
import { accountPage } from './pages/account.ts';
import { changePasswordPage } from './pages/change-password.ts';
import { clearCookie, setCookie } from './pages/cookies.ts';
import type { Csrf } from './pages/csrf.ts';
import { readForm } from './pages/form.ts';
import type { SafeHtml } from './pages/html.ts';
import { type Brand, layout } from './pages/layout.ts';
import { messagePage } from './pages/message.ts';
import { messages } from './pages/messages.en.ts';
import { type PagePolicy, pageNonce, setPagePolicy } from './pages/security.ts';
import { signInPage } from './pages/sign-in.ts';
import { PasswordRefused } from './passwords.ts';
import { PENDING_TTL_MS } from './pending.ts';
import { SessionSchema } from './schemas.ts';
import type { AccountsService } from './service.ts';
import { readCookie, type Session, sessionJson } from './sessions.ts';
import { DEVICE_MARK_MAX_AGE_SECONDS } from './sign-in-alert.ts';
import type { SignInOutcome } from './steps/index.ts';

export interface PageRoutesDeps {
  accounts: AccountsService;
  tenants: TenantsService;
  users: UsersService;
  csrf: Csrf;
}

/** What another capability's page needs to render inside the same shell (MFA pages). */
export interface PageKit {
  tenantOf(request: FastifyRequest): Promise<TenantRef>;
  brandOf(tenant: TenantRef): Promise<Brand>;
  send(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    page: PageSpec,
  ): Promise<FastifyReply>;
  /** Sets cookies and redirects for a sign-in outcome (session or pending). */
  sendOutcome(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    outcome: SignInOutcome,
  ): FastifyReply;
}

export interface PageSpec {
  title: string;
  body: SafeHtml;
  status?: number;
  wide?: boolean;
  policy?: PagePolicy;
  head?: SafeHtml;
}

const SlugParams = Obj({ slug: Str({ max: 63 }) });
const NOTICES: Record<string, { kind: 'ok' | 'error'; message: string }> = {
  session_revoked: { kind: 'ok', message: messages.sessionRevoked },
  session_unknown: { kind: 'error', message: messages.sessionUnknown },
  password_changed: { kind: 'ok', message: messages.passwordChanged },
  token_revoked: { kind: 'ok', message: messages.tokenRevoked },
  token_unknown: { kind: 'error', message: messages.tokenUnknown },
};

export function createPageKit(deps: PageRoutesDeps): PageKit {
  const { accounts, tenants } = deps;
  const secure = () => accounts.secureCookies();
  const kit: PageKit = {
    async tenantOf(request) {
      const { slug } = request.params as { slug: string };
      const tenant = await tenants.resolve(slug);
      if (tenant.status !== 'active') throw new AppError('tenant_suspended');
      return tenant;
    },
    async brandOf(tenant) {
      const [{ branding }, uploaded] = await Promise.all([
        accounts.settings.get(tenant.id),
        accounts.logos.info(tenant.id),
      ]);
      const name = branding.displayName ?? (await tenants.get(tenant.slug)).displayName;
      // an uploaded logo (same origin, immutable URL) wins over a logo URL
      const logoUrl = uploaded ? `/t/${tenant.slug}/logo/${uploaded.file}` : branding.logoUrl;
      return { name, logoUrl, accent: branding.accentColor };
    },
    async send(request, reply, tenant, page) {
      const brand = await kit.brandOf(tenant);
      const policy: PagePolicy = {
        ...page.policy,
        imgSrc: [
          ...(page.policy?.imgSrc ?? []),
          ...(brand.logoUrl?.startsWith('https://') ? [brand.logoUrl] : []),
        ],
      };
      setPagePolicy(reply, policy);
      return reply
        .code(page.status ?? 200)
        .type('text/html; charset=utf-8')
        .send(
          layout({
            title: page.title,
            brand,
            nonce: pageNonce(request),
            body: page.body,
            ...(page.wide ? { wide: true } : {}),
            ...(page.head ? { head: page.head } : {}),
          }),
        );
    },
    sendOutcome(_request, reply, tenant, outcome) {
      if (outcome.kind === 'pending') {
        setCookie(reply, accounts.pending.cookieName(tenant.slug), outcome.secret, {
          secure: secure(),
          maxAge: PENDING_TTL_MS / 1000,
        });
        return reply.code(303).header('location', outcome.location).send();
      }
      if (outcome.kind === 'session') {
        setCookie(reply, accounts.sessions.cookieName(tenant.slug), outcome.secret, {
          secure: secure(),
          maxAge: Math.floor((outcome.session.expiresAt - Date.now()) / 1000),
        });
        clearCookie(reply, accounts.pending.cookieName(tenant.slug), secure());
        if (outcome.device)
          setCookie(reply, accounts.devices.cookieName(tenant.slug), outcome.device, {
            secure: secure(),
            maxAge: DEVICE_MARK_MAX_AGE_SECONDS,
          });
        return reply.code(303).header('location', outcome.location).send();
      }
      throw new Error('sendOutcome: a refusal is rendered by its page');
    },
  };
  return kit;
}

export function registerPageRoutes(app: FastifyInstance, deps: PageRoutesDeps, kit: PageKit): void {
  const { accounts, users, csrf } = deps;
  const base = (t: TenantRef) => `/t/${t.slug}`;
  const ctxOf = (request: FastifyRequest, session: Session) => ({
    actor: `user:${session.userId}`,
    requestId: String(request.id),
    tenantSlug: (request.params as { slug: string }).slug,
  });
  const sessionOf = (request: FastifyRequest, tenant: TenantRef) =>
    accounts.sessions.authenticateIn(tenant, request.headers.cookie);
  const ua = (request: FastifyRequest) => String(request.headers['user-agent'] ?? '').slice(0, 512);

  async function renderSignIn(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    v: { returnTo: string; login?: string; error?: string; status?: number },
  ) {
    const brand = await kit.brandOf(tenant);
    const target = v.returnTo;
    const extras = await accounts.pageExtensions.signInExtras(request, reply, tenant, target);
    return kit.send(request, reply, tenant, {
      title: messages.signInTitle,
      status: v.status ?? 200,
      // a return target on another host (gateway) is a redirect after this form's post
      policy: { ...extras?.policy, ...(target.startsWith('/') ? {} : { formAction: [target] }) },
      ...(extras?.head ? { head: extras.head } : {}),
      body: signInPage({
        ...(extras ? { extra: extras.body, passkeyAutofill: extras.passkeyAutofill === true } : {}),
        tenantName: brand.name,
        action: `${base(tenant)}/sign-in`,
        csrf: csrf.token(request, reply, 'sign-in'),
        returnTo: target,
        ...(v.login !== undefined ? { login: v.login } : {}),
        ...(v.error ? { error: v.error } : {}),
      }),
    });
  }

  const csrfMessage = (why: 'origin' | 'token') =>
    why === 'origin' ? messages.crossSite : messages.formExpired;

  // --- sign in -------------------------------------------------------------------------------
  app.get(
    '/sign-in',
    {
      schema: {
        hide: true,
        params: SlugParams,
        querystring: Obj({
          return_to: Type.Optional(Str({ min: 0, max: 2048 })),
          prompt: Type.Optional(Type.Literal('login')),
        }),
      },
    },
    async (request, reply) => {
      const tenant = await kit.tenantOf(request);
      const q = request.query as { return_to?: string; prompt?: string };
      const returnTo = await accounts.returnTo.resolve(tenant, q.return_to);
      if (q.prompt !== 'login' && (await sessionOf(request, tenant)))
        return reply.code(303).header('location', returnTo).send();
      return renderSignIn(request, reply, tenant, { returnTo });
    },
  );

  app.post('/sign-in', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const form = readForm(request.body, {
      csrf: { max: 200 },
      return_to: { max: 2048, optional: true },
      login: { max: 254, label: messages.loginLabel },
      password: { max: 1024, label: messages.passwordLabel },
    });
    const returnTo = await accounts.returnTo.resolve(
      tenant,
      (form.ok ? form.values : form.partial).return_to,
    );
    if (!form.ok)
      return renderSignIn(request, reply, tenant, {
        returnTo,
        login: form.partial.login ?? '',
        error: form.message,
        status: 400,
      });
    const { values } = form;
    const bad = await csrf.verify(request, 'sign-in', values.csrf);
    if (bad)
      return renderSignIn(request, reply, tenant, {
        returnTo,
        login: values.login,
        error: csrfMessage(bad),
        status: 403,
      });
    const outcome = await accounts.signInWithPassword({
      tenant,
      login: values.login,
      password: values.password,
      ip: request.ip,
      userAgent: ua(request),
      requestId: String(request.id),
      device: accounts.deviceOf(tenant.slug, request.headers.cookie),
      returnTo,
      user: null,
      passwordOk: false,
      amr: [],
    });
    if (outcome.kind === 'refused')
      return renderSignIn(request, reply, tenant, {
        returnTo,
        login: values.login,
        error: outcome.message,
        status: outcome.status,
      });
    // signing in again in a browser that had a session (prompt=login): the new one replaces it
    const previous = outcome.kind === 'session' ? await sessionOf(request, tenant) : null;
    if (previous && outcome.kind === 'session' && previous.id !== outcome.session.id)
      await accounts.sessions
        .revoke(tenant.id, previous.id, {
          ...ctxOf(request, previous),
          reason: 'replaced',
          userId: previous.userId,
        })
        .catch((err: unknown) => {
          if (!(err instanceof AppError && err.code === 'not_found')) throw err;
        });
    return kit.sendOutcome(request, reply, tenant, outcome);
  });

  // --- the uploaded logo ----------------------------------------------------------------------
  /**
   * The tenant's uploaded logo under its digest: only the checked type, `nosniff`, a sandboxing CSP
   * (opened directly it is still no document), cached for a year (a new logo is a new URL).
   */
  app.get(
    '/logo/:file',
    { schema: { hide: true, params: Obj({ slug: Str({ max: 63 }), file: Str({ max: 64 }) }) } },
    async (request, reply) => {
      const tenant = await kit.tenantOf(request);
      const logo = await accounts.logos.image(tenant.id, (request.params as { file: string }).file);
      if (!logo) throw new AppError('not_found', { detail: 'no such logo' });
      return reply
        .type(logo.contentType)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cross-origin-resource-policy', 'same-origin')
        .header('content-disposition', 'inline; filename="logo"')
        .send(logo.bytes);
    },
  );

  // --- sign out ------------------------------------------------------------------------------
  app.get('/sign-out', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    return kit.send(request, reply, tenant, {
      title: messages.signOutTitle,
      body: messagePage({
        title: messages.signOutTitle,
        message: messages.signOutConfirm,
        form: {
          action: `${base(tenant)}/sign-out`,
          csrf: csrf.token(request, reply, 'sign-out'),
          button: messages.signOutButton,
        },
      }),
    });
  });

  app.post('/sign-out', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const form = readForm(request.body, { csrf: { max: 200 } });
    const bad = form.ok ? await csrf.verify(request, 'sign-out', form.values.csrf) : 'token';
    if (bad)
      return kit.send(request, reply, tenant, {
        title: messages.signOutTitle,
        status: 403,
        body: messagePage({
          title: messages.signOutTitle,
          message: form.ok ? csrfMessage(bad) : form.message,
          error: true,
          form: {
            action: `${base(tenant)}/sign-out`,
            csrf: csrf.token(request, reply, 'sign-out'),
            button: messages.signOutButton,
          },
        }),
      });
    const session = await sessionOf(request, tenant);
    if (session)
      await accounts.sessions
        .revoke(tenant.id, session.id, {
          ...ctxOf(request, session),
          reason: 'signed_out',
          userId: session.userId,
        })
        .catch((err: unknown) => {
          if (!(err instanceof AppError && err.code === 'not_found')) throw err;
        });
    clearCookie(reply, accounts.sessions.cookieName(tenant.slug), accounts.secureCookies());
    return kit.send(request, reply, tenant, {
      title: messages.signedOutTitle,
      body: messagePage({
        title: messages.signedOutTitle,
        message: messages.signedOutBody,
        link: { href: `${base(tenant)}/sign-in`, text: messages.signInAgain },
      }),
    });
  });

  // --- account -------------------------------------------------------------------------------
  /** The session, or a redirect to sign-in and back to this page. */
  async function requireSession(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    back: string,
  ) {
    const session = await sessionOf(request, tenant);
    if (session) return session;
    await reply.code(303).header('location', accounts.signInUrl(tenant.slug, back)).send();
    return null;
  }

  app.get(
    '/account',
    {
      schema: {
        hide: true,
        params: SlugParams,
        querystring: Obj({ notice: Type.Optional(Str({ max: 40 })) }),
      },
    },
    async (request, reply) => {
      const tenant = await kit.tenantOf(request);
      const session = await requireSession(request, reply, tenant, `${base(tenant)}/account`);
      if (!session) return reply;
      const [user, list, state] = await Promise.all([
        users.get(tenant.id, session.userId),
        accounts.sessions.list(tenant.id, { userId: session.userId }),
        accounts.lockout.state(tenant.id, session.userId),
      ]);
      const notice = NOTICES[(request.query as { notice?: string }).notice ?? ''];
      const { sections, head } = await accounts.pageExtensions.accountSections(
        request,
        reply,
        tenant,
        session,
      );
      return kit.send(request, reply, tenant, {
        title: messages.accountTitle,
        wide: true,
        // the passkey buttons of the MFA section run a same-origin script
        ...(head ? { head, policy: { scriptSrc: ["'self'"] } } : {}),
        body: accountPage({
          sections,
          base: base(tenant),
          user,
          currentSessionId: session.id,
          sessions: list.reverse(),
          passwordChangedAt: state.passwordChangedAt,
          csrf: (f) => csrf.token(request, reply, f),
          ...(notice ? { notice } : {}),
        }),
      });
    },
  );

  app.get(
    '/account/api/session',
    { schema: { hide: true, params: SlugParams, response: { 200: SessionSchema } } },
    async (request, reply) => {
      const tenant = await kit.tenantOf(request);
      const session = await sessionOf(request, tenant);
      if (!session) throw new AppError('unauthenticated', { detail: 'no session for this tenant' });
      // serialized once per cached session (the response schema documents it; a string is sent as is)
      return reply.type('application/json; charset=utf-8').send(sessionJson(session));
    },
  );

  /** The signed-in user's sessions (self-service; newest first). */
  app.get('/account/api/sessions', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const session = await sessionOf(request, tenant);
    if (!session) throw new AppError('unauthenticated', { detail: 'no session for this tenant' });
    const items = (await accounts.sessions.list(tenant.id, { userId: session.userId })).reverse();
    return reply.type('application/json').send({ current: session.id, items });
  });

  /** Signs out another of the user's sessions (same-origin DELETE: no cross-site form can send it). */
  app.delete(
    '/account/api/sessions/:sessionId',
    { schema: { hide: true, params: Obj({ slug: Str({ max: 63 }), sessionId: Str({ max: 64 }) }) } },
    async (request, reply) => {
      const tenant = await kit.tenantOf(request);
      if (!csrf.sameOrigin(request))
        throw new AppError('csrf_failed', { detail: 'Origin must be this server' });
      const session = await sessionOf(request, tenant);
      if (!session) throw new AppError('unauthenticated', { detail: 'no session for this tenant' });
      const { sessionId } = request.params as { sessionId: string };
      await accounts.sessions.revoke(tenant.id, sessionId, {
        ...ctxOf(request, session),
        reason: sessionId === session.id ? 'signed_out' : 'revoked_by_user',
        userId: session.userId,
      });
      return reply.code(204).send();
    },
  );

  app.post(
    '/account/sessions/revoke',
    { schema: { hide: true, params: SlugParams } },
    async (request, reply) => {
      const tenant = await kit.tenantOf(request);
      const session = await requireSession(request, reply, tenant, `${base(tenant)}/account`);
      if (!session) return reply;
      const form = readForm(request.body, { csrf: { max: 200 }, session: { max: 64 } });
      const bad = form.ok ? await csrf.verify(request, 'revoke-session', form.values.csrf) : 'token';
      if (!form.ok || bad)
        return kit.send(request, reply, tenant, {
          title: messages.accountTitle,
          status: form.ok ? 403 : 400,
          body: messagePage({
            title: messages.accountTitle,
            message: form.ok ? csrfMessage(bad as 'origin' | 'token') : form.message,
            error: true,
            link: { href: `${base(tenant)}/account`, text: messages.backToAccount },
          }),
        });
      let notice = 'session_revoked';
      if (form.values.session === session.id) notice = 'session_unknown';
      else
        await accounts.sessions
          .revoke(tenant.id, form.values.session, {
            ...ctxOf(request, session),
            reason: 'revoked_by_user',
            userId: session.userId,
          })
          .catch((err: unknown) => {
            if (!(err instanceof AppError && err.code === 'not_found')) throw err;
            notice = 'session_unknown';
          });
      return reply
        .code(303)
        .header('location', `${base(tenant)}/account?notice=${notice}`)
        .send();
    },
  );

  // --- change password -----------------------------------------------------------------------
  /** Who is changing: a signed-in user, or a pending sign-in that must change first. */
  async function changer(request: FastifyRequest, tenant: TenantRef) {
    const pendingSecret = readCookie(request.headers.cookie, accounts.pending.cookieName(tenant.slug));
    const pending = await accounts.pending.get(tenant.id, pendingSecret);
    if (pending && pending.stage === 'change_password') return { pending, pendingSecret, session: null };
    const session = await sessionOf(request, tenant);
    return session ? { pending: null, pendingSecret: undefined, session } : null;
  }

  async function renderChange(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    who: NonNullable<Awaited<ReturnType<typeof changer>>>,
    v: { error?: string; errorField?: 'current' | 'new' | 'confirm'; status?: number } = {},
  ) {
    const policy = (await accounts.settings.get(tenant.id)).password;
    return kit.send(request, reply, tenant, {
      title: messages.changePasswordTitle,
      status: v.status ?? 200,
      body: changePasswordPage({
        action: `${base(tenant)}/change-password`,
        csrf: csrf.token(request, reply, 'change-password'),
        minLength: policy.minLength,
        ...(who.pending
          ? { forced: who.pending.reason ?? 'forced' }
          : { backHref: `${base(tenant)}/account` }),
        ...(v.error ? { error: v.error } : {}),
        ...(v.errorField ? { errorField: v.errorField } : {}),
      }),
    });
  }

  app.get('/change-password', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const who = await changer(request, tenant);
    if (!who)
      return reply
        .code(303)
        .header('location', accounts.signInUrl(tenant.slug, `${base(tenant)}/change-password`))
        .send();
    return renderChange(request, reply, tenant, who);
  });

  app.post('/change-password', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const who = await changer(request, tenant);
    if (!who)
      return reply
        .code(303)
        .header('location', accounts.signInUrl(tenant.slug, `${base(tenant)}/change-password`))
        .send();
    const form = readForm(request.body, {
      csrf: { max: 200 },
      current: { max: 1024, label: messages.currentPasswordLabel, optional: true },
      new: { max: 1024, label: messages.newPasswordLabel },
      confirm: { max: 1024, label: messages.confirmPasswordLabel },
    });
    if (!form.ok) return renderChange(request, reply, tenant, who, { error: form.message, status: 400 });
    const { values } = form;
    const bad = await csrf.verify(request, 'change-password', values.csrf);
    if (bad) return renderChange(request, reply, tenant, who, { error: csrfMessage(bad), status: 403 });
    const userId = who.session?.userId ?? (who.pending?.userId as string);
    if (who.session && !(await users.isCurrentPassword(tenant.id, userId, values.current)))
      return renderChange(request, reply, tenant, who, {
        error: messages.currentPasswordWrong,
        errorField: 'current',
        status: 400,
      });
    if (values.new !== values.confirm)
      return renderChange(request, reply, tenant, who, {
        error: messages.passwordsDiffer,
        errorField: 'confirm',
        status: 400,
      });
    const ctx = {
      actor: `user:${userId}`,
      requestId: String(request.id),
      tenantSlug: tenant.slug,
      reason: who.pending ? (who.pending.reason ?? 'forced') : 'self_service',
    };
    try {
      await accounts.passwords.change(tenant.id, userId, values.new, ctx);
    } catch (err) {
      if (err instanceof PasswordRefused)
        return renderChange(request, reply, tenant, who, {
          error: (err.detail ?? '').replace(/^password: /, ''),
          errorField: 'new',
          status: 400,
        });
      throw err;
    }
    if (who.session) {
      await accounts.sessions.revokeUser(tenant.id, userId, {
        ...ctx,
        reason: 'password_changed',
        exceptId: who.session.id,
      });
      return reply
        .code(303)
        .header('location', `${base(tenant)}/account?notice=password_changed`)
        .send();
    }
    const pending = await accounts.pending.take(tenant.id, who.pendingSecret);
    if (!pending) return reply.code(303).header('location', accounts.signInUrl(tenant.slug)).send();
    const outcome = await accounts.completeSignIn({
      tenant,
      userId: pending.userId,
      amr: pending.amr,
      returnTo: pending.returnTo,
      ip: request.ip,
      userAgent: ua(request),
      requestId: String(request.id),
      device: accounts.deviceOf(tenant.slug, request.headers.cookie),
      passwordJustChanged: true,
    });
    if (outcome.kind === 'refused') throw new AppError('forbidden');
    return kit.sendOutcome(request, reply, tenant, outcome);
  });
}
