/**
 * Renders `src/generated/admin-api.ts`, the admin API's types, from the OpenAPI document the server
 * really serves: it builds the app exactly as the server's tests do (`createTestRuntime`: a fresh
 * SQLite database, in-process state, a silent logger), reads `/openapi.json` (what `/openapi.json`
 * answers), hands it to openapi-typescript and formats the result with the repository's Biome
 * settings. The same function writes the file (`generate-types.ts`) and checks it
 * (`generated-types.fresh.test.ts`), so the two cannot disagree. The output depends only on the
 * route schemas: the document's version and server URL are not part of the types.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import openapiTS, { type OpenAPI3 } from 'openapi-typescript';
import { createTestRuntime } from '../../server/test/runtime.ts';

/** The command that regenerates the file; quoted by the header and by the freshness test. */
export const REGENERATE_COMMAND = 'npm run generate:client';

/** Where the generated types live. */
export const ADMIN_API_TYPES_FILE: string = fileURLToPath(
  new URL('../src/generated/admin-api.ts', import.meta.url),
);

const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const HEADER = `/**
 * GENERATED FILE, do not edit: regenerate with \`${REGENERATE_COMMAND}\`.
 * The admin API's request and response types, made by openapi-typescript from the OpenAPI document
 * the server serves at /openapi.json (packages/client/scripts/generate-types.ts). The client's
 * named types (src/admin-types.ts) are aliases into \`paths\` and \`components\` below;
 * src/generated-types.fresh.test.ts fails while this file differs from what the server serves.
 */

`;

/** The OpenAPI document of a freshly built app, as `GET /openapi.json` would answer it. */
export async function servedOpenApiDocument(): Promise<OpenAPI3> {
  const t = await createTestRuntime();
  try {
    await t.app.ready();
    return (await t.app.inject('/openapi.json')).json() as OpenAPI3;
  } finally {
    await t.close();
  }
}

/** Formats TypeScript source with Biome as `npm run format` would, for the given repository path. */
function formatWithBiome(source: string, path: string): string {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  return execFileSync(process.execPath, [biome, 'format', `--stdin-file-path=${path}`], {
    cwd: REPOSITORY_ROOT,
    input: source,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'], // Biome's notices about the configuration are not ours to print
  });
}

/** The full text `src/generated/admin-api.ts` must have. */
export async function renderAdminApiTypes(): Promise<string> {
  const document = await servedOpenApiDocument();
  const types = await openapiTS(document, { commentHeader: HEADER, silent: true });
  return formatWithBiome(types, 'packages/client/src/generated/admin-api.ts');
}
