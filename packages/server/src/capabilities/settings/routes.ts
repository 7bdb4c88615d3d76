/**
 * Runtime settings over the admin API (all-tenant credentials): `GET /settings` lists every setting
 * with its effective value and source (secrets masked); `PATCH /settings` stores runtime settings —
 * validated, atomically, announced to every instance, audited — without a restart.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { runtimeKeys } from '../../config/schema.ts';
import { principalOf } from '../../http/admin-guard.ts';
import { Str } from '../../http/schema-kit.ts';
import type { SettingsService } from './service.ts';

const SettingSchema = Type.Object({
  key: Type.String(),
  value: Type.String(),
  source: Type.Union(['default', 'file', 'env', 'flag', 'database'].map((s) => Type.Literal(s))),
  runtime: Type.Boolean(),
  secret: Type.Boolean(),
});

/** Runtime keys with string / integer / boolean values; each validated by the config schema. */
const PatchBody = Type.Object(
  Object.fromEntries(
    runtimeKeys.map((k) => [
      k,
      Type.Optional(
        Type.Union([Str({ max: 8192 }), Type.Integer({ minimum: -1e15, maximum: 1e15 }), Type.Boolean()]),
      ),
    ]),
  ),
  {
    additionalProperties: false,
    minProperties: 1,
    description: `Runtime settings: ${runtimeKeys.join(', ')}`,
  },
);

export function registerSettingsRoutes(app: FastifyInstance, deps: { settings: SettingsService }): void {
  const { settings } = deps;
  app.get(
    '/settings',
    {
      config: { ability: 'settings:read' },
      schema: {
        tags: ['settings'],
        summary: 'List every setting with its effective value and source (secrets masked)',
        response: { 200: Type.Object({ items: Type.Array(SettingSchema) }) },
      },
    },
    async () => ({ items: settings.list() }),
  );
  app.patch(
    '/settings',
    {
      config: { ability: 'settings:write' },
      schema: {
        tags: ['settings'],
        summary: 'Change runtime settings on every instance without a restart (all or nothing)',
        body: PatchBody,
        response: {
          200: Type.Object({ items: Type.Array(SettingSchema) }),
        },
      },
    },
    async (request) => {
      await settings.set(request.body as Record<string, unknown>, principalOf(request).actor);
      return { items: settings.list() };
    },
  );
}
