/**
 * A tenant's sign-in settings (password policy, session lifetimes, lockout, branding): one JSON
 * document per tenant over the defaults, read through the invalidated cache (every page and every
 * session check needs them; a change reaches every instance within a second), written with If-Match
 * and an audit event.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { CacheMetrics, ChangeFeed } from '../../cache/index.ts';
import { createInvalidatedCache } from '../../cache/invalidated-cache.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import {
  DEFAULT_SIGN_IN_SETTINGS,
  type SignInSettings,
  SignInSettingsPatch,
  type SignInSettingsPatchInput,
} from './schemas.ts';
import type { AccountsStore } from './store.ts';

export interface VersionedSettings {
  settings: SignInSettings;
  version: number;
}

export interface SignInSettingsService {
  /** The tenant's settings (cached). */
  get(tenantId: string): Promise<SignInSettings>;
  getVersioned(tenantId: string): Promise<VersionedSettings>;
  update(
    tenantId: string,
    patch: SignInSettingsPatchInput,
    expected: number | undefined,
    ctx: ActionContext,
  ): Promise<VersionedSettings>;
  start(): void;
  stop(): void;
}

// compiled on first use with Ajv, which the server loads anyway (typebox/value is 300 modules more at
// start-up, for a check only the CLI makes: issue 6 §9)
let patchChecker: ValidateFunction | undefined;

/** Throws `validation_failed` unless `value` is a settings patch (the CLI's input; the API's is checked by its schema). */
export function checkSettingsPatch(value: unknown): SignInSettingsPatchInput {
  patchChecker ??= new Ajv({ strict: false, validateFormats: false, validateSchema: false }).compile(
    SignInSettingsPatch,
  );
  if (patchChecker(value)) return value as SignInSettingsPatchInput;
  const first = patchChecker.errors?.[0];
  const where = first?.instancePath ? `${first.instancePath.slice(1).replaceAll('/', '.')}: ` : '';
  throw new AppError('validation_failed', {
    detail: `${where}${first?.message ?? 'not a settings document'}`,
  });
}

/** The stored document over the defaults: a field added later gets its default. */
function merge(base: SignInSettings, patch: SignInSettingsPatchInput): SignInSettings {
  return {
    password: { ...base.password, ...patch.password },
    sessions: { ...base.sessions, ...patch.sessions },
    lockout: { ...base.lockout, ...patch.lockout },
    branding: { ...base.branding, ...patch.branding },
    alerts: { ...base.alerts, ...patch.alerts },
  };
}

/** What the accounts capability's per-tenant services (settings, logos) are built from. */
export interface TenantServiceDeps {
  store: AccountsStore;
  database: Database;
  bus: EventBus;
  changes: ChangeFeed;
  cacheMetrics?: CacheMetrics;
  slugOf(id: string): Promise<string>;
  now?: () => number;
}

export function createSignInSettings(deps: TenantServiceDeps): SignInSettingsService {
  const { store, database } = deps;
  const now = deps.now ?? Date.now;
  const load = async (tenantId: string): Promise<VersionedSettings> => {
    const row = await store.settings(tenantId);
    if (!row) return { settings: DEFAULT_SIGN_IN_SETTINGS, version: 0 };
    return { settings: merge(DEFAULT_SIGN_IN_SETTINGS, JSON.parse(row.settings)), version: row.version };
  };
  const cache = createInvalidatedCache<VersionedSettings>({
    name: 'sign-in-settings',
    feed: deps.changes,
    load,
    ttlMs: 60_000,
    maxEntries: 10_000,
    ...(deps.cacheMetrics ? { metrics: deps.cacheMetrics } : {}),
  });
  return {
    get: async (tenantId) => (await cache.get(tenantId)).settings,
    getVersioned: (tenantId) => cache.get(tenantId),
    async update(tenantId, input, expected, ctx) {
      const patch = checkSettingsPatch(input);
      return database.write(async () => {
        const current = await load(tenantId);
        if (expected !== undefined && expected !== current.version)
          throw new AppError('precondition_failed', { detail: 'the settings changed since they were read' });
        const settings = merge(current.settings, patch);
        const version = await store.putSettings(
          tenantId,
          JSON.stringify(settings),
          current.version || undefined,
          now(),
        );
        if (version === null)
          throw new AppError('precondition_failed', { detail: 'the settings changed since they were read' });
        await cache.invalidate(tenantId);
        deps.bus.emit({
          type: 'sign_in_settings.updated',
          tenant: await deps.slugOf(tenantId),
          actor: ctx.actor,
          target: null,
          result: 'success',
          requestId: ctx.requestId ?? null,
          data: { fields: Object.keys(patch) },
        });
        return { settings, version };
      });
    },
    start: () => cache.start(),
    stop: () => cache.stop(),
  };
}
