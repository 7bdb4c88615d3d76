/**
 * deploy/nginx/gatekeeper-auth.conf is exactly the configuration the end-to-end test runs
 * (nginx-config.ts) for the addresses it names; regenerate it with
 * `UPDATE_DEPLOY_EXAMPLES=1 npx vitest run packages/server/src/capabilities/gateway/deploy-examples.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nginxServerBlock } from './nginx-config.ts';

const file = new URL('../../../../../deploy/nginx/gatekeeper-auth.conf', import.meta.url);
const HEADER = `# nginx in front of a service, asking Gatekeeper (tenant "acme") about every request.
# Include it in the http {} block; change the addresses. Generated from
# packages/server/src/capabilities/gateway/nginx-config.ts (a test keeps them equal); see docs/gateway.md.
`;

describe('deploy examples', () => {
  it('deploy/nginx/gatekeeper-auth.conf is what the end-to-end test runs', () => {
    const expected =
      HEADER +
      nginxServerBlock({
        listen: '443 ssl',
        gatekeeper: 'http://127.0.0.1:8080',
        publicUrl: 'https://id.example.com',
        tenant: 'acme',
        upstream: 'http://127.0.0.1:3000',
      });
    if (process.env.UPDATE_DEPLOY_EXAMPLES) writeFileSync(file, expected);
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });
});
