/**
 * `gatekeeper resources …`, `gatekeeper trust …` and `gatekeeper keys signing …` as an operator runs
 * them, each a real process on one temp data dir: a resource server, a service client trusted to
 * call it, a signing key rotation (published, pending, then listed), deleting the trust link; bad
 * input exits 2 and writes nothing.
 */
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from '../../../test/cli-process.ts';

describe('gatekeeper resources, trust, keys signing (processes)', { timeout: 120_000 }, () => {
  const cli = cliWorkspace('gk-oidc-cli-');
  const { run, ok } = cli;

  it('registers an API, trusts a client to call it and deletes the link', () => {
    const rs = JSON.parse(
      ok([
        'resources',
        'create',
        '--tenant',
        'acme',
        '--identifier',
        'https://orders.acme.test/',
        '--scope',
        'orders:read orders:write',
        '--json',
      ]),
    );
    expect(rs).toMatchObject({
      identifier: 'https://orders.acme.test/',
      tokenFormat: 'jwt',
      scopes: ['orders:read', 'orders:write'],
    });
    const client = JSON.parse(
      ok([
        'clients',
        'create',
        '--tenant',
        'acme',
        '--name',
        'billing',
        '--grant',
        'client_credentials',
        '--json',
      ]),
    );
    expect(client.client_secret).toMatch(/\S{20,}/);
    const link = JSON.parse(
      ok([
        'trust',
        'create',
        '--tenant',
        'acme',
        '--client',
        'billing',
        '--resource',
        'https://orders.acme.test/',
        '--scope',
        'orders:read',
        '--json',
      ]),
    );
    expect(link).toMatchObject({
      audience: 'https://orders.acme.test/',
      scopes: ['orders:read'],
      delegation: false,
    });
    expect(ok(['trust', 'list', '--tenant', 'acme'])).toContain('https://orders.acme.test/');
    // a scope the resource server does not offer is refused, and nothing is written
    const bad = run([
      'trust',
      'create',
      '--tenant',
      'acme',
      '--client',
      'billing',
      '--resource',
      rs.id,
      '--scope',
      'admin',
    ]);
    expect(bad.code).toBe(2);
    ok(['trust', 'delete', link.id, '--tenant', 'acme']);
    expect(ok(['trust', 'list', '--tenant', 'acme'])).toContain('no trust links');
    const badUri = run(['resources', 'create', '--tenant', 'acme', '--identifier', 'not a uri']);
    expect(badUri.code).toBe(2);
  });

  it('prints a one-time enrollment token (clients enroll-token) and refuses a bad ttl', () => {
    const issued = JSON.parse(
      ok(['clients', 'enroll-token', '--tenant', 'acme', '--name', 'worker', '--ttl', '30m', '--json']),
    );
    expect(issued.token).toMatch(/^gk_enr_/);
    expect(issued.exchangeUrl).toMatch(/\/t\/acme\/enroll$/);
    expect(
      run(['clients', 'enroll-token', '--tenant', 'acme', '--name', 'worker', '--ttl', 'forever']).code,
    ).toBe(2);
  });

  it('sets the registration policy, mints, lists and revokes an initial access token (clients registration-policy|-token)', () => {
    const policy = JSON.parse(
      ok([
        'clients',
        'registration-policy',
        '--tenant',
        'acme',
        '--enable',
        '--redirect-pattern',
        'http://127.0.0.1:*',
        '--redirect-pattern',
        'https://agent.acme.test/cb*',
        '--default-scope',
        'openid profile',
        '--unused-days',
        '7',
        '--allow-confidential',
        '--json',
      ]),
    );
    expect(policy).toMatchObject({
      confidentialClients: true,
      enabled: true,
      redirectUriPatterns: ['http://127.0.0.1:*', 'https://agent.acme.test/cb*'],
      defaultScopes: ['openid', 'profile'],
      unusedClientDays: 7,
    });
    expect(ok(['clients', 'registration-policy', '--tenant', 'acme'])).toContain('registration:       on');
    // metadata-document clients: a pattern, blocks added and removed one by one, refused altogether
    const agent = 'https://agents.acme.test/a.json';
    const blocked = JSON.parse(
      ok([
        'clients',
        'registration-policy',
        '--tenant',
        'acme',
        '--metadata-pattern',
        'https://agents.acme.test/*',
        '--block-metadata-client',
        agent,
        '--block-metadata-client',
        'https://agents.acme.test/b.json',
        '--json',
      ]),
    );
    expect(blocked).toMatchObject({
      metadataDocuments: true,
      metadataDocumentPatterns: ['https://agents.acme.test/*'],
      blockedMetadataClients: [agent, 'https://agents.acme.test/b.json'],
      enabled: true,
    });
    const text = ok([
      'clients',
      'registration-policy',
      '--tenant',
      'acme',
      '--unblock-metadata-client',
      agent,
      '--refuse-metadata-documents',
    ]);
    expect(text).toContain('metadata documents: refused');
    expect(text).toContain('blocked clients:    https://agents.acme.test/b.json');
    expect(
      run([
        'clients',
        'registration-policy',
        '--tenant',
        'acme',
        '--block-metadata-client',
        'http://x.test/a',
      ]).code,
    ).toBe(2);
    expect(
      JSON.parse(
        ok(['clients', 'registration-policy', '--tenant', 'acme', '--accept-metadata-documents', '--json']),
      ),
    ).toMatchObject({ metadataDocuments: true, blockedMetadataClients: ['https://agents.acme.test/b.json'] });
    const issued = JSON.parse(
      ok(['clients', 'registration-token', '--tenant', 'acme', '--ttl', '2h', '--json']),
    );
    expect(issued.token).toMatch(/^\S{32,}$/);
    expect(issued.registrationEndpoint).toMatch(/\/t\/acme\/reg$/);
    expect(Date.parse(issued.expiresAt) - Date.now()).toBeGreaterThan(7000_000);
    // plain http off loopback is refused, and nothing changes
    expect(
      run(['clients', 'registration-policy', '--tenant', 'acme', '--redirect-pattern', 'http://intranet/*'])
        .code,
    ).toBe(2);
    expect(run(['clients', 'registration-token', '--tenant', 'acme', '--ttl', 'forever']).code).toBe(2);
    // listed by id (never the token), revoked by id, then gone; revoking it again exits 2
    expect(issued.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const listed = ok(['clients', 'registration-token', '--tenant', 'acme', '--list']);
    expect(listed).toContain(issued.id);
    expect(listed).not.toContain(issued.token);
    expect(ok(['clients', 'registration-token', '--tenant', 'acme', '--revoke', issued.id])).toContain(
      `revoked initial access token ${issued.id}`,
    );
    expect(JSON.parse(ok(['clients', 'registration-token', '--tenant', 'acme', '--list', '--json']))).toEqual(
      [],
    );
    expect(run(['clients', 'registration-token', '--tenant', 'acme', '--revoke', issued.id]).code).toBe(2);
    expect(
      run(['clients', 'registration-token', '--tenant', 'acme', '--list', '--revoke', issued.id]).code,
    ).toBe(2);
  });

  it('sets a claim mapping and a back-channel logout URI on a client (clients create)', () => {
    const client = JSON.parse(
      ok([
        'clients',
        'create',
        '--tenant',
        'acme',
        '--name',
        'grafana',
        '--redirect-uri',
        'https://grafana.acme.test/login/generic_oauth',
        '--include-claim',
        'roles',
        '--rename-claim',
        'roles=grafana_roles',
        '--backchannel-logout-uri',
        'https://grafana.acme.test/backchannel',
        '--json',
      ]),
    );
    expect(client.claimMapping).toEqual({ include: ['roles'], rename: { roles: 'grafana_roles' } });
    expect(client.backchannelLogoutUri).toBe('https://grafana.acme.test/backchannel');
    const bad = run(['clients', 'update', 'grafana', '--tenant', 'acme', '--rename-claim', 'sub=user']);
    expect(bad.code).toBe(2);
    expect(ok(['clients', 'show', 'grafana', '--tenant', 'acme'])).toContain('grafana_roles');
  });

  it('lists and rotates signing keys (the new one pending until the lead time passes)', () => {
    const before = JSON.parse(ok(['keys', 'signing', 'list', '--tenant', 'acme', '--json']));
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ alg: 'RS256', state: 'signing' });
    const rotated = JSON.parse(
      ok(['keys', 'signing', 'rotate', '--tenant', 'acme', '--alg', 'ES256', '--json']),
    );
    expect(rotated).toMatchObject({ alg: 'ES256', state: 'pending' });
    const after = JSON.parse(ok(['keys', 'signing', 'list', '--tenant', 'acme', '--json']));
    expect(after.map((k: { state: string }) => k.state)).toEqual(['pending', 'signing']);
    expect(run(['keys', 'signing', 'rotate', '--tenant', 'acme', '--alg', 'HS256']).code).toBe(2);
  });
});
