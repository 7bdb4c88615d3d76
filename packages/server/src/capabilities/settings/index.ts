/**
 * The settings capability's public surface: runtime settings (the highest configuration source,
 * changed without a restart on every process) and their admin routes (`/settings`).
 */
import type { FastifyPluginAsync } from 'fastify';
import { registerSettingsRoutes } from './routes.ts';
import type { SettingsService } from './service.ts';

export { settingErrors } from './errors.ts';
export {
  createSettingsService,
  SETTINGS_CHANNEL,
  type SettingsDeps,
  type SettingsService,
  type SettingView,
} from './service.ts';
export { createSettingsStore, type SettingsStore } from './store.ts';

/** The settings routes, registered at the admin API root behind the admin guard. */
export const settingsPlugin: FastifyPluginAsync<{ settings: SettingsService }> = async (
  app,
  { settings },
) => {
  registerSettingsRoutes(app, { settings });
};
