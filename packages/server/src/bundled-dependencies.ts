/**
 * Loads the one-file bundles of `scripts/bundle-dependencies.ts` in place of the packages they were
 * made from (issue 6 §9: cold start). A module hook, installed by `bin/gatekeeper.js` before anything
 * else is imported, lets Node resolve every import as usual and swaps the result only when it is the
 * very entry file a bundle was made from, of the version the bundle records: a dependency's own nested
 * copy of a package, a version changed since the last install, or a missing or cut-short bundle file all
 * load from node_modules as they would without the hook.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The packages bundled: ES modules of many files each, all loaded by a starting server. */
export const BUNDLED_PACKAGES = ['typebox', 'kysely', 'jose'] as const;
export const MANIFEST = 'manifest.json';
export const bundleDirectory = new URL('../../../node_modules/.cache/gatekeeper-bundled/', import.meta.url);

export type Manifest = {
  rolldown: string;
  packages: Record<string, { version: string; file: string; bytes: number }>;
};

/** The entry file Node resolves `name` to from this package, or undefined when it is not installed. */
export function packageEntry(name: string): string | undefined {
  try {
    return import.meta.resolve(name);
  } catch {
    return undefined;
  }
}

/** The version of the installed package `name` resolves to from this package. */
export function installedVersion(name: string): string | undefined {
  const entry = packageEntry(name);
  if (!entry?.startsWith('file:')) return undefined;
  for (let dir = dirname(fileURLToPath(entry)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === name) return pkg.version;
  }
  return undefined;
}

/**
 * Maps each bundled package's resolved entry URL to its bundle's URL, for the bundles that match what
 * is installed (version, and the file as written: its size).
 */
export function usableBundles(directory: URL = bundleDirectory): Map<string, string> {
  const usable = new Map<string, string>();
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL(MANIFEST, directory), 'utf8')) as Manifest;
  } catch {
    return usable; // never bundled here: load node_modules
  }
  for (const [name, bundle] of Object.entries(manifest.packages)) {
    const entry = packageEntry(name);
    if (!entry || installedVersion(name) !== bundle.version) continue;
    const file = new URL(bundle.file, directory);
    if (statSync(file, { throwIfNoEntry: false })?.size === bundle.bytes) usable.set(entry, file.href);
  }
  return usable;
}

/** Installs the module hook (none when no bundle is usable). */
export async function useBundledDependencies(directory: URL = bundleDirectory): Promise<void> {
  const { registerHooks } = await import('node:module');
  const usable = usableBundles(directory);
  if (usable.size === 0 || typeof registerHooks !== 'function') return;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      const bundle = usable.get(resolved.url);
      return bundle ? { url: bundle, format: 'module', shortCircuit: true } : resolved;
    },
  });
}
