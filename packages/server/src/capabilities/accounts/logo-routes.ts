/**
 * The admin API of a tenant's uploaded logo, `/tenants/{tenant}/sign-in-settings/logo`: `PUT` the
 * image as the raw body (`image/png`, `image/jpeg` or `image/webp`; at most 256 KiB; SVG refused),
 * `GET` its description, `DELETE` it. In its own context, so the image parsers stay here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AppError } from '../../errors/app-error.ts';
import { actionContextOf as ctxOf, tenantOf } from '../../http/admin-guard.ts';
import { Int, Obj, Str } from '../../http/schema-kit.ts';
import type { LogoInfo } from './logo.ts';
import { LOGO_MAX_BYTES, LOGO_TYPES } from './logo-image.ts';
import { TenantParams } from './schemas.ts';
import type { AccountsService } from './service.ts';

const TAGS = ['sign-in settings'];

export const LogoSchema = Obj({
  contentType: Type.Union(LOGO_TYPES.map((t) => Type.Literal(t))),
  digest: Str({ max: 64, description: 'SHA-256 of the stored (cleaned) image, hex' }),
  size: Int({ description: 'Bytes stored (metadata removed)' }),
  width: Int(),
  height: Int(),
  updatedAt: Type.String({ format: 'date-time' }),
  url: Str({ max: 200, description: 'Where the hosted pages serve it (immutable; cached for a year)' }),
});

const imageBody = {
  content: Object.fromEntries(
    LOGO_TYPES.map((t) => [
      t,
      {
        schema: Str({
          min: 0,
          max: Number.MAX_SAFE_INTEGER,
          description: `A ${t.slice(6).toUpperCase()} image`,
        }),
      },
    ]),
  ),
};

export async function registerLogoAdminRoutes(
  app: FastifyInstance,
  deps: { accounts: AccountsService },
): Promise<void> {
  const { accounts } = deps;
  const view = (request: FastifyRequest, info: LogoInfo) => {
    const { digest, contentType, size, width, height, updatedAt, file } = info;
    return {
      contentType,
      digest,
      size,
      width,
      height,
      updatedAt,
      url: `/t/${tenantOf(request).slug}/logo/${file}`,
    };
  };
  await app.register(async (child) => {
    // the image stays bytes for the checker; validation sees an empty string
    const uploads = new WeakMap<FastifyRequest, Buffer>();
    child.addContentTypeParser(
      [...LOGO_TYPES, 'image/svg+xml'],
      { parseAs: 'buffer', bodyLimit: LOGO_MAX_BYTES },
      (request, body, done) => {
        uploads.set(request, body as Buffer);
        done(null, '');
      },
    );
    child.put(
      '/sign-in-settings/logo',
      {
        config: { ability: 'tenants:write' },
        bodyLimit: LOGO_MAX_BYTES,
        schema: {
          tags: TAGS,
          summary: "Upload the tenant's logo for the hosted pages",
          description:
            'The raw image as the body: PNG, JPEG or WebP, at most 256 KiB and 4096 px a side (SVG is refused: 415). The file must be well-formed to its end (nothing after the image: 400 `logo_invalid`); text metadata is removed before it is stored. It then replaces `branding.logoUrl` on the pages.',
          params: TenantParams,
          body: imageBody as never,
          response: { 200: LogoSchema },
        },
      },
      async (request) => {
        const bytes = uploads.get(request);
        if (!bytes) throw new AppError('logo_type_refused', { detail: 'a logo is PNG, JPEG or WebP' });
        const info = await accounts.logos.put(
          tenantOf(request).id,
          String(request.headers['content-type'] ?? ''),
          bytes,
          ctxOf(request),
        );
        return view(request, info);
      },
    );
  });

  app.get(
    '/sign-in-settings/logo',
    {
      config: { ability: 'tenants:read' },
      schema: {
        tags: TAGS,
        summary: "The tenant's uploaded logo (404 when there is none)",
        params: TenantParams,
        response: { 200: LogoSchema },
      },
    },
    async (request) => {
      const info = await accounts.logos.info(tenantOf(request).id);
      if (!info) throw new AppError('not_found', { detail: 'no logo uploaded' });
      return view(request, info);
    },
  );

  app.delete(
    '/sign-in-settings/logo',
    {
      config: { ability: 'tenants:write' },
      schema: {
        tags: TAGS,
        summary: "Remove the tenant's uploaded logo (the pages fall back to branding.logoUrl)",
        params: TenantParams,
      },
    },
    async (request, reply) => {
      if (!(await accounts.logos.remove(tenantOf(request).id, ctxOf(request))))
        throw new AppError('not_found', { detail: 'no logo uploaded' });
      return reply.code(204).send();
    },
  );
}
