/**
 * What every organization route shares: its OpenAPI tag and security scheme, the abilities the admin
 * guard checks (`orgs:read` for reads, `orgs:write` for changes), and the action context (actor and
 * request id) handed to the service for events.
 */
import type { FastifyRequest } from 'fastify';
import type { ActionContext } from '../../events/event-bus.ts';
import { principalOf } from '../../http/admin-guard.ts';
import type { OrganizationService } from './service.ts';

export interface OrganizationRoutesDeps {
  organizations: OrganizationService;
}

export const TAGS = ['organizations'];
export const SECURITY = [{ adminToken: [] }];
export const READ = { ability: 'orgs:read' };
export const WRITE = { ability: 'orgs:write' };

/** Who is acting, for events: the admin credential and the request id. */
export function actionContext(request: FastifyRequest): ActionContext {
  return { actor: principalOf(request).actor, requestId: String(request.id) };
}
