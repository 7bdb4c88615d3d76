/**
 * Self-service API tokens (issue 11 §1): a signed-in user lists, creates and revokes their own
 * personal tokens on the account page (`<issuer>/account`, section "API tokens") and through the
 * account JSON API (`GET|POST <issuer>/account/api/tokens`, `DELETE …/tokens/{id}`). The same service
 * as the admin API: a personal token is bounded by its owner at use time, stored as a digest, its
 * secret shown once (on the page that answers the creation, `Cache-Control: no-store`), every
 * creation and revocation audited with the user as actor. Forms carry a CSRF token; the JSON writes
 * must come from this origin. A user reaches only their own tokens: another's id is "no such token".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { TenantRef } from '../../access/principal.ts';
import { AppError } from '../../errors/app-error.ts';
import { registerJsonBody } from '../../http/json-body.ts';
import { Int, Obj, Str } from '../../http/schema-kit.ts';
import {
  type AccountsService,
  html,
  messagePage,
  messages,
  type PageKit,
  readForm,
  type SafeHtml,
  type Session,
} from '../accounts/index.ts';
import { isScope } from '../credentials/index.ts';
import { tokenMessages as m } from './pages/messages.en.ts';
import type { ApiTokensService, ApiTokenView } from './service.ts';

/** Active personal tokens a user may hold at once (self-service; an administrator is not bound). */
export const MAX_PERSONAL_TOKENS = 50;
const EXPIRY_DAYS = [30, 90, 365] as const;
const SlugParams = Obj({ slug: Str({ max: 63 }) });
const CreateBody = Obj({
  name: Str({ min: 1, max: 100 }),
  scopes: Type.Optional(Type.Array(Str({ max: 65 }), { maxItems: 32 })),
  expiresInDays: Type.Optional(Int({ min: 1, max: 3650 })),
});

const when = (iso: string) =>
  `${new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })} UTC`;
const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;
const active = (t: ApiTokenView, now: number) =>
  t.revokedAt === null && (t.expiresAt === null || Date.parse(t.expiresAt) > now);

export interface AccountTokensDeps {
  apiTokens: ApiTokensService;
  accounts: AccountsService;
  kit: PageKit;
}

/** The account page's "API tokens" card. */
function tokensSection(p: {
  base: string;
  csrf: (form: string) => string;
  tokens: readonly ApiTokenView[];
}): SafeHtml {
  const items = p.tokens.map(
    (t) => html`<li>
<div><div class="session-agent">${t.name} <code>${t.prefix}…</code></div>
<div class="session-meta">${t.scopes.length > 0 ? t.scopes.join(' ') : m.noScopes} · ${m.created(when(t.createdAt))}, ${t.lastUsedAt ? m.used(when(t.lastUsedAt)) : m.neverUsed}${t.expiresAt ? html`, ${m.expires(when(t.expiresAt))}` : ''}</div></div>
<form class="inline" method="post" action="${p.base}/account/api-tokens/revoke">${hidden('csrf', p.csrf('api-token-revoke'))}${hidden('id', t.id)}<button class="secondary small danger" type="submit" aria-label="${m.revokeLabel(t.name)}">${m.revokeButton}</button></form>
</li>`,
  );
  return html`<div class="card" id="api-tokens">
<h2>${m.sectionTitle}</h2>
<p class="hint">${m.sectionIntro}</p>
${items.length > 0 ? html`<ul class="sessions">${items}</ul>` : html`<p>${m.none}</p>`}
<form method="post" action="${p.base}/account/api-tokens">${hidden('csrf', p.csrf('api-token-create'))}
<label for="api-token-name">${m.nameLabel}</label>
<input id="api-token-name" name="name" type="text" required maxlength="100" autocomplete="off">
<label for="api-token-scopes">${m.scopesLabel}</label>
<input id="api-token-scopes" name="scopes" type="text" maxlength="600" autocomplete="off" aria-describedby="api-token-scopes-hint">
<p class="hint" id="api-token-scopes-hint">${m.scopesHint}</p>
<label for="api-token-expires">${m.expiresLabel}</label>
<select id="api-token-expires" name="expires">
${EXPIRY_DAYS.map((d) => html`<option value="${String(d)}"${d === 90 ? html` selected` : ''}>${m.expiresDays(d)}</option>`)}
<option value="never">${m.expiresNever}</option>
</select>
<button class="secondary" type="submit">${m.createButton}</button>
</form>
</div>`;
}

