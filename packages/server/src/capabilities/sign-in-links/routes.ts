/**
 * The magic-link and password-reset pages of a tenant under `/t/:slug` (HTTP only; the rules are in
 * service.ts): `GET/POST /magic-link` (ask; the answer is the same for every address), `GET/POST
 * /magic-link/open` (same browser: signs in at once; elsewhere: a confirmation first), `GET/POST
 * /forgot-password`, `GET/POST /reset-password`. Every form passes the CSRF guard; pages render in
 * the accounts page shell under its CSP.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { TenantRef } from '../../access/principal.ts';
import { Obj, Str } from '../../http/schema-kit.ts';
import {
  type AccountsService,
  alert,
  clearCookie,
  html,
  messagePage,
  messages,
  type PageKit,
  readCookie,
  readForm,
  type SignInOutcome,
  setCookie,
} from '../accounts/index.ts';
import { PasswordRefused } from '../accounts/passwords.ts';
import { linkMessages as m } from './messages.en.ts';
import type { SignInLinksService } from './service.ts';

export interface SignInLinkRoutesDeps {
  links: SignInLinksService;
  accounts: AccountsService;
  kit: PageKit;
  /** MFA's say after a first factor (undefined: complete the sign-in). */
  afterFirstFactor(
    tenant: TenantRef,
    userId: string,
    amr: readonly string[],
    returnTo: string,
    facts: { ip: string; userAgent: string; requestId: string; device?: string | undefined },
  ): Promise<SignInOutcome | undefined>;
  ttlMinutes(purpose: 'magic' | 'reset'): number;
}

const SlugParams = Obj({ slug: Str({ max: 63 }) });
const TokenQuery = Obj({ token: Type.Optional(Str({ min: 0, max: 256 })) });
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}$/;

