/**
 * Error codes of the settings capability (added to the one registry in errors/codes.ts).
 */
import { type Codes, defineErrorCodes } from '../../errors/codes.ts';

export const settingErrors = defineErrorCodes({
  unknown_setting: { status: 400, title: 'No such setting' },
  setting_not_runtime: { status: 400, title: 'This setting cannot be changed at runtime' },
  invalid_setting_value: { status: 400, title: 'The value is not valid for this setting' },
});

declare module '../../errors/codes.ts' {
  interface ErrorCodeMap extends Codes<typeof settingErrors> {}
}
