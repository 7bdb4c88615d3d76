/**
 * Every user-facing text of the MFA and passkey pages and account sections, in English (a
 * translation is a copy of this file with the same keys).
 */
export const mfaMessages = {
  challengeTitle: 'Two-step verification',
  challengeIntro: 'Enter the 6-digit code from your authenticator app, or one of your backup codes.',
  codeLabel: 'Verification code',
  codeHint: 'A backup code looks like abcde-12345. Each works once.',
  verifyButton: 'Verify',
  codeInvalid: 'That code is not valid. Check your authenticator app and try again.',
  tooManyCodes: 'Too many wrong codes. Wait a few minutes and try again.',
  usePasskey: 'Use a passkey instead',
  passkeyButton: 'Verify with a passkey',
  passkeyFailed: 'The passkey could not be used. Try again, or enter a code.',
  orDivider: 'or',
  cancelSignIn: 'Cancel and start over',
  expiredSignIn: 'This sign-in took too long or was already finished. Please sign in again.',

  enrolTitle: 'Set up two-step verification',
  enrolIntro:
    'Scan this QR code with an authenticator app (such as 1Password, Google Authenticator or Aegis), then enter the 6-digit code it shows.',
  enrolRequired: 'Your organisation requires two-step verification for your account.',
  enrolGrace: (when: string) => `You can skip this until ${when}; after that it is required.`,
  qrLabel: 'QR code for your authenticator app',
  secretLabel: 'Or enter this key by hand',
  secretHint: 'Time-based, SHA-1, 6 digits, 30 seconds.',
  confirmButton: 'Turn on',
  skipButton: 'Skip for now',

  codesTitle: 'Save your backup codes',
  codesIntro:
    'Each code signs you in once if you lose your authenticator. Keep them somewhere safe: they are shown only now.',
  codesListLabel: 'Backup codes',
  continueButton: 'I saved them — continue',
  backToAccount: 'Back to your account',

  sectionTitle: 'Two-step verification',
  sectionOn: (when: string) => `An authenticator app is on (since ${when}).`,
  sectionOff: 'Add a second step to signing in: a code from an authenticator app.',
  sectionRequired: 'Required for your account.',
  sectionGrace: (when: string) => `Required: set it up before ${when}.`,
  codesLeft: (n: number) => `${n} backup code${n === 1 ? '' : 's'} left.`,
  setUpButton: 'Set up authenticator app',
  renewCodesButton: 'New backup codes',
  removeButton: 'Remove authenticator app',
  removed: 'The authenticator app is removed.',

  passkeysTitle: 'Passkeys',
  passkeysIntro:
    'Sign in with your fingerprint, face or device PIN instead of a password. A passkey also counts as two-step verification.',
  passkeysNone: 'No passkeys yet.',
  passkeyAdded: (when: string) => `Added ${when}`,
  passkeyUsed: (when: string) => `last used ${when}`,
  passkeySynced: 'synced',
  passkeyNameLabel: 'Name for the new passkey',
  passkeyNameDefault: 'My passkey',
  addPasskeyButton: 'Add a passkey',
  renameLabel: (name: string) => `New name for ${name}`,
  renameButton: 'Rename',
  deleteButton: 'Delete',
  deleteLabel: (name: string) => `Delete the passkey ${name}`,
  passkeyRegistered: 'The passkey is added.',
  passkeyRenamed: 'The passkey is renamed.',
  passkeyDeleted: 'The passkey is deleted.',
  passkeyNameInvalid: 'A passkey name has 1 to 64 characters on one line.',
  passkeysUnsupported: 'This browser cannot use passkeys.',

  signInWithPasskey: 'Sign in with a passkey',
  magicLinkOption: 'Email me a sign-in link',
  forgotOption: 'Forgot password?',
} as const;
