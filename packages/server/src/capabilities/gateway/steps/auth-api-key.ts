/**
 * The `api_key` mode: a personal or service API token (`gk_pat_…`, `gk_svc_…`) in
 * `Authorization: Bearer` or `X-API-Key`. Checked by the api-tokens service from cached digests:
 * revoked, expired, another tenant's, a disabled owner's or a disabled client's token is refused
 * with its own reason; an admin API token (`gk_adm_…`) is never one.
 */
import type { TokenRefusal } from '../../api-tokens/index.ts';
import { type DenyReason, deny } from '../reasons.ts';
import { bearerOf, looksLikeJwt, type ModeCheck } from './mode.ts';
import { headerOf } from './step.ts';

const REFUSALS: Record<TokenRefusal, DenyReason> = {
  malformed: 'invalid_token',
  wrong_kind: 'wrong_credential_kind',
  unknown: 'credential_unknown',
  revoked: 'credential_revoked',
  expired: 'credential_expired',
  wrong_tenant: 'wrong_tenant',
  owner_inactive: 'owner_inactive',
  client_disabled: 'client_disabled',
};

export const apiKeyMode: ModeCheck = {
  mode: 'api_key',
  presented(ctx) {
    if (headerOf(ctx, 'x-api-key') !== undefined) return true;
    const bearer = bearerOf(ctx);
    return bearer !== undefined && !looksLikeJwt(bearer);
  },
  async verify(ctx, deps) {
    const secret = headerOf(ctx, 'x-api-key')?.trim() ?? bearerOf(ctx) ?? '';
    if (secret.length === 0 || secret.length > 512) return deny('invalid_token', 'empty or oversize token');
    const result = await deps.authenticateToken(ctx.tenant!.id, secret);
    if (typeof result === 'string') return deny(REFUSALS[result], `API token refused: ${result}`);
    ctx.caller = {
      via: 'api_key',
      client: result.client,
      userId: result.userId,
      roles: result.roles,
      tokenId: result.tokenId,
      scopes: result.scopes,
    };
    if (ctx.trace) ctx.note(`${result.kind === 'pat' ? 'personal' : 'service'} token ${result.tokenId}`);
    return undefined;
  },
  challenge: (realm) => `Bearer realm="${realm}"`,
};
