/**
 * Dynamic client registration (RFC 7591) — the protocol side, on oidc-provider's `registration`
 * feature (loaded with the engine, see service.ts). The library serves `POST <issuer>/reg` and its
 * errors; Gatekeeper adds:
 * - a gate: while the tenant's policy is off, `/reg` does not exist for it (404, as when the feature
 *   is off) and discovery does not announce `registration_endpoint`;
 * - an initial access token on every registration (the library's `InitialAccessToken`, minted by
 *   `gatekeeper clients registration-token` / the admin API), bound to the `gatekeeper` policy below;
 * - that policy: registered clients are public (`token_endpoint_auth_method: none`, so PKCE is
 *   required and no secret exists anywhere), use the authorization code (and refresh) grant only,
 *   every redirect URI obeys the clients' rules and one of the tenant's patterns (else the library's
 *   `invalid_redirect_uri`), and a client asking for no scope gets the tenant's default scopes;
 * - storage: the Client adapter's `upsert` creates an ordinary client of the clients capability,
 *   marked `dynamic` (its client_id is the library's generated one).
 */

import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import { checkRedirectUris } from '../clients/rules.ts';
import type { ClientsService } from '../clients/service.ts';
import { matchesPattern, type RegistrationPolicy } from './registration.ts';

export const REGISTRATION_POLICY = 'gatekeeper';

const ALLOWED_GRANTS = new Set(['authorization_code', 'refresh_token']);

type Properties = Record<string, unknown>;

function uris(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new errors.InvalidClientMetadata(`${field} must be an array of strings`);
  return value as string[];
}

/** The policy the library runs on each registration's properties before it validates them. */
export function applyRegistrationPolicy(policy: RegistrationPolicy, properties: Properties): void {
  const method = properties.token_endpoint_auth_method;
  if (method !== undefined && method !== 'none')
    throw new errors.InvalidClientMetadata(
      'token_endpoint_auth_method: dynamically registered clients are public clients ("none", with PKCE)',
    );
  properties.token_endpoint_auth_method = 'none';
  delete properties.client_secret;
  delete properties.client_secret_expires_at;

  const grants = properties.grant_types ?? ['authorization_code'];
  if (!Array.isArray(grants) || grants.some((g) => typeof g !== 'string' || !ALLOWED_GRANTS.has(g)))
    throw new errors.InvalidClientMetadata(
      'grant_types: dynamically registered clients use authorization_code (and refresh_token) only',
    );
  properties.grant_types = grants;
  properties.response_types = ['code'];

  for (const field of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
    const list = uris(properties[field], field);
    try {
      checkRedirectUris(list, field);
    } catch (err) {
      if (err instanceof AppError)
        throw new errors.InvalidClientMetadata(err.detail ?? `${field}: not allowed`);
      throw err;
    }
    const outside = list.find((u) => !policy.redirectUriPatterns.some((p) => matchesPattern(u, p)));
    if (outside !== undefined)
      throw new errors.InvalidClientMetadata(
        `${field}: ${outside.slice(0, 200)} is outside this tenant's registration policy`,
      );
  }
  if (properties.scope === undefined || properties.scope === '')
    properties.scope = policy.defaultScopes.join(' ') || undefined;
  if (typeof properties.client_name === 'string')
    properties.client_name = properties.client_name.slice(0, 100);
}

/** The `features.registration` of a tenant's configuration. */
export function registrationFeature(
  policy: () => Promise<RegistrationPolicy>,
): NonNullable<Configuration['features']>['registration'] {
  return {
    enabled: true,
    initialAccessToken: true,
    // RFC 7592: the registration answer carries registration_client_uri and a registration access
    // token bound to this client (its policies travel with it: an update passes the same policy)
    issueRegistrationAccessToken: true,
    policies: {
      async [REGISTRATION_POLICY](_ctx: KoaContextWithOIDC, properties: Properties) {
        applyRegistrationPolicy(await policy(), properties);
      },
    },
  };
}

/**
 * The Client adapter's `upsert`: a registered client becomes a (dynamic, public) Gatekeeper client;
 * an update through its registration access token (RFC 7592 PUT) replaces its registered metadata.
 */
export async function storeRegisteredClient(
  clients: ClientsService,
  tenantId: string,
  clientId: string,
  metadata: Properties,
): Promise<void> {
  const ctx: ActionContext = { actor: `client:${clientId}`, requestId: null };
  const name = `${typeof metadata.client_name === 'string' ? metadata.client_name : 'registered client'} · ${clientId.slice(0, 8)}`;
  try {
    // what a registration sets, at creation and at each update alike
    const fields = {
      name,
      redirectUris: uris(metadata.redirect_uris, 'redirect_uris'),
      postLogoutRedirectUris: uris(metadata.post_logout_redirect_uris, 'post_logout_redirect_uris'),
      grantTypes: uris(metadata.grant_types, 'grant_types') as never,
      scopes: typeof metadata.scope === 'string' ? metadata.scope.split(' ').filter(Boolean) : [],
      backchannelLogoutUri:
        typeof metadata.backchannel_logout_uri === 'string' ? metadata.backchannel_logout_uri : null,
    };
    const existing = await clients.byClientId(tenantId, clientId);
    if (existing) {
      // only a client registered at /reg holds a registration access token; never another one
      if (!existing.dynamic) throw new errors.InvalidClientMetadata('this client is not a registered one');
      await clients.update(tenantId, existing.id, fields, undefined, ctx);
      return;
    }
    await clients.create(tenantId, { ...fields, clientId, kind: 'public', firstParty: false }, ctx, {
      dynamic: true,
    });
  } catch (err) {
    if (err instanceof AppError && err.status < 500)
      throw new errors.InvalidClientMetadata(err.detail ?? 'the client cannot be registered');
    throw err;
  }
}

/** The Client adapter's `destroy` (RFC 7592 DELETE): a registered client deletes itself, no other. */
export async function removeRegisteredClient(
  clients: ClientsService,
  tenantId: string,
  clientId: string,
): Promise<void> {
  const existing = await clients.byClientId(tenantId, clientId);
  if (!existing?.dynamic) return;
  await clients.delete(tenantId, existing.id, undefined, { actor: `client:${clientId}`, requestId: null });
}

/**
 * Per request: while the tenant's policy is off, `/reg` answers as an unknown route and discovery
 * leaves `registration_endpoint` out (and `client_id_metadata_document_supported` while it accepts
 * no metadata-document clients). Other requests pass untouched.
 */
export function attachRegistrationGate(provider: Provider, policy: () => Promise<RegistrationPolicy>): void {
  provider.use(async (ctx, next) => {
    const path = ctx.path;
    const reg = path === '/reg' || path.startsWith('/reg/');
    const discovery = path.startsWith('/.well-known/');
    if (!reg && !discovery) return next();
    const current = await policy();
    const enabled = current.enabled;
    if (reg && !enabled) {
      ctx.status = 404;
      ctx.set('cache-control', 'no-store');
      ctx.body = {
        error: 'invalid_request',
        error_description: 'dynamic client registration is not enabled for this tenant',
      };
      return;
    }
    await next();
    if (!discovery || !ctx.body || typeof ctx.body !== 'object') return;
    const body = ctx.body as Record<string, unknown>;
    if (!enabled) delete body.registration_endpoint;
    if (!current.metadataDocuments) delete body.client_id_metadata_document_supported;
  });
}
