/**
 * `npm run generate:client`: writes the client's generated admin API types
 * (`packages/client/src/generated/admin-api.ts`) from the OpenAPI document the server serves. Run it
 * after changing a route schema and commit the result; the freshness test fails until then.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ADMIN_API_TYPES_FILE, renderAdminApiTypes } from './admin-api-types.ts';

const text = await renderAdminApiTypes();
let previous: string | undefined;
try {
  previous = readFileSync(ADMIN_API_TYPES_FILE, 'utf8');
} catch {
  previous = undefined;
}
const shown = relative(process.cwd(), ADMIN_API_TYPES_FILE);
if (previous === text) {
  console.log(`${shown} is up to date`);
} else {
  writeFileSync(ADMIN_API_TYPES_FILE, text);
  console.log(`wrote ${shown} (${text.split('\n').length} lines)`);
}
