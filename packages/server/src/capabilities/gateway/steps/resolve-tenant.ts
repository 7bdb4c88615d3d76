/**
 * resolveTenant: the tenant whose issuer path was called (`/t/<slug>/authz`, `/authz` = root) must
 * exist and be active — a suspended tenant's routes allow nothing.
 */
import { deny } from '../reasons.ts';
import type { AuthzStep } from './step.ts';

export const resolveTenant: AuthzStep = {
  name: 'resolveTenant',
  async run(ctx, deps) {
    const tenant = await deps.resolveTenant(ctx.input.tenantSlug);
    if (!tenant) return deny('tenant_unknown', `no tenant "${ctx.input.tenantSlug.slice(0, 64)}"`);
    if (tenant.status !== 'active') return deny('tenant_suspended');
    ctx.tenant = tenant;
    if (ctx.trace) ctx.note(`tenant ${tenant.slug}`);
    return undefined;
  },
};
