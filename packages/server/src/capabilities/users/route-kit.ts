/**
 * What every users route shares: its OpenAPI tag and security scheme, and the audit context (actor
 * and request id) of the admin request that the admin guard has already authenticated.
 */
import type { FastifyRequest } from 'fastify';
import type { ActionContext } from '../../events/event-bus.ts';
import { principalOf } from '../../http/admin-guard.ts';

export const TAGS = ['users'];
export const SECURITY = [{ adminToken: [] }];
export const READ = { ability: 'users:read' };
export const WRITE = { ability: 'users:write' };

/** The audit context of an admin request. */
export function actionContext(request: FastifyRequest): ActionContext {
  return { actor: principalOf(request).actor, requestId: String(request.id) };
}
