/**
 * Debian's Chromium for browser tests (PEERS.md): its path and the flags every test launches it
 * with. Never a downloaded browser.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Browser tests run where Chromium is installed, and always under CI (a missing one fails there). */
export const chromiumAvailable = (): boolean => existsSync(CHROMIUM) || Boolean(process.env.CI);
