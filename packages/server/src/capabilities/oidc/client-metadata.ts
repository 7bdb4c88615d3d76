/**
 * A Gatekeeper client (capabilities/clients) as oidc-provider client metadata (RFC 7591 §2 names).
 * Secrets are credentials stored as digests, so the provider never holds one: `client_secret` is a
 * placeholder the schema needs, and `compareClientSecret` is answered by the clients service (see
 * provider-pool.ts). Symmetric (HS*) algorithms are therefore not offered.
 */
import type { ClientRecord } from '../clients/service.ts';
import type { AdapterPayload } from './adapter.ts';
import type { ClientTag } from './configuration.ts';

export const SECRET_PLACEHOLDER = 'verified-by-digest-never-compared-directly';

export function clientMetadataOf(
  client: ClientRecord,
  opts: { alg: string; supportedScopes: readonly string[] },
): AdapterPayload | undefined {
  if (client.status !== 'active') return undefined;
  const grants = client.grantTypes as string[];
  const tag: ClientTag = {
    id: client.id,
    firstParty: client.firstParty,
    accessTokenTtl: client.accessTokenTtl,
    refreshTokenTtl: client.refreshTokenTtl,
    idTokenTtl: client.idTokenTtl,
    claimMapping: client.claimMapping,
  };
  const usesSecret =
    client.authMethod === 'client_secret_basic' || client.authMethod === 'client_secret_post';
  return {
    client_id: client.clientId,
    client_name: client.name,
    ...(usesSecret ? { client_secret: SECRET_PLACEHOLDER } : {}),
    token_endpoint_auth_method: client.authMethod,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    grant_types: grants,
    response_types: grants.includes('authorization_code') ? ['code'] : [],
    // OIDC scopes the client may ask for; API scopes are governed per resource server (configuration.ts)
    scope: client.scopes.filter((sc) => opts.supportedScopes.includes(sc)).join(' ') || undefined,
    id_token_signed_response_alg: opts.alg,
    application_type: client.redirectUris.some((u) => !/^https?:/.test(u)) ? 'native' : 'web',
    ...(client.jwks ? { jwks: client.jwks } : {}),
    ...(client.jwksUri ? { jwks_uri: client.jwksUri } : {}),
    ...(client.backchannelLogoutUri
      ? { backchannel_logout_uri: client.backchannelLogoutUri, backchannel_logout_session_required: true }
      : {}),
    gatekeeper: tag,
  };
}
