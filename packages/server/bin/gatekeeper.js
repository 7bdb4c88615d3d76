#!/usr/bin/env node
// Launcher for the `gatekeeper` command. The CLI is TypeScript run by Node's type stripping (Node 24).
// When an older system Node runs this file, re-run it with the Node 24 pinned as a devDependency.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const [major] = process.versions.node.split('.').map(Number);

if (major >= 24) {
  // cache compiled code between runs (faster cold starts); must happen before the CLI is imported
  (await import('node:module')).enableCompileCache?.();
  const { cliEntry } = await import(main);
  await cliEntry(process.argv.slice(2));
} else {
  let node;
  try {
    node = createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    process.stderr.write('gatekeeper: Node 24 is required (run `npm install` to get the pinned runtime)\n');
    process.exit(2);
  }
  const r = spawnSync(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
