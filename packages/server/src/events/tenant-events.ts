/**
 * Emitting a tenant-scoped domain event: every capability names the tenant by slug (what operators
 * and auditors read), the caller as actor and the request id. One helper so that shape stays the same
 * everywhere. A tenant that vanished meanwhile (deleted) is named by its id instead of failing.
 */
import type { ActionContext, EventBus } from './event-bus.ts';

export type TenantEventEmitter = (
  tenantId: string,
  type: string,
  target: string,
  ctx: ActionContext,
  data?: Record<string, unknown>,
) => Promise<void>;

/** Creates the emitter for a capability: `emit(tenantId, 'group.created', 'group:<id>', ctx, data)`. */
export function createTenantEventEmitter(
  bus: EventBus,
  slugOf: (tenantId: string) => Promise<string>,
): TenantEventEmitter {
  return async (tenantId, type, target, ctx, data = {}) => {
    const tenant = await slugOf(tenantId).catch(() => tenantId);
    bus.emit({
      type,
      tenant,
      actor: ctx.actor,
      target,
      result: 'success',
      requestId: ctx.requestId ?? null,
      data: { ...data },
    });
  };
}
