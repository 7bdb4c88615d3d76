/**
 * `gatekeeper clients create|list|show|update|delete|secret add|secret revoke|enroll-token|registration-token
 * [--list|--revoke ID]|registration-policy`: a tenant's OAuth/OIDC
 * and service clients through the same clients service the admin API uses (the same validation, the
 * same audit events). A client is named by its id, its client_id or its name. `--json` prints what
 * scripts need (`clients create --json` gives `{"client_id", "client_secret", …}`; the secret is shown
 * only once).
 */
import type { Command } from 'commander';
import type { ClientView, CreateClientInput, UpdateClientInput } from '../../capabilities/clients/index.ts';
import type { RegistrationPolicyInput } from '../../capabilities/oidc/index.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import { toListOptions } from '../../http/pagination.ts';
import { createServices, type Services } from '../../services.ts';
import { cliContext, out, withRuntime } from '../context.ts';

const ctx: ActionContext = cliContext();
const collect = (value: string, previous: string[] = []) => [...previous, value];

function withClients<T>(cmd: Command, slug: string, fn: (s: Services, tenantId: string) => Promise<T>) {
  return withRuntime(cmd, async (rt) => {
    const services = createServices(rt);
    const { id } = await services.tenants.resolve(slug);
    return fn(services, id);
  });
}

function describe(c: ClientView): string[] {
  return [
    `client_id:     ${c.clientId}`,
    `id:            ${c.id}`,
    `name:          ${c.name}`,
    `kind:          ${c.kind}${c.firstParty ? ' (first party)' : ''}, ${c.status}`,
    `grant types:   ${c.grantTypes.join(', ') || '-'}`,
    `scopes:        ${c.scopes.join(' ') || '-'}`,
    `auth method:   ${c.authMethod}`,
    `redirect URIs: ${c.redirectUris.join(' ') || '-'}`,
    `logout URIs:   ${c.postLogoutRedirectUris.join(' ') || '-'}`,
    `back-channel:  ${c.backchannelLogoutUri ?? '-'}`,
    `claims:        ${c.claimMapping ? JSON.stringify(c.claimMapping) : '-'}`,
  ];
}

function ttl(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 60 || n > 31_536_000)
    throw new AppError('validation_failed', { detail: `${option}: seconds between 60 and 31536000` });
  return n;
}

interface ShapeOptions {
  redirectUri?: string[];
  postLogoutRedirectUri?: string[];
  grant?: string[];
  scope?: string[];
  firstParty?: boolean;
  authMethod?: string;
  accessTokenTtl?: string;
  refreshTokenTtl?: string;
  backchannelLogoutUri?: string;
  includeClaim?: string[];
  renameClaim?: string[];
}

function shape(opts: ShapeOptions): Partial<CreateClientInput> {
  const input: Record<string, unknown> = {};
  if (opts.redirectUri) input.redirectUris = opts.redirectUri;
  if (opts.postLogoutRedirectUri) input.postLogoutRedirectUris = opts.postLogoutRedirectUri;
  if (opts.grant) input.grantTypes = opts.grant;
  if (opts.scope) input.scopes = opts.scope.flatMap((s) => s.split(/[\s,]+/).filter(Boolean));
  if (opts.firstParty !== undefined) input.firstParty = opts.firstParty;
  if (opts.authMethod) input.authMethod = opts.authMethod;
  const access = ttl(opts.accessTokenTtl, '--access-token-ttl');
  const refresh = ttl(opts.refreshTokenTtl, '--refresh-token-ttl');
  if (access !== undefined) input.accessTokenTtl = access;
  if (refresh !== undefined) input.refreshTokenTtl = refresh;
  if (opts.includeClaim || opts.renameClaim) {
    const rename: Record<string, string> = {};
    for (const pair of opts.renameClaim ?? []) {
      const m = /^([^=\s]+)=([^=\s]+)$/.exec(pair);
      if (!m)
        throw new AppError('validation_failed', {
          detail: `--rename-claim: FROM=TO, not "${pair.slice(0, 80)}"`,
        });
      rename[m[1]!] = m[2]!;
    }
    input.claimMapping = {
      include: (opts.includeClaim ?? []).flatMap((c) => c.split(/[\s,]+/).filter(Boolean)),
      rename,
    };
  }
  if (opts.backchannelLogoutUri !== undefined)
    input.backchannelLogoutUri = opts.backchannelLogoutUri === '' ? null : opts.backchannelLogoutUri;
  return input as Partial<CreateClientInput>;
}

