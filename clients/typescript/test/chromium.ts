// Debian's Chromium (CHROMIUM, default /usr/bin/chromium) driven by playwright-core; never a downloaded browser.
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

export const chromiumPath = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A browser whose contexts (browser.newContext()) are separate profiles: storage, channels and locks of their own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args });
}

/** One profile kept in userDataDir. */
export function launchPersistentChromium(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args,
    viewport: { width: 1280, height: 900 },
  });
}
