/**
 * Provider events onto Gatekeeper's one event bus (audit and webhooks subscribe there): every
 * issuance (grant type, client, subject, audience, scopes, signing key id — never a token), every
 * refusal with its OAuth error, every revocation and logout. `server_error` is logged with its stack.
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { EventBus } from '../../events/event-bus.ts';

interface TokenEntity {
  kind?: string;
  accountId?: string;
  clientId?: string;
  aud?: string | string[];
  scope?: string;
  grantId?: string;
  extra?: Record<string, unknown>;
  resourceServer?: { audience?: string; accessTokenFormat?: string };
}

const ISSUED = ['AccessToken', 'ClientCredentials', 'RefreshToken', 'IdToken'];

export function attachProviderEvents(
  provider: Provider,
  deps: {
    bus: EventBus;
    slug: string;
    kid: string;
    onServerError(err: unknown): void;
    /** A client obtained a token (dynamic clients record their last use). */
    onClientUsed?(clientId: string): void;
    /** The library's back-channel logout delivery (at RP-initiated logout) failed. */
    onBackchannelError?(clientId: string, sub: string, sid: string | undefined): void;
    /** RP-initiated logout succeeded in this browser (its cookie header). */
    onLogout(cookieHeader: string | undefined, requestId: string | null): void;
  },
): void {
  const { bus, slug, kid } = deps;
  const requestId = (ctx: KoaContextWithOIDC | undefined) => {
    const id = ctx?.get?.('x-request-id');
    return id && /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? id : null;
  };

  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const entities = (ctx.oidc?.entities ?? {}) as Record<string, TokenEntity | undefined>;
    const grantType = (ctx.oidc?.params as { grant_type?: string } | undefined)?.grant_type ?? null;
    const issued = ISSUED.filter((k) => entities[k]).map((k) => k);
    const token = entities.AccessToken ?? entities.ClientCredentials;
    const clientId = ctx.oidc?.client?.clientId ?? token?.clientId ?? null;
    const subject = token?.accountId ?? entities.Account?.accountId ?? null;
    const aud = token?.aud ?? token?.resourceServer?.audience ?? null;
    if (clientId) deps.onClientUsed?.(clientId);
    bus.emit({
      type: 'oidc.token_issued',
      tenant: slug,
      actor: clientId ? `client:${clientId}` : 'system',
      target: subject ? `user:${subject}` : null,
      result: 'success',
      requestId: requestId(ctx),
      data: {
        grantType,
        clientId,
        subject,
        audience: aud,
        scopes: token?.scope ? token.scope.split(' ') : [],
        issued,
        format: token?.resourceServer?.accessTokenFormat ?? 'opaque',
        kid,
        ...(token?.extra?.act ? { act: token.extra.act } : {}),
      },
    });
  });

  const refusal =
    (endpoint: string) =>
    (ctx: KoaContextWithOIDC, err: { error?: string; error_description?: string; status?: number }) => {
      if ((err.status ?? 500) >= 500) return;
      // a JWT access token at the revocation endpoint is Gatekeeper's to revoke (jwt-revocation.ts)
      if (endpoint === 'revocation' && err.error === 'unsupported_token_type') return;
      const clientId = ctx?.oidc?.client?.clientId ?? null;
      bus.emit({
        type: 'oidc.request_refused',
        tenant: slug,
        actor: clientId ? `client:${clientId}` : 'anonymous',
        target: null,
        result: 'denied',
        requestId: requestId(ctx),
        data: {
          endpoint,
          error: err.error ?? 'invalid_request',
          description: err.error_description?.slice(0, 300) ?? null,
          grantType: (ctx?.oidc?.params as { grant_type?: string } | undefined)?.grant_type ?? null,
          clientId,
        },
      });
    };
  for (const endpoint of [
    'grant',
    'authorization',
    'introspection',
    'revocation',
    'userinfo',
    'end_session',
    'device_authorization',
    'pushed_authorization_request',
    'registration_create',
  ])
    (provider.on as (e: string, h: (...a: never[]) => void) => void)(`${endpoint}.error`, refusal(endpoint));

  const revoked = (what: string) => (token: TokenEntity) => {
    bus.emit({
      type: 'oidc.token_revoked',
      tenant: slug,
      actor: token.clientId ? `client:${token.clientId}` : 'system',
      target: token.accountId ? `user:${token.accountId}` : null,
      result: 'success',
      data: {
        kind: what,
        clientId: token.clientId ?? null,
        subject: token.accountId ?? null,
        grantId: token.grantId ?? null,
      },
    });
  };
  provider.on('access_token.destroyed', revoked('AccessToken'));
  provider.on('client_credentials.destroyed', revoked('ClientCredentials'));
  provider.on('refresh_token.destroyed', revoked('RefreshToken'));
  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    bus.emit({
      type: 'oidc.grant_revoked',
      tenant: slug,
      actor: ctx?.oidc?.client?.clientId ? `client:${ctx.oidc.client.clientId}` : 'system',
      target: null,
      result: 'success',
      requestId: requestId(ctx),
      data: { grantId },
    });
  });
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    deps.onLogout(ctx.get('cookie') || undefined, requestId(ctx));
    bus.emit({
      type: 'oidc.logout',
      tenant: slug,
      actor: ctx?.oidc?.client?.clientId ? `client:${ctx.oidc.client.clientId}` : 'anonymous',
      target: ctx?.oidc?.session?.accountId ? `user:${ctx.oidc.session.accountId}` : null,
      result: 'success',
      requestId: requestId(ctx),
    });
  });
  provider.on(
    'registration_create.success',
    (ctx: KoaContextWithOIDC, client: { clientId: string; metadata(): Record<string, unknown> }) => {
      const meta = client.metadata();
      bus.emit({
        type: 'oidc.client_registered',
        tenant: slug,
        actor: ctx?.ip ? `ip:${ctx.ip}` : 'anonymous',
        target: `client_id:${client.clientId}`,
        result: 'success',
        requestId: requestId(ctx),
        data: {
          clientId: client.clientId,
          clientName: typeof meta.client_name === 'string' ? meta.client_name : null,
          redirectUris: meta.redirect_uris ?? [],
          scope: meta.scope ?? null,
        },
      });
    },
  );
  // RP-initiated logout: the library notifies the session's other relying parties itself
  const backchannel =
    (ok: boolean) =>
    (...args: unknown[]) => {
      const [ctx, err, client, accountId] = ok ? [args[0], undefined, args[1], args[2]] : args;
      bus.emit({
        type: 'oidc.backchannel_logout',
        tenant: slug,
        actor: 'system',
        target: typeof accountId === 'string' ? `user:${accountId}` : null,
        result: ok ? 'success' : 'failure',
        requestId: requestId(ctx as KoaContextWithOIDC | undefined),
        data: {
          clientId: (client as { clientId?: string } | undefined)?.clientId ?? null,
          attempt: 1,
          ...(ok ? {} : { error: String((err as Error | undefined)?.message ?? err).slice(0, 300) }),
        },
      });
    };
  (provider.on as (e: string, h: (...a: unknown[]) => void) => void)(
    'backchannel.success',
    backchannel(true),
  );
  (provider.on as (e: string, h: (...a: unknown[]) => void) => void)('backchannel.error', backchannel(false));
  (provider.on as (e: string, h: (...a: unknown[]) => void) => void)(
    'backchannel.error',
    (_ctx, _err, client, accountId, sid) => {
      const clientId = (client as { clientId?: string } | undefined)?.clientId;
      if (typeof clientId === 'string' && typeof accountId === 'string')
        deps.onBackchannelError?.(clientId, accountId, typeof sid === 'string' ? sid : undefined);
    },
  );
  provider.on('server_error', (_ctx: unknown, err: unknown) => deps.onServerError(err));
}
