/**
 * Dynamic client registration (RFC 7591) — the protocol side, on oidc-provider's `registration`
 * feature (loaded with the engine, see service.ts). The library serves `POST <issuer>/reg` and its
 * errors; Gatekeeper adds:
 * - a gate: while the tenant's policy is off, `/reg` does not exist for it (404, as when the feature
 *   is off) and discovery does not announce `registration_endpoint`;
 * - an initial access token on every registration (the library's `InitialAccessToken`, minted by
 *   `gatekeeper clients registration-token` / the admin API), bound to the `gatekeeper` policy below;
 * - that policy: a registered client is public (`token_endpoint_auth_method: none`, also when it
 *   names none, so PKCE is required and no secret exists anywhere) — or, where the tenant allows
 *   confidential clients, `client_secret_basic` / `client_secret_post`; it uses the authorization
 *   code (and refresh) grant only, every redirect URI obeys the clients' rules and one of the
 *   tenant's patterns (else the library's `invalid_redirect_uri`), and a client asking for no scope
 *   gets the tenant's default scopes;
 * - storage: the Client adapter's `upsert` creates an ordinary client of the clients capability,
 *   marked `dynamic` (its client_id is the library's generated one);
 * - secrets: a confidential client's secret is Gatekeeper's own (a `gk_cls_` credential stored as a
 *   digest), not the library's: the library only ever holds a placeholder, and the registration
 *   answer carries the real secret, once (`client_secret_expires_at: 0`). A read or an update
 *   (RFC 7592) cannot show it again and leaves `client_secret` out; an update never changes it.
 */

import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import Provider, { errors } from 'oidc-provider';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import { checkRedirectUris } from '../clients/rules.ts';
import type { ClientsService } from '../clients/service.ts';
import { SECRET_PLACEHOLDER } from './client-metadata.ts';
import { matchesPattern, type RegistrationPolicy } from './registration.ts';

export const REGISTRATION_POLICY = 'gatekeeper';

const ALLOWED_GRANTS = new Set(['authorization_code', 'refresh_token']);
const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post']);
/** Where the registration's real secret waits for the answer (on the library's request context). */
const ISSUED_SECRET = Symbol('gatekeeper.issuedClientSecret');

type Properties = Record<string, unknown>;

function uris(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new errors.InvalidClientMetadata(`${field} must be an array of strings`);
  return value as string[];
}

/** The policy the library runs on each registration's properties before it validates them. */
export function applyRegistrationPolicy(policy: RegistrationPolicy, properties: Properties): void {
  const method = properties.token_endpoint_auth_method ?? 'none';
  if (typeof method === 'string' && SECRET_METHODS.has(method) && policy.confidentialClients) {
    // the library's own secret is never used: Gatekeeper issues the client's (see the header)
    properties.client_secret = SECRET_PLACEHOLDER;
    properties.client_secret_expires_at = 0;
  } else if (method === 'none') {
    properties.token_endpoint_auth_method = 'none';
    delete properties.client_secret;
    delete properties.client_secret_expires_at;
  } else
    throw new errors.InvalidClientMetadata(
      policy.confidentialClients
        ? 'token_endpoint_auth_method: none (a public client, with PKCE), client_secret_basic or client_secret_post'
        : 'token_endpoint_auth_method: dynamically registered clients are public clients ("none", with PKCE)',
    );

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
 * The Client adapter's `upsert`: a registered client becomes a dynamic Gatekeeper client (public, or
 * confidential with a secret of Gatekeeper's, handed to the registration answer); an update through
 * its registration access token (RFC 7592 PUT) replaces its registered metadata — never its kind.
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
    const authMethod = (
      typeof metadata.token_endpoint_auth_method === 'string' ? metadata.token_endpoint_auth_method : 'none'
    ) as 'none' | 'client_secret_basic' | 'client_secret_post';
    const kind = authMethod === 'none' ? 'public' : 'confidential';
    const existing = await clients.byClientId(tenantId, clientId);
    if (existing) {
      // only a client registered at /reg holds a registration access token; never another one
      if (!existing.dynamic) throw new errors.InvalidClientMetadata('this client is not a registered one');
      if (existing.kind !== kind)
        throw new errors.InvalidClientMetadata(
          `token_endpoint_auth_method: a ${existing.kind} client stays ${existing.kind} (register a new one)`,
        );
      await clients.update(
        tenantId,
        existing.id,
        { ...fields, authMethod: authMethod as never },
        undefined,
        ctx,
      );
      return;
    }
    const { clientSecret } = await clients.create(
      tenantId,
      { ...fields, clientId, kind, authMethod: authMethod as never, firstParty: false },
      ctx,
      { dynamic: true },
    );
    const request = Provider.ctx as unknown as Record<symbol, unknown> | undefined;
    if (clientSecret && request) request[ISSUED_SECRET] = clientSecret;
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
    if (!ctx.body || typeof ctx.body !== 'object') return;
    const body = ctx.body as Record<string, unknown>;
    if (reg) {
      // a registration answer carries the secret Gatekeeper issued; nothing else shows one
      const issued = (ctx as unknown as Record<symbol, unknown>)[ISSUED_SECRET];
      if (typeof issued === 'string' && ctx.status === 201) {
        body.client_secret = issued;
        body.client_secret_expires_at = 0;
      } else if (body.client_secret === SECRET_PLACEHOLDER) delete body.client_secret;
      return;
    }
    if (!enabled) delete body.registration_endpoint;
    if (!current.metadataDocuments) delete body.client_id_metadata_document_supported;
  });
}
