/**
 * loadInteraction — the tenant's sign-in settings for the attempt, and a refusal for a login or
 * password that cannot be one (empty). Lengths and characters were checked by the form schema.
 */
import { messages } from '../pages/messages.en.ts';
import type { SignInSettingsService } from '../settings.ts';
import type { SignInStep } from './types.ts';

export function loadInteraction(settings: SignInSettingsService): SignInStep {
  return async (attempt) => {
    attempt.settings = await settings.get(attempt.tenant.id);
    if (attempt.login.trim() === '')
      return {
        kind: 'refused',
        reason: 'missing_login',
        message: messages.fieldRequired(messages.loginLabel),
        status: 400,
      };
    if (attempt.password === '')
      return {
        kind: 'refused',
        reason: 'missing_password',
        message: messages.fieldRequired(messages.passwordLabel),
        status: 400,
      };
    return undefined;
  };
}
