/**
 * The MFA and passkey pages of a tenant under `/t/:slug` (HTTP only; rules in service.ts and
 * passkeys.ts):
 * - a pending sign-in (cookie of the accounts capability, stage `mfa`): `GET/POST /mfa` (code),
 *   `GET /mfa/passkey-options` + `POST /mfa/passkey`, `GET/POST /mfa/enrol`, `POST /mfa/enrol/skip`
 *   (grace period only), `POST /mfa/continue` (after the backup codes);
 * - a session: `GET /mfa/enrol` (from the account page), `GET /mfa/step-up?return_to=` (make the
 *   session an MFA one), `POST /account/mfa/backup-codes|remove`, `GET /account/passkeys/options`,
 *   `POST /account/passkeys`, `POST /account/passkeys/rename|delete`;
 * - nobody yet: `GET /passkeys/sign-in-options` + `POST /passkeys/sign-in` (passwordless).
 * Every form passes the CSRF guard; a passkey page's script is a same-origin asset (`script-src 'self'`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { TenantRef } from '../../access/principal.ts';
import { AppError } from '../../errors/app-error.ts';
import { Obj, Str } from '../../http/schema-kit.ts';
import type { RateLimiter } from '../../state/state.ts';
import {
  type AccountsService,
  messagePage,
  messages,
  type PageKit,
  type PendingSignIn,
  readCookie,
  readForm,
  type Session,
} from '../accounts/index.ts';
import type { UsersService } from '../users/index.ts';
import { mfaMessages as m } from './pages/messages.en.ts';
import {
  accountSections,
  backupCodesPage,
  challengePage,
  enrolPage,
  mfaHead,
  passkeyHead,
  signInExtras,
} from './pages/views.ts';
import type { PasskeysService } from './passkeys.ts';
import type { MfaService } from './service.ts';
import type { MfaSignIn } from './sign-in.ts';

export interface MfaRoutesDeps {
  mfa: MfaService;
  passkeys: PasskeysService;
  signIn: MfaSignIn;
  accounts: AccountsService;
  users: UsersService;
  kit: PageKit;
  /** Per client IP: how many passkey ceremonies may start (each holds a challenge for 5 minutes). */
  ceremonyLimiter: RateLimiter;
}

const SlugParams = Obj({ slug: Str({ max: 63 }) });
const SCRIPTS = { scriptSrc: ["'self'"] };

