/**
 * Builds every capability's service over a runtime — the one place that knows how capabilities
 * depend on each other (services call services, never another capability's store). The HTTP app
 * and the CLI both use it, so a CLI command runs exactly the code an API call runs.
 */
import { type CredentialsService, createCredentialsService } from './capabilities/credentials/service.ts';
import { createCredentialStore } from './capabilities/credentials/store.ts';
import {
  createGroupStore,
  createGroupsService,
  createMembershipStore,
  type GroupsService,
} from './capabilities/groups/index.ts';
import {
  createOrganizationService,
  createOrganizationStore,
  type OrganizationService,
} from './capabilities/organizations/index.ts';
import {
  createAssignmentStore,
  createEffectiveAccess,
  createRoleStore,
  createRolesService,
  type EffectiveAccessService,
  type RolesService,
} from './capabilities/roles/index.ts';
import { createTenantsService, type TenantsService } from './capabilities/tenants/service.ts';
import { createTenantStore } from './capabilities/tenants/store.ts';
import type { Runtime } from './runtime.ts';

export interface Services {
  tenants: TenantsService;
  credentials: CredentialsService;
  roles: RolesService;
  access: EffectiveAccessService;
  groups: GroupsService;
  organizations: OrganizationService;
  /** Subscribes caches to invalidations and makes sure the root tenant and its roles exist. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createServices(rt: Runtime): Services {
  const { database, bus, state, settings } = rt;
  const slugOf = (id: string) => tenants.slugOf(id);

  const assignments = createAssignmentStore(database);
  const access = createEffectiveAccess({ assignments, state });
  const roles = createRolesService({
    store: createRoleStore(database),
    assignments,
    database,
    bus,
    access,
    slugOf,
  });
  const tenants: TenantsService = createTenantsService({
    store: createTenantStore(database),
    database,
    bus,
    state,
    publicUrl: () => settings.get('publicUrl'),
    onCreated: (tenantId) => roles.seedBuiltinRoles(tenantId),
  });
  const credentials = createCredentialsService({
    store: createCredentialStore(database),
    bus,
    state,
    slugOf,
  });
  const groups = createGroupsService({
    store: createGroupStore(database),
    memberships: createMembershipStore(database),
    database,
    bus,
    access,
    slugOf,
  });
  const organizations = createOrganizationService({ store: createOrganizationStore(database), bus });

  const startables = [tenants, credentials, access];
  return {
    tenants,
    credentials,
    roles,
    access,
    groups,
    organizations,
    async start() {
      for (const s of startables) await s.start();
      const root = await tenants.ensureRoot();
      await roles.seedBuiltinRoles(root.id);
    },
    async stop() {
      for (const s of [...startables].reverse()) await s.stop();
    },
  };
}
