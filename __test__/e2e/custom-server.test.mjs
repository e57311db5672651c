// The same Next 16 build served by examples/next-app/server.js, a custom Node server that checks
// the session with glyde-session/node (the app's proxy.ts stands aside).
import { prepareNext16 } from './helpers/example.mjs'
import { sessionSuite } from './helpers/suite.mjs'

sessionSuite({
  title: 'Next 16: custom server.js with glyde-session/node',
  prepare: prepareNext16,
  mode: 'custom-server',
  proxy: false,
})
