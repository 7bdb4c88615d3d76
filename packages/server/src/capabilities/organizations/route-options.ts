/**
 * What every organization route shares: its OpenAPI tag and security scheme, the abilities the admin
 * guard checks (`orgs:read` for reads, `orgs:write` for changes), and the action context (actor and
 * request id) handed to the service for events.
 */
import type { OrganizationService } from './service.ts';

export interface OrganizationRoutesDeps {
  organizations: OrganizationService;
}

export const TAGS = ['organizations'];
export const SECURITY = [{ adminToken: [] }];
export const READ = { ability: 'orgs:read' };
export const WRITE = { ability: 'orgs:write' };

export { actionContextOf as actionContext } from '../../http/admin-guard.ts';
