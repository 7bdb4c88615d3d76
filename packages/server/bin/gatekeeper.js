#!/usr/bin/env node
// Launcher for the `gatekeeper` command. The CLI is TypeScript run by Node's type stripping (Node 24).
// When an older system Node runs this file, re-run it with the Node 24 pinned as a devDependency, as
// a child that gets every SIGTERM, SIGINT and SIGHUP this process gets (a supervisor signalling the
// launcher must reach the server, never orphan it); the launcher then exits with the child's code,
// or 128 + the signal's number when the child died of one, as a shell reports it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const [major] = process.versions.node.split('.').map(Number);
const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP'];

if (major >= 24) {
  // cache compiled code between runs (faster cold starts); must happen before the CLI is imported
  (await import('node:module')).enableCompileCache?.();
  // load the one-file bundles `npm install` made of the largest ES-module dependencies, when current
  await (await import('../src/bundled-dependencies.ts')).useBundledDependencies();
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
  // the child runs this launcher again, so it too caches compiled code and uses the start-up bundles
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C in a terminal signals the whole foreground group, so the child may get SIGINT twice; the
  // server treats a repeated signal as the same request to stop.
  for (const signal of FORWARDED) process.on(signal, () => child.kill(signal));
  child.once('error', (err) => {
    process.stderr.write(`gatekeeper: cannot start ${node}: ${err.message}\n`);
    process.exit(2);
  });
  child.once('exit', (code, signal) => {
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
  });
}
