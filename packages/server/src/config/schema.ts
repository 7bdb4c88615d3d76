/**
 * The one configuration schema. Every setting has a description and a default here; the reference in
 * docs/configuration.md is generated from it (a test fails when that file is stale). Sources, lowest
 * to highest precedence: these defaults, the config file (`--config FILE` / GATEKEEPER_CONFIG), the
 * environment (`GATEKEEPER_<KEY>`), the `serve --host/--port` flags, and — for settings marked
 * `runtime` — values stored in the database and changed through the CLI or admin API without a
 * restart.
 */
import Type, { type Static, type TSchema } from 'typebox';

/** Extra metadata on a setting's schema. */
export interface SettingMeta {
  /** May be stored in the database and changed at runtime. */
  runtime?: boolean;
  /** Never printed in full; stored encrypted when runtime. */
  secret?: boolean;
}

const meta = (m: SettingMeta) => ({ 'x-gatekeeper': m });

export const ConfigSchema = Type.Object(
  {
    publicUrl: Type.String({
      description:
        'External base URL of this Gatekeeper (issuers and links are built from it). When unset, it is derived from host and port — `http://localhost:<port>` when listening on loopback or on every interface, `http://<host>:<port>` otherwise (the bound port when port is 0) — and start-up warns.',
      default: 'http://localhost:8080',
      format: 'uri',
      maxLength: 2048,
    }),
    host: Type.String({
      description: 'Interface to listen on (`gatekeeper serve --host` overrides it).',
      default: '127.0.0.1',
      maxLength: 255,
    }),
    port: Type.Integer({
      description: 'TCP port to listen on (0 picks a free port; `gatekeeper serve --port` overrides it).',
      default: 8080,
      minimum: 0,
      maximum: 65535,
    }),
    dataDir: Type.String({
      description: 'Directory for the embedded SQLite database and the development master-key file.',
      default: './data',
      maxLength: 4096,
    }),
    databaseUrl: Type.String({
      description:
        'Database URL: empty for the embedded SQLite file `<dataDir>/gatekeeper.db`, `sqlite:PATH`, or `postgres://user:pass@host:5432/db` for scale-out.',
      default: '',
      maxLength: 4096,
      ...meta({ secret: true }),
    }),
    databasePoolSize: Type.Integer({
      description: 'PostgreSQL connection pool size per instance.',
      default: 10,
      minimum: 1,
      maximum: 200,
    }),
    redisUrl: Type.String({
      description:
        'Redis URL for shared state (rate limits, nonces, cache invalidation); empty for in-process state (single instance).',
      default: '',
      maxLength: 4096,
      ...meta({ secret: true }),
    }),
    redisPrefix: Type.String({
      description: 'Prefix for every Redis key and channel.',
      default: 'gk:',
      maxLength: 64,
    }),
    masterKeys: Type.String({
      description:
        'Comma-separated Fernet master keys (32 bytes base64url each), newest first. They encrypt stored secrets and never enter the database. Empty in embedded mode: a key file in dataDir is created (development only).',
      default: '',
      maxLength: 8192,
      ...meta({ secret: true }),
    }),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { description: 'Log level of the JSON logs.', default: 'info', ...meta({ runtime: true }) },
    ),
    trustProxy: Type.Boolean({
      description: 'Trust X-Forwarded-* headers from the peer (set when behind a reverse proxy).',
      default: false,
    }),
    bodyLimitBytes: Type.Integer({
      description: 'Largest accepted request body.',
      default: 1_048_576,
      minimum: 1024,
      maximum: 104_857_600,
    }),
    importBodyLimitBytes: Type.Integer({
      description:
        'Largest upload to the bulk user import (`POST /api/v1/tenants/{tenant}/users/import`), which streams it instead of holding it in memory; every other route keeps bodyLimitBytes.',
      default: 268_435_456,
      minimum: 1024,
      maximum: 17_179_869_184,
      ...meta({ runtime: true }),
    }),
    signInRateLimitPerIp: Type.Integer({
      description:
        'Password sign-in attempts one client address may make per tenant per minute (all instances together, through the shared state); more get 429 before any password hashing.',
      default: 30,
      minimum: 1,
      maximum: 1_000_000,
    }),
    signInRateLimitPerTenant: Type.Integer({
      description: 'Password sign-in attempts per tenant per minute from all addresses together.',
      default: 3000,
      minimum: 1,
      maximum: 10_000_000,
    }),
    shutdownTimeoutSeconds: Type.Integer({
      description: 'How long graceful shutdown waits for in-flight requests before closing.',
      default: 10,
      minimum: 1,
      maximum: 600,
    }),
    argon2MemoryKib: Type.Integer({
      description:
        'Argon2id memory cost in KiB for new password hashes (OWASP: 19456). Existing hashes are upgraded at the next login.',
      default: 19456,
      minimum: 1024,
      maximum: 4_194_304,
      ...meta({ runtime: true }),
    }),
    argon2Iterations: Type.Integer({
      description: 'Argon2id time cost (iterations).',
      default: 2,
      minimum: 1,
      maximum: 100,
      ...meta({ runtime: true }),
    }),
    argon2Parallelism: Type.Integer({
      description: 'Argon2id parallelism.',
      default: 1,
      minimum: 1,
      maximum: 16,
      ...meta({ runtime: true }),
    }),
    auditRetentionDays: Type.Integer({
      description:
        'Audit entries older than this are pruned (the prune itself is audited and keeps the chain verifiable).',
      default: 2555,
      minimum: 1,
      maximum: 36_500,
      ...meta({ runtime: true }),
    }),
    auditCheckpointEvery: Type.Integer({
      description: 'Write a signed audit checkpoint every this many entries.',
      default: 1000,
      minimum: 10,
      maximum: 1_000_000,
    }),
    auditCheckpointIntervalSeconds: Type.Integer({
      description: 'Also write a signed audit checkpoint at least this often while entries arrive.',
      default: 60,
      minimum: 1,
      maximum: 86_400,
    }),
    auditAnchorFile: Type.String({
      description:
        'Append every signed audit checkpoint to this file as a JSON line (an outside anchor for `gatekeeper audit verify --anchors FILE`; keep it on storage the database administrator cannot rewrite). Empty: the JSON log only.',
      default: '',
      maxLength: 4096,
    }),
    metricsAccess: Type.Union(
      ['public', 'token', 'off'].map((a) => Type.Literal(a)),
      {
        description:
          'Who may read Prometheus metrics at /metrics: `public` (anyone who reaches the port), `token` (an admin API token with `metrics:read`) or `off`. With `GATEKEEPER_HOST=0.0.0.0` and no proxy in front, use `token` or `metricsListen`.',
        default: 'public',
        ...meta({ runtime: true }),
      },
    ),
    metricsListen: Type.String({
      description:
        'Serve /metrics on this separate address instead (`host:port`, e.g. `127.0.0.1:9464`), and not on the main port. Empty: on the main port.',
      default: '',
      maxLength: 300,
      pattern: '^(.+:[0-9]{1,5})?$',
    }),
    apiDocsAccess: Type.Union(
      ['public', 'token', 'off'].map((a) => Type.Literal(a)),
      {
        description:
          'Who may read the API reference (/docs) and the OpenAPI document (/openapi.json): `public`, `token` (any admin API token) or `off`.',
        default: 'public',
        ...meta({ runtime: true }),
      },
    ),
    httpHeadersTimeoutMs: Type.Integer({
      description:
        'How long a client may take to send the request line and headers before the connection is closed (Node `headersTimeout`; at most httpRequestTimeoutMs).',
      default: 10_000,
      minimum: 100,
      maximum: 600_000,
    }),
    httpRequestTimeoutMs: Type.Integer({
      description:
        'How long a client may take to send a whole request, body included, before it gets 408 and the connection is closed (cuts off slow uploads).',
      default: 30_000,
      minimum: 100,
      maximum: 3_600_000,
    }),
    httpKeepAliveTimeoutMs: Type.Integer({
      description:
        'How long an idle keep-alive connection stays open after a response. Behind a load balancer, set it above the balancer’s idle timeout.',
      default: 65_000,
      minimum: 100,
      maximum: 600_000,
    }),
    httpIdleTimeoutMs: Type.Integer({
      description:
        'How long a connection may see no traffic at all (e.g. a client that stops reading a response) before it is closed (checked once a second, so it is cut within a second of this).',
      default: 120_000,
      minimum: 100,
      maximum: 3_600_000,
    }),
    adminDenialAuditWindowSeconds: Type.Integer({
      description:
        'Refused admin API requests are audited as one event per address and reason per this many seconds, with a count (so requests without a credential cannot flood the audit log).',
      default: 60,
      minimum: 1,
      maximum: 3600,
      ...meta({ runtime: true }),
    }),
    usernameConfusablesRefused: Type.Boolean({
      description:
        'Refuse a new or renamed username that looks like an existing one in its tenant (equal Unicode TS #39 confusable skeletons, e.g. `admin` and `аdmin` with a Cyrillic а).',
      default: true,
      ...meta({ runtime: true }),
    }),
    gatewayTrustedForwarders: Type.String({
      description:
        'Comma-separated addresses and CIDR ranges (IPv4 or IPv6) of the proxies allowed to call `/authz`: only their original-request headers (`X-Original-*`, `X-Forwarded-*`) and forwarded client addresses (`X-Original-Client-IP`, `X-Forwarded-For`) are believed. A request from anywhere else is denied (`untrusted_forwarder`).',
      default: '127.0.0.0/8,::1/128',
      maxLength: 4096,
      pattern: '^[0-9A-Fa-f:./, ]*$',
      ...meta({ runtime: true }),
    }),
    gatewayClockSkewSeconds: Type.Integer({
      description:
        "How far the `created` / `timestamp` of a signed request may be from this server's clock, either way. Nonces are remembered for twice this long (at least 600 s).",
      default: 300,
      minimum: 5,
      maximum: 3600,
      ...meta({ runtime: true }),
    }),
    gatewayAuditAllowEvery: Type.Integer({
      description:
        'Audit one allowed `/authz` decision in this many (every denial is audited); 0 audits none, 1 every one.',
      default: 100,
      minimum: 0,
      maximum: 1_000_000,
      ...meta({ runtime: true }),
    }),
    gatewayIdentityHeaders: Type.String({
      description:
        'The identity headers an allowing `/authz` answer carries, as `field=Header-Name` pairs (fields: client-id, client-name, route-id, user-id, token-id, scopes, client-ip). Drop a pair to omit the header.',
      default:
        'client-id=X-Client-ID,client-name=X-Client-Name,route-id=X-Route-ID,user-id=X-User-ID,scopes=X-Scopes,client-ip=X-Client-IP',
      maxLength: 1024,
      pattern:
        '^((client-id|client-name|route-id|user-id|token-id|scopes|client-ip)=[A-Za-z0-9-]{1,64})(,(client-id|client-name|route-id|user-id|token-id|scopes|client-ip)=[A-Za-z0-9-]{1,64})*$',
      ...meta({ runtime: true }),
    }),
    smtpUrl: Type.String({
      description:
        'SMTP server mail is delivered through, e.g. `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. Empty: in embedded mode each message (with its link) is written to the log at info, marked as not sent; in scale-out mode mail stays queued in the outbox until it is set.',
      default: '',
      maxLength: 4096,
      pattern: '^((smtps?)://.+)?$',
      ...meta({ runtime: true, secret: true }),
    }),
    mailFrom: Type.String({
      description: 'The From address of every message, e.g. `Gatekeeper <no-reply@example.com>`.',
      default: 'Gatekeeper <no-reply@localhost>',
      minLength: 3,
      maxLength: 320,
      ...meta({ runtime: true }),
    }),
    mailMaxAttempts: Type.Integer({
      description:
        'Delivery attempts per message before it is marked dead (`gatekeeper mail outbox retry` queues it again).',
      default: 8,
      minimum: 1,
      maximum: 100,
      ...meta({ runtime: true }),
    }),
    mailRetryBaseMs: Type.Integer({
      description:
        'Delay before the second delivery attempt; each further attempt waits twice as long as the previous one (exponential backoff, at most one hour, with jitter).',
      default: 10_000,
      minimum: 10,
      maximum: 3_600_000,
      ...meta({ runtime: true }),
    }),
    magicLinkTtlSeconds: Type.Integer({
      description: 'How long a magic sign-in link stays valid (it works once).',
      default: 600,
      minimum: 60,
      maximum: 86_400,
      ...meta({ runtime: true }),
    }),
    passwordResetTtlSeconds: Type.Integer({
      description: 'How long a password-reset link stays valid (it works once).',
      default: 3600,
      minimum: 300,
      maximum: 86_400,
      ...meta({ runtime: true }),
    }),
    oidcSigningAlgorithm: Type.Union(
      ['RS256', 'ES256', 'EdDSA'].map((a) => Type.Literal(a)),
      {
        description:
          "Algorithm of a tenant's first signing key and of automatic rotations (`gatekeeper keys signing rotate --alg` picks another for one tenant).",
        default: 'RS256',
        ...meta({ runtime: true }),
      },
    ),
    oidcKeyRotationDays: Type.Integer({
      description:
        "Rotate every tenant's signing key automatically after this many days; 0 turns automatic rotation off.",
      default: 90,
      minimum: 0,
      maximum: 3650,
      ...meta({ runtime: true }),
    }),
    oidcKeyPublishLeadSeconds: Type.Integer({
      description:
        'A new signing key is published in JWKS this long before it signs, so relying parties that cache JWKS know it before they meet a token it signed.',
      default: 600,
      minimum: 0,
      maximum: 604_800,
      ...meta({ runtime: true }),
    }),
    oidcAccessTokenTtlSeconds: Type.Integer({
      description: 'Lifetime of access tokens (a client or resource server may set its own).',
      default: 3600,
      minimum: 60,
      maximum: 86_400,
      ...meta({ runtime: true }),
    }),
    oidcIdTokenTtlSeconds: Type.Integer({
      description: 'Lifetime of ID tokens (a client may set its own).',
      default: 3600,
      minimum: 60,
      maximum: 86_400,
      ...meta({ runtime: true }),
    }),
    oidcRefreshTokenTtlSeconds: Type.Integer({
      description: 'Lifetime of refresh tokens (a client may set its own); each refresh rotates the token.',
      default: 1_209_600,
      minimum: 300,
      maximum: 31_536_000,
      ...meta({ runtime: true }),
    }),
    oidcRefreshReuseGraceSeconds: Type.Integer({
      description:
        'A rotated refresh token presented again within this many seconds (two tabs refreshing at once) is refused without revoking its family; later reuse revokes every token of the grant.',
      default: 5,
      minimum: 0,
      maximum: 300,
      ...meta({ runtime: true }),
    }),
    oidcBackchannelLogoutAttempts: Type.Integer({
      description:
        'Delivery attempts of one back-channel logout token (the first included) before it is given up; 1: no retry. Waiting retries are stored in the database and run by any server instance.',
      default: 4,
      minimum: 1,
      maximum: 10,
      ...meta({ runtime: true }),
    }),
    oidcBackchannelLogoutRetryBaseMs: Type.Integer({
      description:
        'Delay before the second back-channel logout delivery attempt; each further attempt waits twice as long as the previous one (at most one hour).',
      default: 5_000,
      minimum: 10,
      maximum: 3_600_000,
      ...meta({ runtime: true }),
    }),
    oidcOutboundCaFile: Type.String({
      description:
        "PEM file of extra certificate authorities trusted (besides the system's) when the OAuth provider fetches client ID metadata documents and clients' `jwks_uri`, and delivers back-channel logout tokens — for clients served under a private CA. Empty: the system CAs only.",
      default: '',
      maxLength: 4096,
    }),
    oidcOutboundAllowPrivateAddresses: Type.Boolean({
      description:
        'Let the OAuth provider fetch client ID metadata documents and `jwks_uri`, and deliver back-channel logout tokens, to loopback and private-network addresses (an on-premises deployment whose agents live on the intranet). Off: such fetches are refused (SSRF protection).',
      default: false,
    }),
    oidcProviderCacheSize: Type.Integer({
      description:
        'OAuth/OIDC protocol engines (one per tenant) kept in memory; the least recently used is dropped and rebuilt on its next request.',
      default: 1000,
      minimum: 1,
      maximum: 100_000,
    }),
  },
  { additionalProperties: false },
);

export type Config = Readonly<Static<typeof ConfigSchema>>;
export type ConfigKey = keyof Config;

/** Properties of the schema, by key. */
export const settingSchemas = ConfigSchema.properties as unknown as Record<
  ConfigKey,
  TSchema & Record<string, unknown>
>;

export const configKeys = Object.keys(settingSchemas) as ConfigKey[];

/** Metadata of a setting. */
export function settingMeta(key: ConfigKey): SettingMeta {
  return (settingSchemas[key]['x-gatekeeper'] as SettingMeta | undefined) ?? {};
}

/** `publicUrl` → `GATEKEEPER_PUBLIC_URL`. */
export function envNameOf(key: string): string {
  return `GATEKEEPER_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** True for a config key (type guard). */
export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(settingSchemas, key);
}

/** Settings that may be changed at runtime (stored in the database). */
export const runtimeKeys = configKeys.filter((k) => settingMeta(k).runtime === true);