export function registerMfaRoutes(app: FastifyInstance, deps: MfaRoutesDeps): void {
  const { mfa, passkeys, signIn, accounts, users, kit } = deps;
  const { csrf } = accounts;
  const base = (t: TenantRef) => `/t/${t.slug}`;
  const facts = (request: FastifyRequest) => ({
    ip: request.ip,
    userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512),
    requestId: String(request.id),
    device: accounts.deviceOf((request.params as { slug: string }).slug, request.headers.cookie),
  });
  const ctxOf = (request: FastifyRequest, userId?: string) => ({
    actor: userId ? `user:${userId}` : `ip:${request.ip}`,
    requestId: String(request.id),
  });
  const tokens = (request: FastifyRequest, reply: FastifyReply) => (form: string) =>
    csrf.token(request, reply, form);
  const csrfMessage = (why: 'origin' | 'token') =>
    why === 'origin' ? messages.crossSite : messages.formExpired;
  const account = (t: TenantRef) => `${base(t)}/account`;
  const accountOf = (t: TenantRef, userId: string) =>
    users.get(t.id, userId).then((u) => ({ issuer: t.slug, label: u.email ?? u.username }));

  /** The pending MFA sign-in of this browser, or null. */
  async function pendingOf(request: FastifyRequest, tenant: TenantRef) {
    const secret = readCookie(request.headers.cookie, accounts.pending.cookieName(tenant.slug));
    const pending = await accounts.pending.get(tenant.id, secret);
    return pending && pending.stage === 'mfa' ? { pending, secret } : null;
  }
  const sessionOf = (request: FastifyRequest, tenant: TenantRef) =>
    accounts.sessions.authenticate(tenant.id, request.headers.cookie);

  const expired = (request: FastifyRequest, reply: FastifyReply, tenant: TenantRef) =>
    kit.send(request, reply, tenant, {
      title: m.challengeTitle,
      status: 409,
      body: messagePage({
        title: m.challengeTitle,
        message: m.expiredSignIn,
        error: true,
        link: { href: accounts.signInUrl(tenant.slug), text: messages.signInAgain },
      }),
    });

  const refusedForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    title: string,
    message: string,
    status: number,
  ) =>
    kit.send(request, reply, tenant, {
      title,
      status,
      body: messagePage({
        title,
        message,
        error: true,
        link: { href: account(tenant), text: m.backToAccount },
      }),
    });

  /** Takes the pending sign-in once and completes it with the factor's methods. */
  async function finishPending(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    secret: string | undefined,
    factorAmr: readonly string[],
  ) {
    const pending = await accounts.pending.take(tenant.id, secret);
    if (!pending) return expired(request, reply, tenant);
    return kit.sendOutcome(
      request,
      reply,
      tenant,
      await signIn.passed(tenant, pending, factorAmr, facts(request)),
    );
  }

  // --- the challenge -------------------------------------------------------------------------
  async function renderChallenge(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    pending: PendingSignIn,
    error?: string,
    status = 200,
  ) {
    const step = await mfa.signInStep(tenant.id, pending.userId);
    const offers = step.kind === 'verify' ? step : { totp: false, passkeys: false };
    return kit.send(request, reply, tenant, {
      title: m.challengeTitle,
      status,
      head: offers.passkeys ? passkeyHead : mfaHead,
      policy: offers.passkeys ? SCRIPTS : {},
      body: challengePage({
        base: base(tenant),
        csrf: tokens(request, reply),
        totp: offers.totp,
        passkeys: offers.passkeys,
        ...(error ? { error } : {}),
      }),
    });
  }

  app.get('/mfa', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const p = await pendingOf(request, tenant);
    if (!p) return expired(request, reply, tenant);
    if (signIn.dataOf(p.pending).next === 'enrol')
      return reply
        .code(303)
        .header('location', `${base(tenant)}/mfa/enrol`)
        .send();
    return renderChallenge(request, reply, tenant, p.pending);
  });

  app.post('/mfa', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const p = await pendingOf(request, tenant);
    if (!p) return expired(request, reply, tenant);
    const form = readForm(request.body, { csrf: { max: 200 }, code: { max: 64, label: m.codeLabel } });
    if (!form.ok) return renderChallenge(request, reply, tenant, p.pending, form.message, 400);
    const bad = await csrf.verify(request, 'mfa', form.values.csrf);
    if (bad) return renderChallenge(request, reply, tenant, p.pending, csrfMessage(bad), 403);
    try {
      const factor = await mfa.verify(
        tenant.id,
        p.pending.userId,
        form.values.code,
        ctxOf(request, p.pending.userId),
      );
      return finishPending(request, reply, tenant, p.secret, factor.amr);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'mfa_code_invalid' || err.code === 'mfa_rate_limited'))
        return renderChallenge(
          request,
          reply,
          tenant,
          p.pending,
          err.code === 'mfa_code_invalid' ? m.codeInvalid : m.tooManyCodes,
          err.status,
        );
      throw err;
    }
  });

  async function ceremonyAllowed(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const r = await deps.ceremonyLimiter.consume(request.ip);
    if (r.allowed) return true;
    await reply
      .code(429)
      .header('retry-after', String(Math.ceil(r.retryAfterMs / 1000)))
      .type('application/json')
      .send({ code: 'rate_limited' });
    return false;
  }

  app.get('/mfa/passkey-options', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const p = await pendingOf(request, tenant);
    if (!p) throw new AppError('unauthenticated', { detail: 'no sign-in in progress' });
    if (!(await ceremonyAllowed(request, reply))) return reply;
    return reply
      .type('application/json')
      .send(await passkeys.authenticationOptions(tenant.id, p.pending.userId));
  });

  const PasskeyForm = { csrf: { max: 200 }, ceremony: { max: 64 }, response: { max: 16_384 } } as const;
  const parseResponse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  };

  app.post('/mfa/passkey', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const p = await pendingOf(request, tenant);
    if (!p) return expired(request, reply, tenant);
    const form = readForm(request.body, PasskeyForm);
    if (!form.ok) return renderChallenge(request, reply, tenant, p.pending, form.message, 400);
    const bad = await csrf.verify(request, 'mfa-passkey', form.values.csrf);
    if (bad) return renderChallenge(request, reply, tenant, p.pending, csrfMessage(bad), 403);
    try {
      const used = await passkeys.authenticate(
        tenant.id,
        form.values.ceremony,
        parseResponse(form.values.response),
        ctxOf(request, p.pending.userId),
      );
      return finishPending(
        request,
        reply,
        tenant,
        p.secret,
        used.amr.includes('mfa') ? used.amr : [...used.amr, 'mfa'],
      );
    } catch (err) {
      if (err instanceof AppError && err.code === 'passkey_invalid')
        return renderChallenge(request, reply, tenant, p.pending, m.passkeyFailed, 400);
      throw err;
    }
  });

  // --- enrolment -----------------------------------------------------------------------------
  /** Who is enrolling: a pending sign-in that must (or may) enrol, or a signed-in user. */
  async function enroller(request: FastifyRequest, tenant: TenantRef) {
    const p = await pendingOf(request, tenant);
    // only a sign-in told to enrol may: one that owes a factor it has (a passkey) must pass it, not
    // enrol a new one and continue with that
    if (p && signIn.dataOf(p.pending).next !== 'enrol') return null;
    if (p)
      return {
        userId: p.pending.userId,
        pending: p.pending,
        secret: p.secret,
        session: null as Session | null,
      };
    const session = await sessionOf(request, tenant);
    return session ? { userId: session.userId, pending: null, secret: undefined, session } : null;
  }

  async function renderEnrol(
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    who: NonNullable<Awaited<ReturnType<typeof enroller>>>,
    error?: string,
    status = 200,
  ) {
    const acct = await accountOf(tenant, who.userId);
    const enrolment =
      (await mfa.pendingTotp(tenant.id, who.userId, acct)) ??
      (await mfa.beginTotp(tenant.id, who.userId, acct));
    const data = who.pending ? signIn.dataOf(who.pending) : null;
    return kit.send(request, reply, tenant, {
      title: m.enrolTitle,
      status,
      head: mfaHead,
      body: enrolPage({
        base: base(tenant),
        csrf: tokens(request, reply),
        qrSvg: enrolment.qrSvg,
        secret: enrolment.secret,
        required: data !== null,
        ...(data?.graceEndsAt ? { graceEndsAt: data.graceEndsAt } : {}),
        ...(who.session ? { backHref: account(tenant) } : {}),
        ...(error ? { error } : {}),
      }),
    });
  }

  app.get('/mfa/enrol', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const who = await enroller(request, tenant);
    if (!who)
      return reply
        .code(303)
        .header('location', accounts.signInUrl(tenant.slug, `${base(tenant)}/mfa/enrol`))
        .send();
    if ((await mfa.status(tenant.id, who.userId)).totp)
      return reply.code(303).header('location', account(tenant)).send();
    return renderEnrol(request, reply, tenant, who);
  });

  app.post('/mfa/enrol', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const who = await enroller(request, tenant);
    if (!who) return expired(request, reply, tenant);
    const form = readForm(request.body, { csrf: { max: 200 }, code: { max: 64, label: m.codeLabel } });
    if (!form.ok) return renderEnrol(request, reply, tenant, who, form.message, 400);
    const bad = await csrf.verify(request, 'mfa-enrol', form.values.csrf);
    if (bad) return renderEnrol(request, reply, tenant, who, csrfMessage(bad), 403);
    let codes: string[];
    try {
      codes = (await mfa.confirmTotp(tenant.id, who.userId, form.values.code, ctxOf(request, who.userId)))
        .backupCodes;
    } catch (err) {
      if (
        err instanceof AppError &&
        ['mfa_code_invalid', 'mfa_rate_limited', 'mfa_enrolment_missing'].includes(err.code)
      )
        return renderEnrol(
          request,
          reply,
          tenant,
          who,
          err.code === 'mfa_rate_limited' ? m.tooManyCodes : m.codeInvalid,
          err.status,
        );
      throw err;
    }
    if (who.pending && who.secret)
      await accounts.pending.update(who.secret, {
        ...who.pending,
        data: { ...who.pending.data, enrolled: true },
      });
    return kit.send(request, reply, tenant, {
      title: m.codesTitle,
      head: mfaHead,
      body: backupCodesPage({
        codes,
        ...(who.pending
          ? {
              continueForm: {
                action: `${base(tenant)}/mfa/continue`,
                csrf: csrf.token(request, reply, 'mfa-continue'),
              },
            }
          : { backHref: account(tenant) }),
      }),
    });
  });

  app.post('/mfa/continue', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const p = await pendingOf(request, tenant);
    const form = readForm(request.body, { csrf: { max: 200 } });
    const bad = form.ok ? await csrf.verify(request, 'mfa-continue', form.values.csrf) : 'token';
    if (!p || bad || !signIn.dataOf(p.pending).enrolled) return expired(request, reply, tenant);
    return finishPending(request, reply, tenant, p.secret, ['otp', 'mfa']);
  });

  app.post('/mfa/enrol/skip', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const p = await pendingOf(request, tenant);
    const form = readForm(request.body, { csrf: { max: 200 } });
    const bad = form.ok ? await csrf.verify(request, 'mfa-skip', form.values.csrf) : 'token';
    const grace = p ? signIn.dataOf(p.pending).graceEndsAt : null;
    if (!p || bad || !grace || grace <= Date.now()) return expired(request, reply, tenant);
    return finishPending(request, reply, tenant, p.secret, []);
  });

  app.get(
    '/mfa/step-up',
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
      const session = await sessionOf(request, tenant);
      if (!session)
        return reply
          .code(303)
          .header(
            'location',
            accounts.signInUrl(
              tenant.slug,
              `${base(tenant)}/mfa/step-up?return_to=${encodeURIComponent(returnTo)}`,
            ),
          )
          .send();
      if (session.amr.includes('mfa')) return reply.code(303).header('location', returnTo).send();
      const outcome = await signIn.afterFirstFactor(
        tenant,
        session.userId,
        session.amr,
        returnTo,
        facts(request),
        {
          force: true,
          stepUpSession: session.id,
        },
      );
      return kit.sendOutcome(request, reply, tenant, outcome!);
    },
  );

  // --- account: MFA and passkeys -------------------------------------------------------------
  async function withSession(request: FastifyRequest, reply: FastifyReply) {
    const tenant = await kit.tenantOf(request);
    const session = await sessionOf(request, tenant);
    if (!session) {
      await reply
        .code(303)
        .header('location', accounts.signInUrl(tenant.slug, `${base(tenant)}/account`))
        .send();
      return null;
    }
    return { tenant, session };
  }

  async function accountForm<S extends Record<string, { max: number; label?: string; optional?: boolean }>>(
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    spec: S,
  ) {
    const s = await withSession(request, reply);
    if (!s) return null;
    const form = readForm(request.body, { csrf: { max: 200 }, ...spec });
    const bad = form.ok ? await csrf.verify(request, name, form.values.csrf) : 'token';
    if (!form.ok || bad) {
      await refusedForm(
        request,
        reply,
        s.tenant,
        messages.accountTitle,
        form.ok ? csrfMessage(bad as 'origin' | 'token') : form.message,
        form.ok ? 403 : 400,
      );
      return null;
    }
    return { ...s, values: form.values as Record<keyof S | 'csrf', string> };
  }

  const toAccount = (reply: FastifyReply, tenant: TenantRef, anchor: string) =>
    reply
      .code(303)
      .header('location', `${base(tenant)}/account#${anchor}`)
      .send();

  app.post(
    '/account/mfa/backup-codes',
    { schema: { hide: true, params: SlugParams } },
    async (request, reply) => {
      const f = await accountForm(request, reply, 'mfa-renew-codes', {});
      if (!f) return reply;
      const codes = await mfa.renewBackupCodes(
        f.tenant.id,
        f.session.userId,
        ctxOf(request, f.session.userId),
      );
      return kit.send(request, reply, f.tenant, {
        title: m.codesTitle,
        head: mfaHead,
        body: backupCodesPage({ codes, backHref: account(f.tenant) }),
      });
    },
  );

  app.post('/account/mfa/remove', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const f = await accountForm(request, reply, 'mfa-remove', {});
    if (!f) return reply;
    await mfa
      .removeTotp(f.tenant.id, f.session.userId, ctxOf(request, f.session.userId))
      .catch((err: unknown) => {
        if (!(err instanceof AppError && err.code === 'mfa_not_enrolled')) throw err;
      });
    return toAccount(reply, f.tenant, 'mfa');
  });

  app.get(
    '/account/passkeys/options',
    { schema: { hide: true, params: SlugParams } },
    async (request, reply) => {
      const tenant = await kit.tenantOf(request);
      const session = await sessionOf(request, tenant);
      if (!session) throw new AppError('unauthenticated', { detail: 'no session for this tenant' });
      if (!(await ceremonyAllowed(request, reply))) return reply;
      const user = await users.get(tenant.id, session.userId);
      const rpName = (await kit.brandOf(tenant)).name;
      return reply.type('application/json').send(await passkeys.registrationOptions(tenant.id, user, rpName));
    },
  );

  app.post('/account/passkeys', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const f = await accountForm(request, reply, 'passkey-register', {
      ...PasskeyForm,
      csrf: { max: 200 },
      name: { max: 64, label: m.passkeyNameLabel },
    });
    if (!f) return reply;
    try {
      await passkeys.register(
        f.tenant.id,
        f.session.userId,
        f.values.ceremony,
        parseResponse(f.values.response),
        f.values.name,
        ctxOf(request, f.session.userId),
      );
    } catch (err) {
      if (
        err instanceof AppError &&
        ['passkey_invalid', 'passkey_exists', 'passkey_limit', 'validation_failed'].includes(err.code)
      )
        return refusedForm(
          request,
          reply,
          f.tenant,
          m.passkeysTitle,
          err.code === 'validation_failed' ? m.passkeyNameInvalid : (err.detail ?? m.passkeyFailed),
          err.status,
        );
      throw err;
    }
    return toAccount(reply, f.tenant, 'passkeys');
  });

  app.post(
    '/account/passkeys/rename',
    { schema: { hide: true, params: SlugParams } },
    async (request, reply) => {
      const f = await accountForm(request, reply, 'passkey-rename', {
        id: { max: 64 },
        name: { max: 200, label: m.passkeyNameLabel },
      });
      if (!f) return reply;
      try {
        await passkeys.rename(
          f.tenant.id,
          f.session.userId,
          f.values.id,
          f.values.name,
          ctxOf(request, f.session.userId),
        );
      } catch (err) {
        if (err instanceof AppError && err.code === 'validation_failed')
          return refusedForm(request, reply, f.tenant, m.passkeysTitle, m.passkeyNameInvalid, 400);
        throw err;
      }
      return toAccount(reply, f.tenant, 'passkeys');
    },
  );

  app.post(
    '/account/passkeys/delete',
    { schema: { hide: true, params: SlugParams } },
    async (request, reply) => {
      const f = await accountForm(request, reply, 'passkey-delete', { id: { max: 64 } });
      if (!f) return reply;
      await passkeys.delete(f.tenant.id, f.session.userId, f.values.id, ctxOf(request, f.session.userId));
      return toAccount(reply, f.tenant, 'passkeys');
    },
  );

  // --- passwordless sign-in ------------------------------------------------------------------
  app.get(
    '/passkeys/sign-in-options',
    { schema: { hide: true, params: SlugParams } },
    async (request, reply) => {
      const tenant = await kit.tenantOf(request);
      if (!(await ceremonyAllowed(request, reply))) return reply;
      return reply.type('application/json').send(await passkeys.authenticationOptions(tenant.id));
    },
  );

  app.post('/passkeys/sign-in', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const form = readForm(request.body, { ...PasskeyForm, return_to: { max: 2048, optional: true } });
    const returnTo = await accounts.returnTo.resolve(
      tenant,
      (form.ok ? form.values : form.partial).return_to || undefined,
    );
    const back = accounts.signInUrl(tenant.slug, returnTo);
    const refuse = (message: string, status: number) =>
      kit.send(request, reply, tenant, {
        title: messages.signInTitle,
        status,
        body: messagePage({
          title: messages.signInTitle,
          message,
          error: true,
          link: { href: back, text: messages.signInAgain },
        }),
      });
    if (!form.ok) return refuse(form.message, 400);
    const bad = await csrf.verify(request, 'passkey-sign-in', form.values.csrf);
    if (bad) return refuse(csrfMessage(bad), 403);
    try {
      const used = await passkeys.authenticate(
        tenant.id,
        form.values.ceremony,
        parseResponse(form.values.response),
        ctxOf(request),
      );
      if (!(await users.isActive(tenant.id, used.userId))) return refuse(messages.invalidCredentials, 401);
      const outcome = await accounts.completeSignIn({
        tenant,
        userId: used.userId,
        amr: used.amr,
        returnTo,
        ...facts(request),
      });
      return kit.sendOutcome(request, reply, tenant, outcome);
    } catch (err) {
      if (err instanceof AppError && err.code === 'passkey_invalid') return refuse(m.passkeyFailed, 400);
      throw err;
    }
  });

  // --- what the accounts pages show of MFA ---------------------------------------------------
  accounts.extendPages({
    async accountSections(request, reply, tenant, session) {
      const [status, list] = await Promise.all([
        mfa.status(tenant.id, session.userId),
        passkeys.list(tenant.id, session.userId),
      ]);
      return {
        head: passkeyHead,
        sections: accountSections({
          base: base(tenant),
          csrf: tokens(request, reply),
          status,
          passkeys: list,
        }),
      };
    },
    async signInExtras(request, reply, tenant, returnTo) {
      return {
        head: passkeyHead,
        policy: SCRIPTS,
        passkeyAutofill: true,
        body: signInExtras({
          base: base(tenant),
          csrf: csrf.token(request, reply, 'passkey-sign-in'),
          returnTo,
        }),
      };
    },
  });
}
