// Debian's Chromium driven by playwright-core: no browser download (CI has no network but the
// package registries). A missing browser fails the suite with the command that installs it.

import { accessSync, constants } from 'node:fs'

import { chromium } from 'playwright-core'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser']

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

function executable(file) {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The Chromium binary: $CHROMIUM_PATH, else Debian's. Throws with install instructions. */
export function chromiumPath() {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : CANDIDATES
  const found = candidates.find(executable)
  if (!found) {
    throw new Error(
      `Chromium not found (looked for ${candidates.join(', ')}). The e2e tests drive Debian's ` +
        'Chromium: install it with `apt-get install -y chromium`, or set CHROMIUM_PATH to a ' +
        'Chromium binary. (`npx playwright install` is not used: it downloads a browser.)',
    )
  }
  return found
}

/** Launch headless Chromium. */
export function launchChromium() {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: LAUNCH_ARGS })
}
