/**
 * `configurationFor(tenant)`: the oidc-provider configuration of one tenant, with its dependencies
 * explicit (design note §4). Gatekeeper supplies storage (adapter.ts), accounts (account.ts), keys
 * (signing-keys.ts), resource servers and trust links (resources.ts), cookie keys derived from the
 * master keys, and the interaction URL of its hosted sign-in; the protocol is the library's.
 *
 * Rules enforced here rather than by the library's defaults:
 * - client credentials only through a trust link (RFC 6749 §4.4 leaves the audience to the AS);
 * - the audience of every access token is a registered resource server (RFC 8707), whose format
 *   decides JWT (RFC 9068, signed by the tenant's current key) or opaque;
 * - refresh tokens always rotate; a rotated one presented again revokes the whole grant (the
 *   library's reuse detection), except inside the configured grace window (adapter, grace.ts);
 * - introspection answers `active: false` once the token's user is disabled, its client disabled or
 *   deleted, or the trust link it was issued through deleted.
 */
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { errors, interactionPolicy } from 'oidc-provider';
import { hasAbility } from '../../access/principal.ts';
import { ACR_MFA, ACR_PASSWORD } from '../accounts/sessions.ts';
import type { AccountLookup } from './account.ts';
import type { AdapterPayload, OidcAdapter } from './adapter.ts';
import type { ClaimMapping } from './claims.ts';
import { delegatedClaims } from './delegation.ts';
import { grantRefOf } from './jwt-revocation.ts';
import { metadataClientAllowed, type RegistrationPolicy } from './registration.ts';
import { registrationFeature } from './registration-protocol.ts';
import type { ResourcePolicy } from './resources.ts';
import { signingKeysOf } from './signer.ts';
import type { KeySet } from './signing-keys.ts';

export interface TenantOidcDeps {
  tenantId: string;
  slug: string;
  keySet: KeySet;
  adapter: (model: string) => OidcAdapter;
  accounts: AccountLookup;
  policy(): Promise<ResourcePolicy>;
  /** The tenant's dynamic client registration policy (registration.ts). */
  registrationPolicy(): Promise<RegistrationPolicy>;
  /** The client's Gatekeeper record id and status by client_id (cached), for policy checks. */
  clientRecord(clientId: string): Promise<{ id: string; status: string } | null>;
  cookieKeys: string[];
  ttl: { accessToken(): number; idToken(): number; refreshToken(): number };
  /** The user signed in to Gatekeeper in this browser (the hosted sign-in's session), or null. */
  signedIn(cookieHeader: string | undefined): Promise<string | null>;
  /** Cookies carry `Secure` unless the public URL is plain http (localhost development). */
  secureCookies: boolean;
  /** Outbound fetches (client ID metadata documents, jwks_uri); absent: the library's (outbound-fetch.ts). */
  fetch?: Configuration['fetch'];
}

/** Our record of a client, carried in its metadata (extraClientMetadata `gatekeeper`). */
export interface ClientTag {
  id: string;
  firstParty: boolean;
  accessTokenTtl: number | null;
  refreshTokenTtl: number | null;
  idTokenTtl: number | null;
  /** Claims included without their scope and renamed (claims.ts), or null. */
  claimMapping: ClaimMapping | null;
}

const tagOf = (client: unknown): ClientTag | undefined =>
  (client as { gatekeeper?: ClientTag } | undefined)?.gatekeeper;

export const OIDC_SCOPES = [
  'openid',
  'offline_access',
  'profile',
  'email',
  'groups',
  'roles',
  'organizations',
];

/** The user a token is being issued for (the code, refresh token or device code it comes from). */
function accountOf(ctx: KoaContextWithOIDC): string | undefined {
  const e = ctx.oidc.entities as Record<string, { accountId?: string } | undefined>;
  return (
    e.AuthorizationCode?.accountId ??
    e.RefreshToken?.accountId ??
    e.DeviceCode?.accountId ??
    e.BackchannelAuthenticationRequest?.accountId ??
    ctx.oidc.session?.accountId ??
    undefined
  );
}

function grantTypeOf(ctx: KoaContextWithOIDC): string | undefined {
  const params = ctx.oidc?.params as { grant_type?: unknown } | undefined;
  return typeof params?.grant_type === 'string' ? params.grant_type : undefined;
}

