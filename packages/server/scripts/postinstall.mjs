// The root `postinstall` (plain JavaScript, so any Node can run it): bundles the start-up dependencies
// (bundle-dependencies.ts) where Node runs TypeScript, and says so in one line where it cannot. It
// never fails an install: without the bundles the server loads its dependencies from node_modules.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.log(
    `gatekeeper: dependencies left unbundled (Node ${process.versions.node}; bundling needs Node 24)`,
  );
} else {
  try {
    await import('./bundle-dependencies.ts');
  } catch (err) {
    console.log(`gatekeeper: dependencies left unbundled (${err instanceof Error ? err.message : err})`);
  }
}
