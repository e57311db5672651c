// Next 16 App Router example under `next build && next start`, with proxy.ts using
// glyde-session/next, driven by headless Chromium against a real SimpleJWT backend.
import { prepareNext16 } from './helpers/example.mjs'
import { sessionSuite } from './helpers/suite.mjs'

sessionSuite({
  title: 'Next 16: next start with proxy.ts',
  prepare: prepareNext16,
  mode: 'next-start',
  proxy: true,
})
