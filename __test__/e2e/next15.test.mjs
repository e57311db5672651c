// The example on Next 15.5 with middleware.ts (`runtime: 'nodejs'`) instead of proxy.ts: a
// scratch copy under .tmp/e2e/next15, built once and reused.
import { NEXT15_VERSION, prepareNext15 } from './helpers/example.mjs'
import { sessionSuite } from './helpers/suite.mjs'

sessionSuite({
  title: `Next ${NEXT15_VERSION}: next start with middleware.ts (runtime nodejs)`,
  prepare: prepareNext15,
  mode: 'next-start',
  proxy: true,
})
