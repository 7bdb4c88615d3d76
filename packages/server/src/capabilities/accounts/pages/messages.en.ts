/**
 * Every user-facing text of the sign-in and account pages, in English. A translation is a copy of
 * this file with the same keys; pages never hold literal text. Functions take the values a message
 * needs (never secrets).
 */
export const messages = {
  productName: 'Gatekeeper',
  skipToContent: 'Skip to content',
  poweredBy: 'Secured by Gatekeeper',

  signInTitle: 'Sign in',
  signInIntro: (tenant: string) => `Continue to ${tenant} with your username or email.`,
  loginLabel: 'Username or email',
  passwordLabel: 'Password',
  signInButton: 'Sign in',
  invalidCredentials: 'The username or password is not correct.',
  lockedOut: (minutes: number) =>
    `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
  rateLimited: 'Too many sign-in attempts from here. Wait a moment and try again.',
  fieldTooLong: (label: string, max: number) => `${label} is longer than ${max} characters.`,
  fieldRequired: (label: string) => `Enter your ${label.toLowerCase()}.`,
  invalidCharacters: 'The form contains characters that cannot be used.',
  formExpired: 'This form expired or was already sent. Please try again.',
  crossSite: 'This form was sent from another site and was refused.',
  unexpectedField: 'The form contained unexpected fields and was refused.',

  signedOutTitle: 'Signed out',
  signedOutBody: 'You are signed out. You can close this window.',
  signOutTitle: 'Sign out',
  signOutConfirm: 'Sign out of this browser?',
  signOutButton: 'Sign out',
  signInAgain: 'Sign in again',

  accountTitle: 'Your account',
  profileHeading: 'Profile',
  profileName: 'Name',
  profileUsername: 'Username',
  profileEmail: 'Email',
  notSet: 'Not set',
  passwordHeading: 'Password',
  passwordChangedAt: (when: string) => `Last changed ${when}.`,
  passwordNeverChanged: 'Not changed since the account was created.',
  changePasswordLink: 'Change password',
  sessionsHeading: 'Signed-in browsers',
  sessionsIntro: 'These browsers are signed in to your account. Sign out any you do not recognise.',
  sessionThisOne: 'This browser',
  sessionSignedIn: (when: string) => `Signed in ${when}`,
  sessionLastSeen: (when: string) => `last active ${when}`,
  sessionFrom: (ip: string) => `from ${ip}`,
  sessionRevoke: 'Sign out',
  sessionRevokeLabel: (agent: string) => `Sign out the session on ${agent}`,
  sessionRevoked: 'That browser is signed out.',
  sessionUnknown: 'That session no longer exists.',
  tokenRevoked: 'That API token is revoked: it no longer works anywhere.',
  tokenUnknown: 'That API token no longer exists.',
  unknownBrowser: 'Unknown browser',

  changePasswordTitle: 'Change password',
  forcedChangeIntro: 'Your administrator asks you to choose a new password before you continue.',
  expiredChangeIntro: 'Your password has expired. Choose a new one to continue.',
  currentPasswordLabel: 'Current password',
  newPasswordLabel: 'New password',
  confirmPasswordLabel: 'Repeat the new password',
  passwordRules: (min: number) => `At least ${min} characters. Avoid common words and your own name.`,
  changePasswordButton: 'Change password',
  passwordChanged: 'Your password is changed.',
  currentPasswordWrong: 'The current password is not correct.',
  passwordsDiffer: 'The two new passwords are not the same.',
  backToAccount: 'Back to your account',

  errorTitle: 'Something went wrong',
  notFoundTitle: 'Page not found',
  notFoundBody: 'There is no such page here.',
  unavailableBody: 'The service is briefly unavailable. Try again in a moment.',
  badRequestBody: 'The request could not be understood.',
} as const;

export type Messages = typeof messages;

/** Why a new password was refused (the policy's reasons), in English. */
export const passwordMessages = {
  tooShort: (min: number) => `The password must have at least ${min} characters.`,
  tooLong: (max: number) => `The password must have at most ${max} characters.`,
  needsLowercase: 'The password must contain a lower-case letter.',
  needsUppercase: 'The password must contain an upper-case letter.',
  needsDigit: 'The password must contain a digit.',
  needsSymbol: 'The password must contain a symbol (not a letter or digit).',
  tooWeak: 'This password is too common or too easy to guess. Try a longer phrase of unrelated words.',
  containsName: 'The password must not contain your username or email.',
  reused: (n: number) => `Choose a password you have not used before (the last ${n} are remembered).`,
  sameAsCurrent: 'The new password must differ from the current one.',
} as const;
export type PasswordProblem = keyof typeof passwordMessages;
