/**
 * The start-up bundles (issue 6 §9: cold start): scripts/bundle-dependencies.ts packs typebox, kysely
 * and jose into one file each, and a starting `gatekeeper` loads those in place of the packages only
 * while they are what is installed. Checked in real processes, as the launcher runs them; and the
 * server's own start no longer loads undici through `import … from 'node:http'`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLED_PACKAGES, MANIFEST, type Manifest } from './bundled-dependencies.ts';

const script = fileURLToPath(new URL('../scripts/bundle-dependencies.ts', import.meta.url));
const hook = new URL('./bundled-dependencies.ts', import.meta.url).href;
const serverDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs `code` as an ES module in a fresh Node inside packages/server (where the packages resolve). */
function node(code: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: serverDir,
    encoding: 'utf8',
  }).trim();
}

function bundleInto(): { dir: string; url: string; manifest: Manifest } {
  const dir = join(mkdtempSync(join(tmpdir(), 'gk-bundles-')), 'out');
  const out = execFileSync(process.execPath, [script, dir], { encoding: 'utf8' });
  expect(out).toMatch(/bundled typebox, kysely, jose/);
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
  return { dir, url: `${pathToFileURL(dir).href}/`, manifest };
}

/** What the hook makes of `specifier` in a fresh process given the bundle directory `url`. */
function resolvedWith(url: string, specifiers: readonly string[]): Record<string, string> {
  return JSON.parse(
    node(
      `const { useBundledDependencies } = await import(${JSON.stringify(hook)});
       await useBundledDependencies(new URL(${JSON.stringify(url)}));
       console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(specifiers)}.map((s) => [s, import.meta.resolve(s)]))));`,
    ),
  ) as Record<string, string>;
}

describe('start-up bundles', () => {
  it('bundles each package with exactly its exports, and the hook loads the bundles', () => {
    const { url, manifest } = bundleInto();
    expect(Object.keys(manifest.packages).sort()).toEqual([...BUNDLED_PACKAGES].sort());
    const resolved = resolvedWith(url, BUNDLED_PACKAGES);
    for (const name of BUNDLED_PACKAGES) expect(resolved[name]).toBe(`${url}${name}.mjs`);
    // the same export names, with the same kinds of values, as the package itself
    const shapes = node(
      `const out = {};
       for (const [name, file] of ${JSON.stringify(BUNDLED_PACKAGES.map((n) => [n, `${url}${n}.mjs`]))}) {
         const shape = (m) => Object.keys(m).sort().map((k) => k + ':' + typeof m[k]).join(',');
         out[name] = shape(await import(name)) === shape(await import(file));
       }
       console.log(JSON.stringify(out));`,
    );
    expect(JSON.parse(shapes)).toEqual(Object.fromEntries(BUNDLED_PACKAGES.map((n) => [n, true])));
    // what the server does with them: a query compiled by the bundled kysely, a schema from the
    // bundled typebox, a token signed and verified by the bundled jose
    const used = node(
      `const { useBundledDependencies } = await import(${JSON.stringify(hook)});
       await useBundledDependencies(new URL(${JSON.stringify(url)}));
       const { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, DummyDriver } = await import('kysely');
       const db = new Kysely({ dialect: { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (d) => new SqliteIntrospector(d), createQueryCompiler: () => new SqliteQueryCompiler() } });
       const sql = db.selectFrom('users').select('id').where('tenant_id', '=', 't').compile().sql;
       const Type = (await import('typebox')).default;
       const schema = Type.Object({ name: Type.String({ maxLength: 3 }) });
       const jose = await import('jose');
       const key = new TextEncoder().encode('k'.repeat(32));
       const jwt = await new jose.SignJWT({ a: 1 }).setProtectedHeader({ alg: 'HS256' }).sign(key);
       const { payload } = await jose.jwtVerify(jwt, key);
       console.log(JSON.stringify({ sql, schema, a: payload.a }));`,
    );
    expect(JSON.parse(used)).toEqual({
      sql: 'select "id" from "users" where "tenant_id" = ?',
      schema: {
        type: 'object',
        properties: { name: { type: 'string', maxLength: 3 } },
        required: ['name'],
      },
      a: 1,
    });
  });

  it('loads node_modules for a bundle of another version, a cut-short file or no manifest', () => {
    const { dir, url, manifest } = bundleInto();
    manifest.packages.kysely!.version = '0.0.1';
    writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest));
    truncateSync(join(dir, 'jose.mjs'), 100);
    const resolved = resolvedWith(url, BUNDLED_PACKAGES);
    expect(resolved.typebox).toBe(`${url}typebox.mjs`);
    expect(resolved.kysely).toMatch(/\/node_modules\/kysely\//);
    expect(resolved.jose).toMatch(/\/node_modules\/jose\//);
    const none = resolvedWith(`${pathToFileURL(mkdtempSync(join(tmpdir(), 'gk-nobundles-'))).href}/`, [
      'kysely',
    ]);
    expect(none.kysely).toMatch(/\/node_modules\/kysely\//);
  });

  it('a starting server does not load undici (node:http is not imported as an ES module)', () => {
    const app = new URL('./app.ts', import.meta.url).href;
    const loaded = node(
      `await import(${JSON.stringify(app)});
       console.log(process.moduleLoadList.filter((m) => m.includes('undici')).join(',') || 'none');`,
    );
    expect(loaded).toBe('none');
  });
});
