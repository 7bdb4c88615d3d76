/**
 * First-run bootstrap. On a start with no administrator, a one-time setup link is issued (a
 * single-use `setup` credential, 24 h, superseding earlier links atomically, so at most one link is
 * valid at any moment across every instance); opening it lets the first
 * administrator set an email and password. The same administrator can be created without a browser
 * (`gatekeeper admin create`). The administrator is a user of the root tenant holding the built-in
 * `owner` role, which administers every tenant.
 */
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import { FieldErrors, messages } from '../../text/field-errors.ts';
import type { CredentialsService } from '../credentials/service.ts';
import { emailProblem, passwordProblem } from '../users/index.ts';

export const SETUP_LINK_TTL_MS = 24 * 3600_000;

export interface AdminInput {
  email: string;
  password: string;
  name?: string;
}

export interface AdminDirectory {
  /** True when the root tenant has a user holding the owner role. */
  hasAdmin(): Promise<boolean>;
  /** Creates a root-tenant user with the password and assigns the owner role. */
  createAdmin(input: AdminInput, ctx: ActionContext): Promise<{ userId: string }>;
}

export interface SetupService {
  /** Issues a fresh setup link when no administrator exists; null otherwise. */
  issueLinkIfNeeded(): Promise<string | null>;
  /** Checks a setup token without consuming it (to render the form). */
  checkLink(token: string): Promise<boolean>;
  /** Consumes the setup token and creates the first administrator. */
  complete(token: string, input: AdminInput, ctx: ActionContext): Promise<{ userId: string }>;
  /** Creates an administrator directly (CLI); refuses when one exists unless `force`. */
  createAdmin(input: AdminInput, ctx: ActionContext, force?: boolean): Promise<{ userId: string }>;
}

export function createSetupService(deps: {
  credentials: CredentialsService;
  directory: AdminDirectory;
  publicUrl: () => string;
}): SetupService {
  const { credentials, directory } = deps;

  /** The users capability's own email and password rules, so every entry point says the same. */
  function validate(input: AdminInput): void {
    const errors = new FieldErrors();
    const email = input.email.trim() === '' ? messages.required : emailProblem(input.email);
    if (email) errors.add('email', email);
    const password = passwordProblem(input.password);
    if (password) errors.add('password', password);
    errors.throwIfAny();
  }

  return {
    async issueLinkIfNeeded() {
      if (await directory.hasAdmin()) return null;
      // superseding in the same transaction as the insert: instances starting together each issue
      // a link, and only the last one issued stays valid
      const { secret } = await credentials.issue(
        {
          kind: 'setup',
          tenantId: null,
          ownerType: 'system',
          name: 'first administrator setup',
          abilities: [],
          expiresAt: Date.now() + SETUP_LINK_TTL_MS,
        },
        { actor: 'system' },
        { supersede: true },
      );
      return `${deps.publicUrl()}/setup?token=${encodeURIComponent(secret)}`;
    },
    async checkLink(token) {
      try {
        await credentials.verify(token, ['setup']);
        return !(await directory.hasAdmin());
      } catch {
        return false;
      }
    },
    async complete(token, input, ctx) {
      validate(input);
      if (await directory.hasAdmin())
        throw new AppError('conflict', { detail: 'an administrator already exists' });
      // consume first, so two submissions of one link cannot both create an administrator; give the
      // link back when the directory refuses the input, so the administrator can correct it
      const row = await credentials.consume(token, 'setup', ctx);
      try {
        return await directory.createAdmin(input, ctx);
      } catch (err) {
        await credentials.release(row);
        throw err;
      }
    },
    async createAdmin(input, ctx, force = false) {
      validate(input);
      if (!force && (await directory.hasAdmin())) {
        throw new AppError('conflict', {
          detail: 'an administrator already exists (use --force to add another)',
        });
      }
      const created = await directory.createAdmin(input, ctx);
      await credentials.revokeKind('setup', null);
      return created;
    },
  };
}
