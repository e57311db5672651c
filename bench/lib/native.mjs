// Loads the addon through the package's generated loader, as users get it.

import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const root = fileURLToPath(new URL('../../', import.meta.url))

const JS_ONLY = process.env.GLYDE_BENCH_JS_ONLY === '1'

/**
 * The addon's exports, or null (with the reason) when it is not built yet, or when
 * GLYDE_BENCH_JS_ONLY=1 asks for the JavaScript contenders alone.
 */
export function loadNative() {
  if (JS_ONLY) return { native: null, why: 'GLYDE_BENCH_JS_ONLY=1' }
  if (!existsSync(`${root}index.js`)) return { native: null, why: 'index.js not found (run `npm run build`)' }
  try {
    return { native: require(`${root}index.js`), why: null }
  } catch (err) {
    return { native: null, why: `could not load the addon: ${err.message}` }
  }
}

/** Like loadNative, but exits with a clear message when the addon is missing (unless allowed). */
export function requireNative({ optional = JS_ONLY } = {}) {
  const { native, why } = loadNative()
  if (!native && !optional) {
    console.error(`[bench] ${why}; set GLYDE_BENCH_JS_ONLY=1 to run the JavaScript contenders alone`)
    process.exit(2)
  }
  if (!native) console.error(`[bench] ${why}: running the JavaScript contenders only`)
  return native
}