function withShapeOptions(cmd: Command): Command {
  return cmd
    .option('--redirect-uri <uri>', 'an allowed redirect URI, matched exactly (repeatable)', collect)
    .option('--post-logout-redirect-uri <uri>', 'an allowed post-logout redirect URI (repeatable)', collect)
    .option('--grant <type>', 'an allowed grant type, e.g. client_credentials (repeatable)', collect)
    .option('--scope <scope>', 'an allowed scope (repeatable, or space-separated)', collect)
    .option('--auth-method <method>', 'client_secret_basic, client_secret_post, private_key_jwt or none')
    .option('--access-token-ttl <seconds>', 'access token lifetime (default: the tenant default)')
    .option('--refresh-token-ttl <seconds>', 'refresh token lifetime (default: the tenant default)')
    .option(
      '--include-claim <claim>',
      'put groups, roles or organizations in ID tokens and userinfo without their scope (repeatable; with --rename-claim, replaces the mapping)',
      collect,
    )
    .option(
      '--rename-claim <from=to>',
      'release a claim under another name, e.g. groups=memberOf (repeatable)',
      collect,
    )
    .option(
      '--backchannel-logout-uri <uri>',
      'where the client receives back-channel logout tokens when its users sign out ("" removes it)',
    );
}

export function registerClients(program: Command): void {
  const clients = program.command('clients').description("manage a tenant's OAuth/OIDC and service clients");

  withShapeOptions(
    clients
      .command('create')
      .description('register a client; a confidential client gets a secret, printed once')
      .requiredOption('--tenant <slug>', 'tenant slug')
      .requiredOption('--name <name>', 'display name (unique per tenant)'),
  )
    .option('--client-id <id>', 'the client_id to use (default: generated)')
    .option('--public', 'a public client (SPA, native app, CLI): no secret, PKCE required')
    .option('--first-party', 'skip the consent page for this client')
    .option('--json', 'print JSON: {"client_id", "client_secret", "id", …}')
    .action(
      async (
        opts: ShapeOptions & {
          tenant: string;
          name: string;
          clientId?: string;
          public?: boolean;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        await withClients(cmd, opts.tenant, async (s, tenantId) => {
          const { client, clientSecret } = await s.clients.create(
            tenantId,
            {
              name: opts.name,
              kind: opts.public ? 'public' : 'confidential',
              ...(opts.clientId ? { clientId: opts.clientId } : {}),
              ...shape(opts),
            },
            ctx,
          );
          if (opts.json) {
            return out(
              JSON.stringify({ client_id: client.clientId, client_secret: clientSecret, ...client }, null, 2),
            );
          }
          for (const line of describe(client)) out(line);
          if (clientSecret) out(`client_secret: ${clientSecret}   (shown once: store it now)`);
        });
      },
    );

  clients
    .command('enroll-token')
    .description(
      'a one-time token a new service exchanges (POST /t/<slug>/enroll) for its client credentials',
    )
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--name <name>', 'the name the enrolled client gets')
    .option('--ttl <duration>', 'how long the token stays valid: 30m, 1h, 2d (default: 1h)')
    .option('--scope <scope>', 'a scope the client gets (repeatable, or space-separated)', collect)
    .option('--json', 'print JSON: {"token", "expiresAt", "exchangeUrl"}')
    .action(
      async (
        opts: { tenant: string; name: string; ttl?: string; scope?: string[]; json?: boolean },
        cmd: Command,
      ) => {
        const m = /^(\d{1,6})([smhd])$/.exec(opts.ttl ?? '1h');
        if (!m)
          throw new AppError('validation_failed', { detail: '--ttl: a number and s, m, h or d (e.g. 1h)' });
        const ttlSeconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's'];
        await withClients(cmd, opts.tenant, async (s, tenantId) => {
          const scopes = opts.scope?.flatMap((x) => x.split(/[\s,]+/).filter(Boolean));
          const issued = await s.oidc.enrollment.issue(
            tenantId,
            { name: opts.name, ttlSeconds, ...(scopes ? { scopes } : {}) },
            ctx,
          );
          const exchangeUrl = `${s.oidc.issuerOf(opts.tenant)}/enroll`;
          if (opts.json)
            return out(
              JSON.stringify({ token: issued.token, expiresAt: issued.expiresAt, exchangeUrl }, null, 2),
            );
          out(`enrollment token: ${issued.token}   (works once, until ${issued.expiresAt})`);
          out(`exchange: curl -X POST -H "Authorization: Bearer <token>" ${exchangeUrl}`);
        });
      },
    );

  const duration = (value: string, option: string) => {
    const m = /^(\d{1,6})([smhd])$/.exec(value);
    if (!m)
      throw new AppError('validation_failed', { detail: `${option}: a number and s, m, h or d (e.g. 1h)` });
    return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's'];
  };

  clients
    .command('registration-token')
    .description(
      'an initial access token for dynamic client registration (POST <issuer>/reg, RFC 7591); shown once. --list and --revoke manage the outstanding ones',
    )
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--ttl <duration>', 'how long the token stays valid: 30m, 1h, 7d (default: 1d)')
    .option('--list', "list the tenant's unexpired tokens (ids and expiry; never the tokens)")
    .option('--revoke <id>', 'revoke the token with this id: /reg refuses it from then on')
    .option('--json', 'print JSON: {"id", "token", "expiresAt", "registrationEndpoint"} (--list: an array)')
    .action(
      async (
        opts: { tenant: string; ttl?: string; list?: boolean; revoke?: string; json?: boolean },
        cmd: Command,
      ) => {
        if ([opts.list, opts.revoke !== undefined, opts.ttl !== undefined].filter(Boolean).length > 1)
          throw new AppError('validation_failed', { detail: 'use one of --ttl, --list, --revoke' });
        const ttlSeconds = duration(opts.ttl ?? '1d', '--ttl');
        await withClients(cmd, opts.tenant, async (s, tenantId) => {
          if (opts.revoke !== undefined) {
            await s.oidc.registration.revokeToken(tenantId, opts.revoke, ctx);
            return out(`revoked initial access token ${opts.revoke}`);
          }
          if (opts.list) {
            const tokens = await s.oidc.registration.listTokens(tenantId);
            if (opts.json) return out(JSON.stringify(tokens, null, 2));
            if (tokens.length === 0) return out('no initial access tokens');
            for (const t of tokens)
              out(`${t.id}  issued ${t.issuedAt ?? '-'}  expires ${t.expiresAt ?? '-'}`);
            return;
          }
          const issued = await s.oidc.registration.issueToken(tenantId, opts.tenant, { ttlSeconds }, ctx);
          if (opts.json) return out(JSON.stringify(issued, null, 2));
          out(`initial access token: ${issued.token}   (until ${issued.expiresAt}; shown once)`);
          out(
            `id: ${issued.id}   (revoke: gatekeeper clients registration-token --tenant ${opts.tenant} --revoke <id>)`,
          );
          out(`register: POST ${issued.registrationEndpoint} with Authorization: Bearer <token>`);
          const policy = await s.oidc.registration.policy(tenantId);
          if (!policy.enabled)
            out(
              `note: registration is off for ${opts.tenant} (gatekeeper clients registration-policy --enable)`,
            );
        });
      },
    );

  clients
    .command('registration-policy')
    .description('show or change the dynamic client registration policy (RFC 7591) of a tenant')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--enable', 'allow registration at <issuer>/reg (with an initial access token)')
    .option('--disable', 'refuse registration (how every tenant starts)')
    .option(
      '--redirect-pattern <pattern>',
      'an allowed redirect URI pattern, e.g. "http://127.0.0.1:*" or "https://app.example.com/cb*" (repeatable; replaces the list)',
      collect,
    )
    .option(
      '--default-scope <scope>',
      'a scope of clients that ask for none (repeatable; replaces the list)',
      collect,
    )
    .option('--unused-days <n>', 'delete registered clients unused this many days (0: never)')
    .option(
      '--allow-confidential',
      'let registering clients be confidential (client_secret_basic or client_secret_post; Gatekeeper issues the secret)',
    )
    .option('--public-only', 'registered clients are public, with PKCE (how every tenant starts)')
    .option(
      '--accept-metadata-documents',
      'accept clients known by their Client ID Metadata Document, an https client_id (how every tenant starts)',
    )
    .option('--refuse-metadata-documents', 'refuse every Client ID Metadata Document client')
    .option(
      '--metadata-pattern <pattern>',
      'a client_id URL pattern metadata-document clients must match, e.g. "https://agents.example.com/*" (repeatable; replaces the list; "" clears it: any https URL)',
      collect,
    )
    .option(
      '--block-metadata-client <client_id>',
      'refuse this metadata-document client, and every token it holds, at once (repeatable)',
      collect,
    )
    .option('--unblock-metadata-client <client_id>', 'accept a blocked one again (repeatable)', collect)
    .option('--json', 'print JSON')
    .action(
      async (
        opts: {
          tenant: string;
          enable?: boolean;
          disable?: boolean;
          redirectPattern?: string[];
          defaultScope?: string[];
          unusedDays?: string;
          allowConfidential?: boolean;
          publicOnly?: boolean;
          acceptMetadataDocuments?: boolean;
          refuseMetadataDocuments?: boolean;
          metadataPattern?: string[];
          blockMetadataClient?: string[];
          unblockMetadataClient?: string[];
          json?: boolean;
        },
        cmd: Command,
      ) => {
        if (opts.enable && opts.disable)
          throw new AppError('validation_failed', { detail: '--enable and --disable exclude each other' });
        if (opts.allowConfidential && opts.publicOnly)
          throw new AppError('validation_failed', {
            detail: '--allow-confidential and --public-only exclude each other',
          });
        if (opts.acceptMetadataDocuments && opts.refuseMetadataDocuments)
          throw new AppError('validation_failed', {
            detail: '--accept-metadata-documents and --refuse-metadata-documents exclude each other',
          });
        const days = opts.unusedDays === undefined ? undefined : Number(opts.unusedDays);
        if (days !== undefined && !(Number.isSafeInteger(days) && days >= 0 && days <= 3650))
          throw new AppError('validation_failed', { detail: '--unused-days: 0 to 3650' });
        await withClients(cmd, opts.tenant, async (s, tenantId) => {
          const input = {
            ...(opts.enable ? { enabled: true } : opts.disable ? { enabled: false } : {}),
            ...(opts.redirectPattern ? { redirectUriPatterns: opts.redirectPattern } : {}),
            ...(opts.defaultScope
              ? { defaultScopes: opts.defaultScope.flatMap((x) => x.split(/[\s,]+/).filter(Boolean)) }
              : {}),
            ...(days !== undefined ? { unusedClientDays: days } : {}),
            ...(opts.allowConfidential
              ? { confidentialClients: true }
              : opts.publicOnly
                ? { confidentialClients: false }
                : {}),
            ...(opts.acceptMetadataDocuments
              ? { metadataDocuments: true }
              : opts.refuseMetadataDocuments
                ? { metadataDocuments: false }
                : {}),
            ...(opts.metadataPattern
              ? { metadataDocumentPatterns: opts.metadataPattern.filter(Boolean) }
              : {}),
          } as RegistrationPolicyInput;
          const current = await s.oidc.registration.policy(tenantId);
          if (opts.blockMetadataClient || opts.unblockMetadataClient) {
            const unblock = new Set(opts.unblockMetadataClient ?? []);
            input.blockedMetadataClients = [
              ...current.blockedMetadataClients,
              ...(opts.blockMetadataClient ?? []),
            ].filter((id) => !unblock.has(id));
          }
          const policy =
            Object.keys(input).length === 0
              ? current
              : await s.oidc.registration.setPolicy(tenantId, input, current.version, ctx);
          if (opts.json) return out(JSON.stringify(policy, null, 2));
          out(`registration:       ${policy.enabled ? 'on' : 'off'}`);
          out(`redirect patterns:  ${policy.redirectUriPatterns.join(' ') || '-'}`);
          out(`default scopes:     ${policy.defaultScopes.join(' ') || '-'}`);
          out(
            `unused clients:     ${policy.unusedClientDays ? `deleted after ${policy.unusedClientDays} days` : 'kept'}`,
          );
          out(`client kinds:       ${policy.confidentialClients ? 'public or confidential' : 'public only'}`);
          out(
            `metadata documents: ${policy.metadataDocuments ? `accepted from ${policy.metadataDocumentPatterns.join(' ') || 'any https URL'}` : 'refused'}`,
          );
          out(`blocked clients:    ${policy.blockedMetadataClients.join(' ') || '-'}`);
        });
      },
    );

  clients
    .command('list')
    .description("list a tenant's clients, by name")
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (opts: { tenant: string; json?: boolean }, cmd: Command) => {
      await withClients(cmd, opts.tenant, async (s, tenantId) => {
        const all: ClientView[] = [];
        let cursor: string | undefined;
        do {
          const page = await s.clients.list(tenantId, toListOptions({ limit: 200, cursor }, 'name'));
          all.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        if (opts.json) return out(JSON.stringify(all, null, 2));
        const width = Math.max(4, ...all.map((c) => c.name.length));
        for (const c of all)
          out(`${c.name.padEnd(width)}  ${c.clientId}  ${c.kind}  ${c.status}  ${c.grantTypes.join(',')}`);
        if (all.length === 0) out('no clients');
      });
    });

  clients
    .command('show')
    .description('show one client')
    .argument('<client>', 'id, client_id or name')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { tenant: string; json?: boolean }, cmd: Command) => {
      await withClients(cmd, opts.tenant, async (s, tenantId) => {
        const c = await s.clients.resolve(tenantId, ref);
        if (opts.json) return out(JSON.stringify(c, null, 2));
        for (const line of describe(c)) out(line);
      });
    });

  withShapeOptions(
    clients
      .command('update')
      .description('change a client (lists given replace the stored ones)')
      .argument('<client>', 'id, client_id or name')
      .requiredOption('--tenant <slug>', 'tenant slug'),
  )
    .option('--name <name>', 'new display name')
    .option('--first-party', 'skip the consent page')
    .option('--no-first-party', 'show the consent page')
    .option('--disable', 'disable the client (its tokens stop working)')
    .option('--enable', 'enable the client again')
    .action(
      async (
        ref: string,
        opts: ShapeOptions & { tenant: string; name?: string; disable?: boolean; enable?: boolean },
        cmd: Command,
      ) => {
        if (opts.disable && opts.enable)
          throw new AppError('validation_failed', { detail: 'give --disable or --enable, not both' });
        await withClients(cmd, opts.tenant, async (s, tenantId) => {
          const current = await s.clients.resolve(tenantId, ref);
          const input: UpdateClientInput = {
            ...shape(opts),
            ...(opts.name ? { name: opts.name } : {}),
            ...(opts.disable
              ? { status: 'disabled' as const }
              : opts.enable
                ? { status: 'active' as const }
                : {}),
          };
          const c = await s.clients.update(tenantId, current.id, input, current.version, ctx);
          out(`updated client ${c.name} (${c.clientId})`);
        });
      },
    );

  clients
    .command('delete')
    .description('delete a client and revoke its secrets')
    .argument('<client>', 'id, client_id or name')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .action(async (ref: string, opts: { tenant: string }, cmd: Command) => {
      await withClients(cmd, opts.tenant, async (s, tenantId) => {
        const c = await s.clients.resolve(tenantId, ref);
        await s.clients.delete(tenantId, c.id, c.version, ctx);
        out(`deleted client ${c.name} (${c.clientId})`);
      });
    });

  const secret = clients.command('secret').description("rotate a client's secrets");
  secret
    .command('add')
    .description('add a secret (printed once); older secrets stay valid until revoked or expired')
    .argument('<client>', 'id, client_id or name')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--expires-in-days <days>', 'expiry (default: never)')
    .option('--json', 'print JSON: {"secret", "credential": {"id", …}}')
    .action(
      async (ref: string, opts: { tenant: string; expiresInDays?: string; json?: boolean }, cmd: Command) => {
        const days = opts.expiresInDays === undefined ? undefined : Number(opts.expiresInDays);
        if (days !== undefined && (!Number.isSafeInteger(days) || days < 1 || days > 3650))
          throw new AppError('validation_failed', { detail: '--expires-in-days must be between 1 and 3650' });
        await withClients(cmd, opts.tenant, async (s, tenantId) => {
          const c = await s.clients.resolve(tenantId, ref);
          const issued = await s.clients.addSecret(
            tenantId,
            c.id,
            days === undefined ? {} : { expiresInDays: days },
            ctx,
          );
          if (opts.json) return out(JSON.stringify(issued, null, 2));
          out(
            `secret ${issued.credential.id} of ${c.clientId}${issued.credential.expiresAt ? ` (expires ${issued.credential.expiresAt})` : ''} — shown once:`,
          );
          out(issued.secret);
        });
      },
    );
  secret
    .command('revoke')
    .description('revoke one secret (every instance refuses it within a second)')
    .argument('<client>', 'id, client_id or name')
    .argument('<secretId>', 'the secret id (see `clients secret list`)')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .action(async (ref: string, secretId: string, opts: { tenant: string }, cmd: Command) => {
      await withClients(cmd, opts.tenant, async (s, tenantId) => {
        const c = await s.clients.resolve(tenantId, ref);
        await s.clients.revokeSecret(tenantId, c.id, secretId, ctx);
        out(`revoked secret ${secretId} of ${c.clientId}`);
      });
    });
  secret
    .command('list')
    .description("list a client's secrets (prefixes and expiry, never the secret)")
    .argument('<client>', 'id, client_id or name')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { tenant: string; json?: boolean }, cmd: Command) => {
      await withClients(cmd, opts.tenant, async (s, tenantId) => {
        const c = await s.clients.resolve(tenantId, ref);
        const all = await s.clients.listSecrets(tenantId, c.id);
        if (opts.json) return out(JSON.stringify(all, null, 2));
        for (const x of all)
          out(
            `${x.id}  ${x.prefix}…  ${x.revokedAt ? 'revoked' : x.expiresAt ? `expires ${x.expiresAt}` : 'no expiry'}`,
          );
        if (all.length === 0) out(`${c.clientId} has no secrets`);
      });
    });
}
