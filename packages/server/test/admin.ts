/**
 * Admin API test harness: a real app (see runtime.ts) plus a root token and helpers to create
 * tenants, mint scoped tokens and call the API with `inject()`.
 */
import type { LightMyRequestResponse } from 'fastify';
import { createTestRuntime, type TestRuntime, type TestRuntimeOptions } from './runtime.ts';

export interface AdminTestApp extends TestRuntime {
  rootToken: string;
  /** Creates a tenant through the service; returns its slug. */
  tenant(slug: string): Promise<string>;
  /** Mints an admin API token scoped to a tenant slug (or all tenants with null). */
  token(tenantSlug: string | null, abilities: string[]): Promise<string>;
  call(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    options?: {
      token?: string | null;
      body?: unknown;
      headers?: Record<string, string>;
      /** The client address (failed authentications are counted per address). */
      remoteAddress?: string;
    },
  ): Promise<LightMyRequestResponse>;
}

export async function createAdminTestApp(options: TestRuntimeOptions = {}): Promise<AdminTestApp> {
  const t = await createTestRuntime(options);
  const ctx = { actor: 'test' };
  const rootToken = (
    await t.services.credentials.issue(
      { kind: 'adm', tenantId: null, ownerType: 'system', name: 'test root', abilities: ['*'] },
      ctx,
    )
  ).secret;
  return {
    ...t,
    rootToken,
    async tenant(slug) {
      await t.services.tenants.create({ slug, displayName: slug }, ctx);
      return slug;
    },
    async token(tenantSlug, abilities) {
      const tenantId = tenantSlug === null ? null : (await t.services.tenants.resolve(tenantSlug)).id;
      return (
        await t.services.credentials.issue(
          { kind: 'adm', tenantId, ownerType: 'system', name: 'test', abilities },
          ctx,
        )
      ).secret;
    },
    call(method, url, opts = {}) {
      const token = opts.token === undefined ? rootToken : opts.token;
      return t.app.inject({
        method,
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...opts.headers },
        ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
        ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
      });
    },
  };
}
