/**
 * Packs the ES-module dependencies a server loads at start into one file each (issue 6 §9: cold start
 * ≤ 2× bare Fastify). `typebox` is 288 modules, `kysely` 245 and `jose` 46: Node's ES-module loader
 * resolves, reads and links each one, about 90 ms for each of the first two on the 2-core machine,
 * where the same code as one file loads in 2–6 ms. The code is not changed: rolldown concatenates the
 * installed package's modules, leaving out their doc comments (licence comments stay).
 *
 * Runs after every `npm install` / `npm ci` (the root `postinstall`, through postinstall.mjs), writing to
 * `node_modules/.cache/gatekeeper-bundled/`, so a bundle always comes from the installed package and
 * disappears with it. `gatekeeper` (bin/gatekeeper.js) loads a bundle only while its recorded version
 * is the installed one (src/bundled-dependencies.ts); without rolldown (an `--omit=dev` install) or
 * on any failure, this prints one line and the server loads the packages from node_modules as usual.
 * Vitest's own workers load node_modules; processes that tests start use the bundles.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  BUNDLED_PACKAGES,
  bundleDirectory,
  installedVersion,
  MANIFEST,
  type Manifest,
  packageEntry,
} from '../src/bundled-dependencies.ts';

// another directory may be named (the test bundles into its own)
const dir = (process.argv[2] ?? fileURLToPath(bundleDirectory)).replace(/\/$/, '');

async function main(): Promise<void> {
  let rolldown: typeof import('rolldown');
  try {
    rolldown = await import('rolldown');
  } catch {
    console.log('gatekeeper: rolldown is not installed; the server loads its dependencies unbundled');
    return;
  }
  rmSync(dir, { recursive: true, force: true });
  const staging = `${dir}.tmp-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  const manifest: Manifest = { rolldown: rolldown.VERSION, packages: {} };
  for (const name of BUNDLED_PACKAGES) {
    const version = installedVersion(name);
    if (!version) continue;
    const file = `${name}.mjs`;
    // the entry re-exports the very file the server's imports resolve to, under the package's name
    const source = fileURLToPath(packageEntry(name)!);
    const entry = `${staging}/${name}.entry.mjs`;
    const hasDefault = 'default' in (await import(name));
    writeFileSync(
      entry,
      `export * from ${JSON.stringify(source)};\n${hasDefault ? `export { default } from ${JSON.stringify(source)};\n` : ''}`,
    );
    await rolldown.build({
      input: entry,
      // without doc comments (a loaded module's source stays in memory); licence comments stay
      output: {
        file: `${staging}/${file}`,
        format: 'esm',
        sourcemap: false,
        comments: { legal: true, annotation: true, jsdoc: false },
      },
      // any warning (an import it could not resolve would be left out of the bundle) is a failure
      onLog(level, log) {
        if (level === 'warn') throw new Error(`${name}: ${log.message}`);
      },
    });
    // self-contained: nothing imported but Node's built-ins
    const imports = readFileSync(`${staging}/${file}`, 'utf8').match(/^import .* from "(?!node:)[^"]*";$/gm);
    if (imports) throw new Error(`${name}: the bundle still imports ${imports.join(' ')}`);
    rmSync(entry);
    manifest.packages[name] = { version, file, bytes: statSync(`${staging}/${file}`).size };
  }
  writeFileSync(`${staging}/${MANIFEST}`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(staging, dir);
  console.log(`gatekeeper: bundled ${Object.keys(manifest.packages).join(', ')} for faster start-up`);
}

try {
  await main();
} catch (err) {
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `gatekeeper: could not bundle dependencies (${(err as Error).message}); the server loads them unbundled`,
  );
}
