/**
 * Every user-facing text of the magic-link and password-reset pages, in English (a translation is a
 * copy of this file with the same keys).
 */
export const linkMessages = {
  magicTitle: 'Email me a sign-in link',
  magicIntro: (tenant: string) =>
    `Enter the email address of your ${tenant} account. We will send you a link that signs you in.`,
  emailLabel: 'Email address',
  magicButton: 'Send me a link',
  sentTitle: 'Check your email',
  sentBody: (minutes: number) =>
    `If an account uses that address, a sign-in link is on its way. It works once and expires in ${minutes} minutes. Open it in this browser to sign in at once.`,
  rateLimited: 'Too many links were asked for. Wait a few minutes and try again.',
  emailInvalid: 'Enter an email address, like name@example.com.',
  backToSignIn: 'Back to sign in',
  confirmTitle: 'Sign in on this device?',
  confirmBody:
    'This link was asked for in another browser or on another device. Continue only if you asked for it and want to sign in here.',
  confirmButton: 'Sign in here',
  linkInvalidTitle: 'This link no longer works',
  linkInvalidBody: 'The link was already used, has expired, or is not complete. Ask for a new one.',
  newLinkLink: 'Ask for a new link',
  forgotTitle: 'Forgot your password?',
  forgotIntro:
    'Enter the email address of your account and we will send you a link to choose a new password.',
  forgotButton: 'Send reset link',
  forgotSentBody: (minutes: number) =>
    `If an account uses that address, a link to reset its password is on its way. It works once and expires in ${minutes} minutes.`,
  resetTitle: 'Choose a new password',
  resetIntro: 'Choose a new password for your account. You will be signed out everywhere else.',
  newPasswordLabel: 'New password',
  confirmPasswordLabel: 'Repeat the new password',
  passwordRules: (min: number) => `At least ${min} characters. Avoid common words and your own name.`,
  resetButton: 'Set new password',
  passwordsDiffer: 'The two new passwords are not the same.',
  resetDoneTitle: 'Password changed',
  resetDoneBody:
    'Your password is changed and every other session is signed out. Sign in with the new password.',
  signInLink: 'Sign in',
  orDivider: 'or',
  magicLinkOption: 'Email me a sign-in link',
  forgotOption: 'Forgot password?',
} as const;
