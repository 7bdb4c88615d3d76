/**
 * The login interaction of the per-tenant provider, at `/t/<slug>/interaction/<uid>` (the library's
 * `devInteractions` are off). Ordered steps:
 *   loadInteraction → requireSession (the hosted sign-in, back here through return_to) →
 *   requireFreshLogin (prompt=login, max_age) → requireMfa (acr_values asks for it: the MFA step-up
 *   page, `/t/<slug>/mfa/step-up`, back here when the session is an MFA one) → finishLogin;
 * then, for the consent prompt, a consent page (first-party clients never reach it: configuration.ts
 * grants what they ask for) whose POST grants the requested scopes or denies with access_denied.
 * Pages use the sign-in core's page shell, CSP and CSRF guard.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { TenantRef } from '../../access/principal.ts';
import type { AccountsService, PageKit } from '../accounts/index.ts';
import { ACR_MFA, html, readForm } from '../accounts/index.ts';
import type { OidcService } from './service.ts';

const UID = /^[A-Za-z0-9_-]{1,64}$/;

interface Details {
  uid: string;
  iat: number;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}

export interface InteractionDeps {
  oidc: OidcService;
  accounts: AccountsService;
  kit: PageKit;
}

function wantsMfa(details: Details): boolean {
  const acr = typeof details.params.acr_values === 'string' ? details.params.acr_values.split(' ') : [];
  return acr.includes(ACR_MFA);
}

function describeScope(scope: string): string {
  const known: Record<string, string> = {
    openid: 'Sign you in',
    profile: 'Your name and username',
    email: 'Your email address',
    groups: 'The groups you belong to',
    roles: 'Your roles',
    organizations: 'The organizations you belong to',
    offline_access: 'Stay signed in (keep access while you are away)',
  };
  return known[scope] ?? `Access “${scope}”`;
}

export const interactionPlugin: FastifyPluginAsync<InteractionDeps> = async (app, deps) => {
  const { oidc, accounts, kit } = deps;

  async function load(request: FastifyRequest, reply: FastifyReply) {
    const { uid } = request.params as { uid: string };
    const tenant = await kit.tenantOf(request);
    const found = UID.test(uid) ? await oidc.providerFor(tenant.slug) : null;
    if (!found) return null;
    const details = (await found.provider
      .interactionDetails(request.raw, reply.raw)
      .catch(() => null)) as Details | null;
    if (!details || details.uid !== uid) return null;
    return { tenant, provider: found.provider, details };
  }

  async function expired(request: FastifyRequest, reply: FastifyReply, tenant?: TenantRef) {
    const t = tenant ?? (await kit.tenantOf(request));
    return kit.send(request, reply, t, {
      status: 400,
      title: 'Sign-in expired',
      body: html`<div class="card"><h1>This sign-in request has expired</h1><p class="lead">Go back to the application and start again.</p></div>`,
    });
  }

  /**
   * Records the result and sends the browser on with a page, not a redirect: this request often ends
   * a redirect chain that began with a form post (sign-in, consent), and browsers apply that form's
   * CSP `form-action 'self'` to every redirect of the chain (CSP3 §6.4.1), which would block the final
   * hop to the client's redirect URI. A meta refresh starts a new navigation.
   */
  async function finish(provider: Provider, request: FastifyRequest, reply: FastifyReply, result: object) {
    const to = await provider.interactionResult(request.raw, reply.raw, result as never, {
      mergeWithLastSubmission: true,
    });
    const tenant = await kit.tenantOf(request);
    return kit.send(request, reply, tenant, {
      title: 'Continue',
      head: html`<meta http-equiv="refresh" content="0;url=${to}">`,
      body: html`<div class="card"><h1>Signing you in…</h1><p class="lead"><a href="${to}">Continue</a></p></div>`,
    });
  }

  app.get('/interaction/:uid', { schema: { hide: true } }, async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return expired(request, reply);
    const { tenant, provider, details } = loaded;
    const here = `/t/${tenant.slug}/interaction/${details.uid}`;

    if (details.prompt.name === 'login') {
      const session = await accounts.sessions.authenticate(tenant.id, request.headers.cookie);
      const fresh = !details.prompt.reasons.some((r) => r === 'login_prompt' || r === 'max_age');
      const signedInHere = session !== null && session.createdAt >= details.iat * 1000 - 1000;
      if (!session || (!fresh && !signedInHere)) {
        const url = new URL(accounts.signInUrl(tenant.slug, here), 'http://x');
        if (session) url.searchParams.set('prompt', 'login');
        return reply.redirect(`${url.pathname}${url.search}`, 303);
      }
      if (wantsMfa(details) && session.acr !== ACR_MFA)
        return reply.redirect(`/t/${tenant.slug}/mfa/step-up?return_to=${encodeURIComponent(here)}`, 303);
      return finish(provider, request, reply, {
        login: {
          accountId: session.userId,
          acr: session.acr,
          amr: session.amr,
          ts: Math.floor(session.createdAt / 1000),
        },
      });
    }

    if (details.prompt.name === 'consent') {
      const client = await provider.Client.find(String(details.params.client_id));
      const missing = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
      const resources = Object.entries(
        (details.prompt.details.missingResourceScopes as Record<string, string[]> | undefined) ?? {},
      );
      return kit.send(request, reply, tenant, {
        title: 'Allow access',
        body: html`<div class="card">
<h1>${client?.clientName ?? 'An application'} wants to</h1>
<ul>${missing.map((s) => html`<li>${describeScope(s)}</li>`)}${resources.map(
          ([aud, scopes]) => html`<li>Use ${aud}${scopes.length ? html` (${scopes.join(', ')})` : ''}</li>`,
        )}</ul>
<form method="post" action="${here}/confirm">
<input type="hidden" name="csrf" value="${accounts.csrf.token(request, reply, 'consent')}">
<button class="primary" type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</div>`,
      });
    }
    return expired(request, reply, tenant);
  });

  app.post('/interaction/:uid/confirm', { schema: { hide: true } }, async (request, reply) => {
    const form = readForm(request.body, { csrf: { max: 512 }, decision: { max: 8 } });
    const loaded = await load(request, reply);
    if (!loaded || !form.ok || loaded.details.prompt.name !== 'consent') return expired(request, reply);
    const { provider, details } = loaded;
    if (await accounts.csrf.verify(request, 'consent', form.values.csrf)) return expired(request, reply);
    if (form.values.decision !== 'allow')
      return finish(provider, request, reply, {
        error: 'access_denied',
        error_description: 'the user did not allow access',
      });
    const accountId = details.session?.accountId;
    if (!accountId) return expired(request, reply);
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (!grant) return expired(request, reply);
    const missing = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    if (missing.length) grant.addOIDCScope(missing.join(' '));
    const claims = (details.prompt.details.missingOIDCClaims as string[] | undefined) ?? [];
    if (claims.length) grant.addOIDCClaims(claims);
    for (const [aud, scopes] of Object.entries(
      (details.prompt.details.missingResourceScopes as Record<string, string[]> | undefined) ?? {},
    ))
      grant.addResourceScope(aud, scopes.join(' '));
    const grantId = await grant.save();
    return finish(provider, request, reply, { consent: { grantId } });
  });
};