export function configurationFor(d: TenantOidcDeps): Configuration {
  const { keySet } = d;
  return {
    adapter: d.adapter as unknown as Configuration['adapter'],
    findAccount: (ctx, sub) =>
      d.accounts.find(d.tenantId, sub, { include: tagOf(ctx?.oidc?.client)?.claimMapping?.include ?? [] }),
    // node:crypto signers imported once per key set (signer.ts)
    jwks: { keys: signingKeysOf(keySet) },
    cookies: {
      keys: d.cookieKeys,
      long: { signed: true, secure: d.secureCookies, sameSite: 'lax' },
      short: { signed: true, secure: d.secureCookies, sameSite: 'lax' },
    },
    ...(d.fetch ? { fetch: d.fetch } : {}),
    // a client's metadata document is small (the library's 5 KiB); key sets too
    fetchResponseBodyLimits: {
      'client_id metadata document': 5 * 1024,
      jwks_uri: 64 * 1024,
      sector_identifier_uri: 64 * 1024,
    },
    claims: {
      // acr and amr (RFC 8176, from the Gatekeeper session) in every ID token, not only when asked
      // for: relying parties decide on them (step-up, phishing-resistant sign-in)
      openid: ['sub', 'acr', 'amr'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale', 'picture', 'updated_at'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
      roles: ['roles'],
      organizations: ['organizations'],
    },
    scopes: OIDC_SCOPES,
    conformIdTokenClaims: false,
    acrValues: [ACR_PASSWORD, ACR_MFA],
    clientDefaults: {
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: keySet.alg,
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    responseTypes: ['code', 'none'],
    extraClientMetadata: {
      properties: ['gatekeeper'],
      validator(_ctx, key, value) {
        if (key === 'gatekeeper' && value !== undefined && (typeof value !== 'object' || value === null))
          throw new errors.InvalidClientMetadata('gatekeeper must be an object');
      },
    },
    interactions: {
      url: (_ctx, interaction) => `/t/${d.slug}/interaction/${interaction.uid}`,
      policy: loginPolicy(d),
    },
    features: {
      devInteractions: { enabled: false },
      externalSigningSupport: { enabled: true, ack: 'experimental-01' },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        async allowedPolicy(ctx, client, token) {
          // a public client may only introspect its own tokens (the library's default rule)
          if (client.clientAuthMethod === 'none' && token.clientId !== ctx.oidc.client?.clientId)
            return false;
          return stillValid(d, token as unknown as TokenLike, (id) =>
            ctx.oidc.provider.Client.find(id).catch(() => undefined),
          );
        },
      },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      deviceFlow: { enabled: true },
      dPoP: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      backchannelLogout: { enabled: true },
      claimsParameter: { enabled: false },
      // RFC 7591, gated per request by the tenant's policy (registration-protocol.ts)
      registration: registrationFeature(d.registrationPolicy),
      // RFC 7592: a registered client reads, updates (under the same policy) and deletes itself with
      // its registration access token, which each update replaces
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
      // the tenant's policy decides which metadata-document clients it accepts, asked before a fetch
      // and on every use of one (fetched or cached), so a block takes effect at once (registration.ts)
      clientIdMetadataDocument: {
        enabled: true,
        ack: 'draft-02',
        allowFetch: async (_ctx: unknown, clientId: string) =>
          metadataClientAllowed(await d.registrationPolicy(), clientId),
        allowClient: async (_ctx: unknown, client: { clientId: string }) =>
          metadataClientAllowed(await d.registrationPolicy(), client.clientId),
      } as never,
      resourceIndicators: {
        enabled: true,
        async defaultResource(ctx, client, oneOf) {
          if (oneOf) return oneOf;
          if (grantTypeOf(ctx) !== 'client_credentials') return undefined as never;
          const tag = tagOf(client);
          const links = tag ? (await d.policy()).linksOf(tag.id) : [];
          if (links.length === 1) return links[0]!.audience;
          throw new errors.InvalidTarget(
            links.length === 0
              ? 'this client has no trust link to any resource server'
              : 'the resource parameter is required: this client is trusted by several resource servers',
          );
        },
        useGrantedResource: async () => true,
        async getResourceServerInfo(ctx, resourceIndicator, client) {
          const policy = await d.policy();
          const rs = policy.byIdentifier.get(resourceIndicator);
          if (!rs) throw new errors.InvalidTarget('unknown resource server');
          let scopes = rs.scopes;
          if (grantTypeOf(ctx) === 'client_credentials') {
            const tag = tagOf(client);
            const link = tag ? policy.links.get(`${tag.id} ${rs.identifier}`) : undefined;
            if (!link)
              throw new errors.InvalidTarget('no trust link from this client to the resource server');
            scopes = link.scopes;
          } else {
            // a user's token carries only what the user may do: the API's scopes their effective
            // permissions cover, asked at every issuance (consent, code, refresh, device), so a
            // permission taken away is gone from the next token
            const accountId = accountOf(ctx);
            if (accountId) {
              const held = await d.accounts.permissions(d.tenantId, accountId);
              scopes = scopes.filter((sc) => hasAbility(held, sc));
            }
          }
          return {
            scope: scopes.join(' '),
            audience: rs.identifier,
            accessTokenTTL: rs.accessTokenTtl ?? tagOf(client)?.accessTokenTtl ?? d.ttl.accessToken(),
            accessTokenFormat: rs.tokenFormat,
            ...(rs.tokenFormat === 'jwt' ? { jwt: { sign: { alg: keySet.alg } } } : {}),
          };
        },
      },
    },
    pkce: {
      // S256 only (the library has no `plain`); required for public clients, optional for others
      required: (_ctx, client) => client.clientAuthMethod === 'none',
    },
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: () => true,
    // delegated tokens name their actor; a JWT access token of a grant carries its grant reference,
    // by which revoking the grant's tokens reaches it too (jwt-revocation.ts)
    extraTokenClaims: async (_ctx, token) => {
      const t = token as { grantId?: string; resourceServer?: { accessTokenFormat?: string } };
      const grant =
        t.grantId && t.resourceServer?.accessTokenFormat === 'jwt'
          ? { grant_ref: grantRefOf(t.grantId) }
          : {};
      const act = delegatedClaims(token);
      return act || grant.grant_ref ? { ...act, ...grant } : undefined;
    },
    ttl: {
      AccessToken: (_ctx, token, client) =>
        (token as { resourceServer?: { accessTokenTTL?: number } }).resourceServer?.accessTokenTTL ??
        tagOf(client)?.accessTokenTtl ??
        d.ttl.accessToken(),
      ClientCredentials: (_ctx, token, client) =>
        (token as { resourceServer?: { accessTokenTTL?: number } }).resourceServer?.accessTokenTTL ??
        tagOf(client)?.accessTokenTtl ??
        d.ttl.accessToken(),
      IdToken: (_ctx, _token, client) => tagOf(client)?.idTokenTtl ?? d.ttl.idToken(),
      RefreshToken: (_ctx, _token, client) => tagOf(client)?.refreshTokenTtl ?? d.ttl.refreshToken(),
      AuthorizationCode: 60,
      DeviceCode: 600,
      Interaction: 3600,
      Grant: 14 * 86_400,
      Session: 14 * 86_400,
    },
    // the library's error page, without its notice: the OAuth error and its description, escaped
    async renderError(ctx, out) {
      const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      ctx.type = 'html';
      ctx.set('cache-control', 'no-store');
      ctx.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head><body><h1>${esc(out.error)}</h1><p>${esc(out.error_description)}</p></body></html>`;
    },
    async loadExistingGrant(ctx) {
      const grantId =
        (ctx.oidc.result as { consent?: { grantId?: string } } | undefined)?.consent?.grantId ??
        ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      // a first-party client needs no consent: the scopes it asks for are granted as asked
      if (!tagOf(ctx.oidc.client)?.firstParty || !ctx.oidc.session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      const scope = (ctx.oidc.params as { scope?: string } | undefined)?.scope;
      if (scope) grant.addOIDCScope(scope);
      const resource = ctx.oidc.params?.resource as string | string[] | undefined;
      for (const r of typeof resource === 'string' ? [resource] : (resource ?? []))
        grant.addResourceScope(r, scope ?? '');
      await grant.save();
      return grant;
    },
  };
}

/**
 * The library's prompts, with one more login check: the provider's own session lasts only as long
 * as the Gatekeeper session it was made from (signing out of Gatekeeper, or another user signing in
 * in this browser, asks for a login again).
 */
function loginPolicy(d: TenantOidcDeps) {
  const { Check, base } = interactionPolicy;
  const policy = base();
  policy.get('login')!.checks.add(
    new Check('gatekeeper_session', 'the Gatekeeper session ended', async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return Check.NO_NEED_TO_PROMPT; // the library asks for a login anyway
      // acr_values asking for MFA (a voluntary claim the library does not enforce) after a password login
      const acrValues =
        (ctx.oidc.params as { acr_values?: string } | undefined)?.acr_values?.split(' ') ?? [];
      if (acrValues.includes(ACR_MFA) && ctx.oidc.session?.acr !== ACR_MFA) return Check.REQUEST_PROMPT;
      const user = await d.signedIn(ctx.get('cookie'));
      return user === accountId ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

interface TokenLike {
  kind: string;
  clientId?: string;
  accountId?: string;
  aud?: string | string[];
  iat?: number;
  scope?: string;
  extra?: Record<string, unknown>;
}

/** Whether a stored token's user, client and (for service tokens) trust link still stand. */
async function stillValid(
  d: TenantOidcDeps,
  token: TokenLike,
  findClient: (clientId: string) => Promise<unknown>,
): Promise<boolean> {
  if (token.accountId && !(await d.accounts.isActive(d.tenantId, token.accountId))) return false;
  const client = token.clientId ? await d.clientRecord(token.clientId) : null;
  const delegated = token.extra !== undefined && 'act' in token.extra;
  // a client known only by its metadata document (no record): valid while the document is
  if (!client && token.clientId?.startsWith('https://') && token.kind !== 'ClientCredentials' && !delegated)
    return (
      ((await findClient(token.clientId)) as { clientIdMetadataDocument?: boolean } | undefined)
        ?.clientIdMetadataDocument === true
    );
  if (client?.status !== 'active') return false;
  if (token.kind !== 'ClientCredentials' && !delegated) return true;
  const policy = await d.policy();
  const audiences = token.aud === undefined ? [] : Array.isArray(token.aud) ? token.aud : [token.aud];
  if (audiences.length === 0) return false;
  return audiences.every((aud) => {
    const link = policy.links.get(`${client.id} ${aud}`);
    if (!link || link.createdAtMs > (token.iat ?? 0) * 1000 + 1000) return false;
    if (delegated && !link.delegation) return false;
    const scopes = (token.scope ?? '').split(' ').filter(Boolean);
    return scopes.every((s) => link.scopes.includes(s));
  });
}

export type { AdapterPayload };