export function registerAccountTokenRoutes(app: FastifyInstance, deps: AccountTokensDeps): void {
  const { apiTokens, accounts, kit } = deps;
  const { csrf } = accounts;
  const base = (t: TenantRef) => `/t/${t.slug}`;
  const ctxOf = (request: FastifyRequest, session: Session) => ({
    actor: `user:${session.userId}`,
    requestId: String(request.id),
  });
  const owner = (session: Session) => ({ type: 'user' as const, id: session.userId });
  const mine = async (tenant: TenantRef, session: Session) =>
    (await apiTokens.list(tenant.id, { limit: MAX_PERSONAL_TOKENS * 4 } as never, owner(session))).items
      .filter((t) => t.kind === 'personal' && active(t, Date.now()))
      .reverse();

  /** Creates one for the session's user: the rules of the page and the JSON API alike. */
  async function create(
    request: FastifyRequest,
    tenant: TenantRef,
    session: Session,
    input: { name: string; scopes: string[]; expiresInDays?: number },
  ) {
    const name = input.name.trim();
    if (name === '' || name.length > 100) throw new AppError('validation_failed', { detail: m.nameRequired });
    if (input.scopes.length > 32 || !input.scopes.every((s) => isScope(s)))
      throw new AppError('validation_failed', { detail: m.badScopes });
    if ((await mine(tenant, session)).length >= MAX_PERSONAL_TOKENS)
      throw new AppError('conflict', { detail: m.tooMany });
    return apiTokens.create(
      tenant.id,
      {
        owner: owner(session),
        name,
        scopes: [...new Set(input.scopes)],
        ...(input.expiresInDays ? { expiresInDays: input.expiresInDays } : {}),
      },
      ctxOf(request, session),
    );
  }

  /** Revokes one of the session user's tokens; another's (or an unknown id) is not_found. */
  async function revoke(request: FastifyRequest, tenant: TenantRef, session: Session, id: string) {
    const token = await apiTokens.get(tenant.id, id).catch((err: unknown) => {
      if (err instanceof AppError && (err.code === 'not_found' || err.code === 'validation_failed'))
        return null;
      throw err;
    });
    if (token?.ownerType !== 'user' || token.ownerId !== session.userId || token.revokedAt !== null)
      throw new AppError('not_found', { detail: 'no such API token' });
    await apiTokens.revoke(tenant.id, id, ctxOf(request, session));
  }

  const sessionOf = (request: FastifyRequest, tenant: TenantRef) =>
    accounts.sessions.authenticate(tenant.id, request.headers.cookie);
  const requireSession = async (request: FastifyRequest, reply: FastifyReply, tenant: TenantRef) => {
    const session = await sessionOf(request, tenant);
    if (session) return session;
    await reply
      .code(303)
      .header('location', accounts.signInUrl(tenant.slug, `${base(tenant)}/account`))
      .send();
    return null;
  };
  const refused = (
    request: FastifyRequest,
    reply: FastifyReply,
    tenant: TenantRef,
    message: string,
    status: number,
  ) =>
    kit.send(request, reply, tenant, {
      title: m.sectionTitle,
      status,
      body: messagePage({
        title: m.sectionTitle,
        message,
        error: true,
        link: { href: `${base(tenant)}/account#api-tokens`, text: m.backToAccount },
      }),
    });

  /** The page message for a form whose CSRF check failed, or null when it passed. */
  const csrfRefusal = async (request: FastifyRequest, form: string, token: string) => {
    const bad = await csrf.verify(request, form, token);
    return bad ? (bad === 'origin' ? messages.crossSite : messages.formExpired) : null;
  };

  // --- the account page's card and its forms ----------------------------------------------------
  accounts.extendPages({
    async accountSections(request, reply, tenant, session) {
      return {
        sections: [
          tokensSection({
            base: base(tenant),
            csrf: (form) => csrf.token(request, reply, form),
            tokens: await mine(tenant, session),
          }),
        ],
      };
    },
  });

  app.post('/account/api-tokens', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = await kit.tenantOf(request);
    const session = await requireSession(request, reply, tenant);
    if (!session) return reply;
    const form = readForm(request.body, {
      csrf: { max: 200 },
      name: { max: 100, label: m.nameLabel },
      scopes: { max: 600, optional: true, label: m.scopesLabel },
      expires: { max: 10, optional: true, label: m.expiresLabel },
    });
    if (!form.ok) return refused(request, reply, tenant, form.message, 400);
    const bad = await csrfRefusal(request, 'api-token-create', form.values.csrf);
    if (bad) return refused(request, reply, tenant, bad, 403);
    const expires = form.values.expires || '90';
    const days = expires === 'never' ? undefined : Number(expires);
    if (days !== undefined && !EXPIRY_DAYS.includes(days as (typeof EXPIRY_DAYS)[number]))
      return refused(request, reply, tenant, m.badExpiry, 400);
    let created: Awaited<ReturnType<typeof create>>;
    try {
      created = await create(request, tenant, session, {
        name: form.values.name,
        scopes: form.values.scopes.split(/[\s,]+/).filter(Boolean),
        ...(days ? { expiresInDays: days } : {}),
      });
    } catch (err) {
      if (err instanceof AppError && err.status < 500)
        return refused(request, reply, tenant, err.detail ?? m.badScopes, err.status);
      throw err;
    }
    reply.header('cache-control', 'no-store');
    return kit.send(request, reply, tenant, {
      title: m.newTitle,
      status: 201,
      body: html`<div class="card">
<h1>${m.newTitle}</h1>
<p class="lead" role="status">${m.newLead}</p>
<p class="secret-label" id="api-token-secret-label">${m.secretLabel} · ${created.token.name}</p>
<code class="secret" id="api-token-secret" aria-labelledby="api-token-secret-label">${created.secret}</code>
<a class="button primary" href="${base(tenant)}/account#api-tokens">${m.backToAccount}</a>
</div>`,
    });
  });

  app.post(
    '/account/api-tokens/revoke',
    { schema: { hide: true, params: SlugParams } },
    async (request, reply) => {
      const tenant = await kit.tenantOf(request);
      const session = await requireSession(request, reply, tenant);
      if (!session) return reply;
      const form = readForm(request.body, { csrf: { max: 200 }, id: { max: 64 } });
      if (!form.ok) return refused(request, reply, tenant, form.message, 400);
      const bad = await csrfRefusal(request, 'api-token-revoke', form.values.csrf);
      if (bad) return refused(request, reply, tenant, bad, 403);
      let notice = 'token_revoked';
      await revoke(request, tenant, session, form.values.id).catch((err: unknown) => {
        if (!(err instanceof AppError && err.code === 'not_found')) throw err;
        notice = 'token_unknown';
      });
      return reply
        .code(303)
        .header('location', `${base(tenant)}/account?notice=${notice}#api-tokens`)
        .send();
    },
  );

  // --- the account JSON API -----------------------------------------------------------------------
  const signedIn = async (request: FastifyRequest, write: boolean) => {
    const tenant = await kit.tenantOf(request);
    if (write && !csrf.sameOrigin(request))
      throw new AppError('csrf_failed', { detail: 'Origin must be this server' });
    const session = await sessionOf(request, tenant);
    if (!session) throw new AppError('unauthenticated', { detail: 'no session for this tenant' });
    return { tenant, session };
  };

  /** The signed-in user's active personal tokens (never a secret), newest first. */
  app.get('/account/api/tokens', { schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const { tenant, session } = await signedIn(request, false);
    return reply.header('cache-control', 'no-store').send({ items: await mine(tenant, session) });
  });

  /** Creates one (same-origin JSON; the page context takes forms only, so JSON is parsed here). */
  app.register(async (json) => {
    registerJsonBody(json);
    json.post(
      '/account/api/tokens',
      { schema: { hide: true, params: SlugParams, body: CreateBody } },
      async (request, reply) => {
        const { tenant, session } = await signedIn(request, true);
        const body = request.body as { name: string; scopes?: string[]; expiresInDays?: number };
        const created = await create(request, tenant, session, {
          name: body.name,
          scopes: body.scopes ?? [],
          ...(body.expiresInDays ? { expiresInDays: body.expiresInDays } : {}),
        });
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .send({ ...created.token, secret: created.secret });
      },
    );
  });

  /** Revokes one of the user's tokens (same-origin DELETE: no cross-site form can send it). */
  app.delete(
    '/account/api/tokens/:tokenId',
    { schema: { hide: true, params: Obj({ slug: Str({ max: 63 }), tokenId: Str({ max: 64 }) }) } },
    async (request, reply) => {
      const { tenant, session } = await signedIn(request, true);
      await revoke(request, tenant, session, (request.params as { tokenId: string }).tokenId);
      return reply.code(204).send();
    },
  );
}
