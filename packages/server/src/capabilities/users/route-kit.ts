/**
 * What every users route shares: its OpenAPI tag and security scheme, and the audit context (actor
 * and request id) of the admin request that the admin guard has already authenticated.
 */

export const TAGS = ['users'];
export const SECURITY = [{ adminToken: [] }];
export const READ = { ability: 'users:read' };
export const WRITE = { ability: 'users:write' };

export { actionContextOf as actionContext } from '../../http/admin-guard.ts';
