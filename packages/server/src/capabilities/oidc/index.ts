/**
 * The oidc capability: OAuth 2 / OpenID Connect provider per tenant on oidc-provider (mount.ts),
 * its storage (adapter.ts), signing keys (signing-keys.ts), resource servers and trust links
 * (resources.ts), and the admin API over them (routes.ts).
 */
export { createAccountLookup } from './account.ts';
export { matchProviderUrl, registerOidcMount } from './mount.ts';
export { createOidcService, type OidcService } from './service.ts';
