/**
 * `gatekeeper clients …` as an operator runs them, every step a real process on one temp data dir:
 * create (`--json` gives client_id and the secret once; a public client has none), list, show by
 * client_id or name, update (lists replace, disable/enable), secret add/list/revoke, delete; bad
 * input prints one line and exits 2, writing nothing.
 */
import { describe, expect, it } from 'vitest';
import { cliWorkspace } from '../../../test/cli-process.ts';

describe('gatekeeper clients (processes)', { timeout: 120_000 }, () => {
  const cli = cliWorkspace('gk-clients-cli-');
  const { run, ok } = cli;

  it('creates, shows, updates, rotates secrets of and deletes a client', () => {
    const created = JSON.parse(
      ok([
        'clients',
        'create',
        '--tenant',
        'acme',
        '--name',
        'Grafana',
        '--redirect-uri',
        'https://grafana.example.com/login/generic_oauth',
        '--scope',
        'openid profile email',
        '--first-party',
        '--json',
      ]),
    ) as { client_id: string; client_secret: string; id: string; firstParty: boolean; scopes: string[] };
    expect(created.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created.client_secret).toMatch(/^gk_cls_/);
    expect(created.firstParty).toBe(true);
    expect(created.scopes).toEqual(['email', 'openid', 'profile']);

    const pub = JSON.parse(
      ok([
        'clients',
        'create',
        '--tenant',
        'acme',
        '--name',
        'SPA',
        '--public',
        '--redirect-uri',
        'http://localhost:5173/cb',
        '--json',
      ]),
    ) as { client_secret: null; authMethod: string };
    expect(pub.client_secret).toBeNull();
    expect(pub.authMethod).toBe('none');

    expect(ok(['clients', 'list', '--tenant', 'acme'])).toMatch(/Grafana\s+\S+\s+confidential\s+active/);
    expect(ok(['clients', 'show', created.client_id, '--tenant', 'acme'])).toContain(
      'name:          Grafana',
    );
    expect(ok(['clients', 'show', 'grafana', '--tenant', 'acme'])).toContain(
      `client_id:     ${created.client_id}`,
    );

    ok(['clients', 'update', 'Grafana', '--tenant', 'acme', '--scope', 'openid', '--disable']);
    const shown = JSON.parse(ok(['clients', 'show', 'Grafana', '--tenant', 'acme', '--json'])) as {
      scopes: string[];
      status: string;
    };
    expect(shown).toMatchObject({ scopes: ['openid'], status: 'disabled' });

    const added = JSON.parse(
      ok(['clients', 'secret', 'add', 'Grafana', '--tenant', 'acme', '--expires-in-days', '7', '--json']),
    ) as { secret: string; credential: { id: string } };
    expect(added.secret).toMatch(/^gk_cls_/);
    const secrets = JSON.parse(
      ok(['clients', 'secret', 'list', 'Grafana', '--tenant', 'acme', '--json']),
    ) as {
      id: string;
    }[];
    expect(secrets).toHaveLength(2);
    ok(['clients', 'secret', 'revoke', 'Grafana', added.credential.id, '--tenant', 'acme']);
    expect(ok(['clients', 'secret', 'list', 'Grafana', '--tenant', 'acme'])).toContain('revoked');

    ok(['clients', 'delete', 'Grafana', '--tenant', 'acme']);
    const gone = run(['clients', 'show', 'Grafana', '--tenant', 'acme']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/^gatekeeper: no client "Grafana"/);
  });

  it('refuses bad input with one line and exit 2, writing nothing', () => {
    for (const args of [
      ['--name', 'w', '--redirect-uri', 'https://*.example.com/cb'],
      ['--name', 'h', '--redirect-uri', 'http://evil.example.com/cb'],
      ['--name', 'p', '--public', '--grant', 'client_credentials'],
      ['--name', 'g', '--grant', 'password'],
      ['--name', 't', '--access-token-ttl', 'soon'],
    ]) {
      const r = run(['clients', 'create', '--tenant', 'acme', ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^gatekeeper: /);
    }
    const names = (
      JSON.parse(ok(['clients', 'list', '--tenant', 'acme', '--json'])) as { name: string }[]
    ).map((c) => c.name);
    expect(names).toEqual(['SPA']);
  });
});
