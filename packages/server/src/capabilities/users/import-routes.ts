/**
 * `POST /tenants/:tenant/users/import`: the bulk import over the admin API, so a remote instance can
 * be loaded without database access. The body is a CSV file (`text/csv`, the columns of
 * `gatekeeper users import`) or NDJSON (`application/x-ndjson`, one object a line), streamed into
 * the same import the CLI runs (`import-run.ts`): never held in memory whole, written in batches,
 * one `user.created` audit event per created user and one `users.imported` summary. The answer is
 * the per-line report (`?dryRun=true` writes nothing; `?createGroups=true` creates missing groups).
 *
 * The body limit of this route is its own runtime setting, `importBodyLimitBytes` (every other route
 * keeps `bodyLimitBytes`): a declared Content-Length over it is refused with 413 before anything is
 * read; a chunked upload that goes over it stops there with 413 (rows in batches already written stay
 * imported, each with its audit event).
 */
import { type Readable, Transform } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AppError } from '../../errors/app-error.ts';
import { tenantOf } from '../../http/admin-guard.ts';
import { Obj, Str } from '../../http/schema-kit.ts';
import type { ImportFormat } from './import.ts';
import { type ImportGroups, runUserImport } from './import-run.ts';
import { actionContext, SECURITY, TAGS, WRITE as write } from './route-kit.ts';
import { TenantParams } from './schemas.ts';
import type { UsersService } from './service.ts';

export interface ImportRoutesDeps {
  users: UsersService;
  /** The groups service, for the groups column (without it a non-empty groups cell fails its row). */
  groups?: ImportGroups;
  /** The current `importBodyLimitBytes`. */
  importBodyLimit: () => number;
  refreshStatistics?: (tables: readonly string[]) => Promise<void>;
}

/** Failures listed in one answer; `failedCount` always has them all. */
export const MAX_REPORTED_FAILURES = 10_000;

const MEDIA_TYPES: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
};

const ImportQuery = Obj({
  dryRun: Type.Optional(
    Type.Boolean({ description: 'Check every row (and existing users); write nothing.' }),
  ),
  createGroups: Type.Optional(
    Type.Boolean({ description: 'Create the groups rows name that do not exist yet (else the row fails).' }),
  ),
});

const UploadBody = {
  content: {
    'text/csv': {
      schema: Str({
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        description:
          'CSV with a header row: username,email,fullname[,groups] in any order (groups separated by ";"); the read-only columns of an export (id,status,emailVerified,createdAt,lastSignInAt) are ignored.',
      }),
    },
    'application/x-ndjson': {
      schema: Str({
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        description:
          'One JSON object per line: {"username", "email", "fullname" (or "name"), "groups": [names] or "a;b"}.',
      }),
    },
  },
};

export const ImportReportSchema = Type.Object(
  {
    dryRun: Type.Boolean(),
    format: Type.Union([Type.Literal('csv'), Type.Literal('ndjson')]),
    imported: Type.Integer({ description: 'Rows imported (with dryRun: that would be imported).' }),
    total: Type.Integer({ description: 'Data rows read, blank lines not counted: imported + failedCount.' }),
    failedCount: Type.Integer(),
    failed: Type.Array(Type.Object({ line: Type.Integer(), reason: Type.String() }), {
      description: `Every bad line by its own number (the first ${MAX_REPORTED_FAILURES}).`,
    }),
    groupsCreated: Type.Array(Type.String(), { description: 'Groups created (with dryRun: that would be).' }),
  },
  { additionalProperties: false },
);

/** Passes bytes through until `limit`, then fails with 413. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) {
        callback(
          new AppError('payload_too_large', {
            detail: `the upload is larger than importBodyLimitBytes (${limit} bytes); rows before this point were imported`,
          }),
        );
        return;
      }
      callback(null, chunk);
    },
  });
}

/** Registers the import route in its own context (its content-type parsers stay there). */
export async function registerImportRoutes(app: FastifyInstance, deps: ImportRoutesDeps): Promise<void> {
  await app.register(async (child) => {
    // The upload stays a stream: the parser hands it to the handler untouched (the body seen by
    // validation is an empty string, so no guard walks it).
    const uploads = new WeakMap<FastifyRequest, Readable>();
    child.addContentTypeParser(Object.keys(MEDIA_TYPES), (request, payload, done) => {
      uploads.set(request, payload);
      done(null, '');
    });
    const r = child.withTypeProvider<TypeBoxTypeProvider>();
    r.post(
      '/users/import',
      {
        config: write,
        schema: {
          tags: TAGS,
          security: SECURITY,
          summary: 'Import users in bulk (CSV or NDJSON)',
          description:
            'Streams the upload into the same import as `gatekeeper users import`: each bad line is reported by its number and the rest still import; each created user is audited, and the import once more as `users.imported`. The upload may be as large as the `importBodyLimitBytes` setting (413 beyond it).',
          params: TenantParams,
          querystring: ImportQuery,
          body: UploadBody as never,
          response: { 200: ImportReportSchema },
        },
      },
      async (request) => {
        const upload = uploads.get(request);
        const mediaType = String(request.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim()
          .toLowerCase();
        const format = MEDIA_TYPES[mediaType];
        if (!upload || !format) {
          throw new AppError('unsupported_media_type', {
            detail: 'send the file as text/csv or application/x-ndjson',
          });
        }
        const limit = deps.importBodyLimit();
        const declared = Number(request.headers['content-length']);
        if (Number.isFinite(declared) && declared > limit) {
          upload.resume(); // drain, so the 413 reaches the client
          throw new AppError('payload_too_large', {
            detail: `the upload is ${declared} bytes; importBodyLimitBytes allows ${limit}`,
          });
        }
        const limited = byteLimit(limit);
        upload.on('error', (err) => limited.destroy(err));
        upload.pipe(limited);
        const dryRun = request.query.dryRun === true;
        const result = await runUserImport(deps.users, tenantOf(request).id, limited, {
          format,
          dryRun,
          createGroups: request.query.createGroups === true,
          ctx: actionContext(request),
          groups: deps.groups,
          ...(deps.refreshStatistics ? { refreshStatistics: deps.refreshStatistics } : {}),
        });
        return {
          dryRun,
          format,
          imported: result.imported,
          total: result.total,
          failedCount: result.failed.length,
          failed: result.failed.slice(0, MAX_REPORTED_FAILURES),
          groupsCreated: result.groupsCreated,
        };
      },
    );
  });
}