export function registerSignInLinkRoutes(app: FastifyInstance, deps: SignInLinkRoutesDeps): void {
  const { links, accounts, kit } = deps;
  const { csrf } = accounts;
  const base = (t: TenantRef) => `/t/${t.slug}`;
  const checkCookie = (t: TenantRef) =>
    accounts.secureCookies() ? `__Host-gk_link_${t.slug}` : `gk_link_${t.slug}`;
  const facts = (request: FastifyRequest) => ({
    ip: request.ip,
    userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512),
    requestId: String(request.id),
    device: accounts.deviceOf((request.params as { slug: string }).slug, request.headers.cookie),
  });
  const ctxOf = (request: FastifyRequest) => ({ actor: `ip:${request.ip}`, requestId: String(request.id) });
  const csrfMessage = (why: 'origin' | 'token') =>
    why === 'origin' ? messages.crossSite : messages.formExpired;

  function emailForm(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    v: {
      kind: 'magic' | 'reset';
      returnTo?: string;
      email?: string;
      error?: string;
      status?: number;
      tenantName: string;
    },
  ) {
    const action = `${base(tenant)}/${v.kind === 'magic' ? 'magic-link' : 'forgot-password'}`;
    const title = v.kind === 'magic' ? m.magicTitle : m.forgotTitle;
    return kit.send(request, reply, tenant, {
      title,
      status: v.status ?? 200,
      body: html`<div class="card">
<h1>${title}</h1>
<p class="lead">${v.kind === 'magic' ? m.magicIntro(v.tenantName) : m.forgotIntro}</p>
${alert(v.error)}
<form method="post" action="${action}" novalidate>
<input type="hidden" name="csrf" value="${csrf.token(request, reply, v.kind === 'magic' ? 'magic-link' : 'forgot-password')}">
${v.kind === 'magic' ? html`<input type="hidden" name="return_to" value="${v.returnTo ?? ''}">` : ''}
<label for="email">${m.emailLabel}</label>
<input id="email" name="email" type="email" autocomplete="email" autocapitalize="none" spellcheck="false" required maxlength="254" value="${v.email ?? ''}" aria-invalid="${v.error ? 'true' : 'false'}"${v.error ? html` aria-describedby="form-error"` : ''} autofocus>
<button class="primary" type="submit">${v.kind === 'magic' ? m.magicButton : m.forgotButton}</button>
</form>
<div class="links"><a href="${accounts.signInUrl(tenant.slug, v.returnTo)}">${m.backToSignIn}</a></div>
</div>`,
    });
  }

  const invalidLink = (
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    purpose: 'magic' | 'reset',
  ) =>
    kit.send(request, reply, tenant, {
      title: m.linkInvalidTitle,
      status: 410,
      body: messagePage({
        title: m.linkInvalidTitle,
        message: m.linkInvalidBody,
        error: true,
        link: {
          href: `${base(tenant)}/${purpose === 'magic' ? 'magic-link' : 'forgot-password'}`,
          text: m.newLinkLink,
        },
      }),
    });

  // --- magic links ---------------------------------------------------------------------------
  app.get(
    '/magic-link',
    {
      schema: {
        hide: true,
        params: SlugParams,
        querystring: Obj({ return_to: Type.Optional(Str({ min: 0, max: 2048 })) }),
      },
    },
    async (request, reply) => {
      const tenant = await kit.tenantOf(request);
      const returnTo = await accounts.returnTo.resolve(
        tenant,
        (request.query as { return_to?: string }).return_to,
      );
      return emailForm(request, reply, tenant, {
        kind: 'magic',
        returnTo,
        tenantName: (await kit.brandOf(tenant)).name,
      });
    },
  );

  async function requestLink(request: FastifyRequest, reply: FastifyReply, kind: 'magic' | 'reset') {
    const tenant = await kit.tenantOf(request);
    const tenantName = (await kit.brandOf(tenant)).name;
    const form = readForm(request.body, {
      csrf: { max: 200 },
      email: { max: 254, label: m.emailLabel },
      ...(kind === 'magic' ? { return_to: { max: 2048, optional: true } } : {}),
    });
    const partial = (form.ok ? form.values : form.partial) as Record<string, string | undefined>;
    const returnTo =
      kind === 'magic' ? await accounts.returnTo.resolve(tenant, partial.return_to) : undefined;
    const again = (error: string, status: number) =>
      emailForm(request, reply, tenant, {
        kind,
        tenantName,
        error,
        status,
        email: partial.email ?? '',
        ...(returnTo ? { returnTo } : {}),
      });
    if (!form.ok) return again(form.message, 400);
    const bad = await csrf.verify(
      request,
      kind === 'magic' ? 'magic-link' : 'forgot-password',
      form.values.csrf,
    );
    if (bad) return again(csrfMessage(bad), 403);
    const email = form.values.email.trim();
    if (!EMAIL.test(email)) return again(m.emailInvalid, 400);
    const check = kind === 'magic' ? links.newCheck() : undefined;
    const req = {
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      email,
      ip: request.ip,
      ...(check ? { check } : {}),
      ...(returnTo ? { returnTo } : {}),
    };
    const result =
      kind === 'magic'
        ? await links.requestMagicLink(req, ctxOf(request))
        : await links.requestPasswordReset(req, ctxOf(request));
    if (result === 'rate_limited') return again(m.rateLimited, 429);
    if (check)
      setCookie(reply, checkCookie(tenant), check, {
        secure: accounts.secureCookies(),
        maxAge: deps.ttlMinutes('magic') * 60,
      });
    return kit.send(request, reply, tenant, {
      title: m.sentTitle,
      body: messagePage({
        title: m.sentTitle,
        message:
          kind === 'magic'
            ? m.sentBody(deps.ttlMinutes('magic'))
            : m.forgotSentBody(deps.ttlMinutes('reset')),
        link: { href: accounts.signInUrl(tenant.slug, returnTo), text: m.backToSignIn },
      }),
    });
  }

  app.post('/magic-link', { schema: { hide: true, params: SlugParams } }, (request, reply) =>
    requestLink(request, reply, 'magic'),
  );

  async function signInWithLink(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    token: string,
  ) {
    const used = await links.consume(tenant, 'magic', token, ctxOf(request));
    if (!used) return invalidLink(request, reply, tenant, 'magic');
    clearCookie(reply, checkCookie(tenant), accounts.secureCookies());
    const returnTo = await accounts.returnTo.resolve(tenant, used.returnTo ?? undefined);
    // RFC 8176 registers no `email` method: a single-use secret delivered out of band is `otp`
    const amr = ['otp'];
    const outcome =
      (await deps.afterFirstFactor(tenant, used.userId, amr, returnTo, facts(request))) ??
      (await accounts.completeSignIn({ tenant, userId: used.userId, amr, returnTo, ...facts(request) }));
    return kit.sendOutcome(request, reply, tenant, outcome);
  }

  app.get(
    '/magic-link/open',
    { schema: { hide: true, params: SlugParams, querystring: TokenQuery } },
    async (request, reply) => {
      const tenant = await kit.tenantOf(request);
      const token = (request.query as { token?: string }).token ?? '';
      const peek = await links.peek(
        tenant.id,
        'magic',
        token,
        readCookie(request.headers.cookie, checkCookie(tenant)),
      );
      if (!peek.valid) {
        await links.consume(tenant, 'magic', token, ctxOf(request)); // audits the refusal
        return invalidLink(request, reply, tenant, 'magic');
      }
      if (peek.sameBrowser) return signInWithLink(request, reply, tenant, token);
      return kit.send(request, reply, tenant, {
        title: m.confirmTitle,
        body: html`<div class="card">
<h1>${m.confirmTitle}</h1>
<p>${m.confirmBody}</p>
<form method="post" action="${base(tenant)}/magic-link/open">
<input type="hidden" name="csrf" value="${csrf.token(request, reply, 'magic-link-open')}">
<input type="hidden" name="token" value="${token}">
<button class="primary" type="submit">${m.confirmButton}</button>
</form>
<div class="links"><a href="${accounts.signInUrl(tenant.slug)}">${m.backToSignIn}</a></div>
</div>`,
      });
    },
  );

  app.post('/magic-link/open', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const form = readForm(request.body, { csrf: { max: 200 }, token: { max: 256 } });
    const bad = form.ok ? await csrf.verify(request, 'magic-link-open', form.values.csrf) : 'token';
    if (!form.ok || bad)
      return kit.send(request, reply, tenant, {
        title: m.confirmTitle,
        status: form.ok ? 403 : 400,
        body: messagePage({
          title: m.confirmTitle,
          message: form.ok ? csrfMessage(bad as 'origin' | 'token') : form.message,
          error: true,
          link: { href: `${base(tenant)}/magic-link`, text: m.newLinkLink },
        }),
      });
    return signInWithLink(request, reply, tenant, form.values.token);
  });

  // --- password reset ------------------------------------------------------------------------
  app.get('/forgot-password', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    return emailForm(request, reply, tenant, { kind: 'reset', tenantName: (await kit.brandOf(tenant)).name });
  });
  app.post('/forgot-password', { schema: { hide: true, params: SlugParams } }, (request, reply) =>
    requestLink(request, reply, 'reset'),
  );

  async function resetForm(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    token: string,
    v: { error?: string; field?: 'new' | 'confirm'; status?: number } = {},
  ) {
    const { minLength } = (await accounts.settings.get(tenant.id)).password;
    const inv = (f: 'new' | 'confirm') =>
      v.field === f ? html` aria-invalid="true" aria-describedby="form-error"` : html` aria-invalid="false"`;
    return kit.send(request, reply, tenant, {
      title: m.resetTitle,
      status: v.status ?? 200,
      body: html`<div class="card">
<h1>${m.resetTitle}</h1>
<p class="lead">${m.resetIntro}</p>
${alert(v.error)}
<form method="post" action="${base(tenant)}/reset-password" novalidate>
<input type="hidden" name="csrf" value="${csrf.token(request, reply, 'reset-password')}">
<input type="hidden" name="token" value="${token}">
<label for="new">${m.newPasswordLabel}</label>
<input id="new" name="new" type="password" autocomplete="new-password" required minlength="${minLength}" maxlength="1024"${inv('new')} autofocus>
<p class="hint" id="new-hint">${m.passwordRules(minLength)}</p>
<label for="confirm">${m.confirmPasswordLabel}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required maxlength="1024"${inv('confirm')}>
<button class="primary" type="submit">${m.resetButton}</button>
</form>
</div>`,
    });
  }

  app.get(
    '/reset-password',
    { schema: { hide: true, params: SlugParams, querystring: TokenQuery } },
    async (request, reply) => {
      const tenant = await kit.tenantOf(request);
      const token = (request.query as { token?: string }).token ?? '';
      if (!(await links.peek(tenant.id, 'reset', token, undefined)).valid) {
        await links.consume(tenant, 'reset', token, ctxOf(request));
        return invalidLink(request, reply, tenant, 'reset');
      }
      return resetForm(request, reply, tenant, token);
    },
  );

  app.post('/reset-password', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const form = readForm(request.body, {
      csrf: { max: 200 },
      token: { max: 256 },
      new: { max: 1024, label: m.newPasswordLabel },
      confirm: { max: 1024, label: m.confirmPasswordLabel },
    });
    const token = (form.ok ? form.values : form.partial).token ?? '';
    if (!form.ok) return resetForm(request, reply, tenant, token, { error: form.message, status: 400 });
    const bad = await csrf.verify(request, 'reset-password', form.values.csrf);
    if (bad) return resetForm(request, reply, tenant, token, { error: csrfMessage(bad), status: 403 });
    const peek = await links.peek(tenant.id, 'reset', token, undefined);
    if (!peek.valid) {
      await links.consume(tenant, 'reset', token, ctxOf(request));
      return invalidLink(request, reply, tenant, 'reset');
    }
    if (form.values.new !== form.values.confirm)
      return resetForm(request, reply, tenant, token, {
        error: m.passwordsDiffer,
        field: 'confirm',
        status: 400,
      });
    // the policy first: a refused password leaves the link usable and the old password in place
    const ctx = {
      actor: `user:${peek.userId}`,
      requestId: String(request.id),
      tenantSlug: tenant.slug,
      reason: 'reset',
    };
    try {
      await accounts.passwords.check(tenant.id, peek.userId, form.values.new);
    } catch (err) {
      if (!(err instanceof PasswordRefused)) throw err;
      return resetForm(request, reply, tenant, token, {
        error: (err.detail ?? '').replace(/^password: /, ''),
        field: 'new',
        status: 400,
      });
    }
    const used = await links.consume(tenant, 'reset', token, ctxOf(request));
    if (!used) return invalidLink(request, reply, tenant, 'reset');
    await accounts.passwords.change(tenant.id, used.userId, form.values.new, ctx);
    await accounts.sessions.revokeUser(tenant.id, used.userId, { ...ctx, reason: 'password_reset' });
    return kit.send(request, reply, tenant, {
      title: m.resetDoneTitle,
      body: messagePage({
        title: m.resetDoneTitle,
        message: m.resetDoneBody,
        link: { href: accounts.signInUrl(tenant.slug), text: m.signInLink },
      }),
    });
  });
}
