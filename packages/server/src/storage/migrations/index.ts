/**
 * The ordered list of migrations. Append only: a released migration is never edited (the migrator
 * refuses to start when an applied migration's checksum changed) and never reordered.
 */
import type { Migration } from '../migrator.ts';
import { migration as m0001 } from './0001-foundation.ts';
import { migration as m0002 } from './0002-directory.ts';
import { migration as m0003 } from './0003-directory-indexes.ts';
import { migration as m0004 } from './0004-users-without-email.ts';
import { migration as m0005 } from './0005-bytewise-collation.ts';
import { migration as m0006 } from './0006-outbox-and-changes.ts';
import { migration as m0007 } from './0007-username-skeletons.ts';
import { migration as m0008 } from './0008-nfc-names.ts';
import { migration as m0014 } from './0014-clients.ts';
import { migration as m0020 } from './0020-sessions.ts';
import { migration as m0021 } from './0021-account-state.ts';
import { migration as m0025 } from './0025-mail-outbox.ts';
import { migration as m0026 } from './0026-sign-in-links.ts';
import { migration as m0027 } from './0027-totp.ts';
import { migration as m0028 } from './0028-mfa-enforcement.ts';
import { migration as m0029 } from './0029-passkeys.ts';
import { migration as m0030 } from './0030-oidc-payloads.ts';
import { migration as m0031 } from './0031-oidc-signing-keys.ts';
import { migration as m0032 } from './0032-oidc-resources-and-trust.ts';
import { migration as m0033 } from './0033-oidc-registration-and-claims.ts';
import { migration as m0040 } from './0040-gateway.ts';
import { migration as m0045 } from './0045-branding-logos.ts';
import { migration as m0046 } from './0046-oidc-logout-retries.ts';
import { migration as m0047 } from './0047-oidc-client-policy.ts';

export const migrations: readonly Migration[] = [
  m0001,
  m0002,
  m0003,
  m0004,
  m0005,
  m0006,
  m0007,
  m0008,
  m0014,
  m0020,
  m0021,
  m0025,
  m0026,
  m0027,
  m0028,
  m0029,
  m0030,
  m0031,
  m0032,
  m0033,
  m0040,
  m0045,
  m0046,
  m0047,
];
