/**
 * `generated/admin-api.ts` must be exactly what `npm run generate:client` writes today: the types are
 * regenerated in memory from the OpenAPI document a freshly built server serves and compared with
 * the committed file, so a route schema change that was not regenerated fails here, naming the first
 * line that differs. Deterministic: the document comes from the route schemas alone (a fresh SQLite
 * database, no environment), and openapi-typescript and Biome are pinned by the lock file.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { expect, it } from 'vitest';
import { ADMIN_API_TYPES_FILE, REGENERATE_COMMAND, renderAdminApiTypes } from '../scripts/admin-api-types.ts';

function readCommitted(): string | undefined {
  try {
    return readFileSync(ADMIN_API_TYPES_FILE, 'utf8');
  } catch {
    return undefined;
  }
}

/** Where two texts first differ, as a short message; undefined when they are equal. */
function firstDifference(committed: string, expected: string): string | undefined {
  if (committed === expected) return undefined;
  const have = committed.split('\n');
  const want = expected.split('\n');
  let i = 0;
  while (i < have.length && i < want.length && have[i] === want[i]) i++;
  return `line ${i + 1} is ${JSON.stringify(have[i] ?? '<end of file>')}, expected ${JSON.stringify(want[i] ?? '<end of file>')}`;
}

it('the committed generated types equal what the served OpenAPI document generates', async () => {
  const expected = await renderAdminApiTypes();
  const committed = readCommitted();
  const file = relative(process.cwd(), ADMIN_API_TYPES_FILE);
  if (committed === undefined) expect.fail(`${file} is missing: run ${REGENERATE_COMMAND}`);
  const difference = firstDifference(committed, expected);
  if (difference !== undefined) {
    expect.fail(`${file} is stale (${difference}): run ${REGENERATE_COMMAND} and commit the result`);
  }
});
