/**
 * Builds every capability's service over a runtime — the one place that knows how capabilities
 * depend on each other (services call services, never another capability's store). The HTTP app
 * and the CLI both use it, so a CLI command runs exactly the code an API call runs.
 */

import { type CredentialsService, createCredentialsService } from './capabilities/credentials/service.ts';
import { createCredentialStore } from './capabilities/credentials/store.ts';
import { createTenantsService, type TenantsService } from './capabilities/tenants/service.ts';
import { createTenantStore } from './capabilities/tenants/store.ts';
import type { Runtime } from './runtime.ts';

export interface Services {
  tenants: TenantsService;
  credentials: CredentialsService;
  /** Subscribes caches to invalidations and makes sure the root tenant exists. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createServices(rt: Runtime): Services {
  const { database, bus, state, settings } = rt;
  const tenants = createTenantsService({
    store: createTenantStore(database),
    database,
    bus,
    state,
    publicUrl: () => settings.get('publicUrl'),
  });
  const credentials = createCredentialsService({
    store: createCredentialStore(database),
    bus,
    state,
    slugOf: (id) => tenants.slugOf(id),
  });
  const startables = [tenants, credentials];
  return {
    tenants,
    credentials,
    async start() {
      for (const s of startables) await s.start();
      await tenants.ensureRoot();
    },
    async stop() {
      for (const s of startables.reverse()) await s.stop();
    },
  };
}
