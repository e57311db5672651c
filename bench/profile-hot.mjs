// A tight, awaited loop of one hot-path contender, for profilers:
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-hot.mjs native 3000000
//   perf record -F 4999 -g -o /tmp/perf.data node --perf-basic-prof bench/profile-hot.mjs native 3000000
//
// contender: native | native-headers | bound | usual | hand.

import { createHandTuned, createUsual } from './lib/js-session.mjs'
import { requireNative } from './lib/native.mjs'
import { freshSession, sessionRequest } from './lib/tokens.mjs'

const [which = 'native', count = '2000000'] = process.argv.slice(2)
const options = { refreshUrl: 'http://127.0.0.1:9/auth/refresh' } // never called: the token is fresh
const s = freshSession()
const req = sessionRequest(s)
const reqH = sessionRequest(s, { headersClass: true })

let fn
if (which.startsWith('native') || which === 'bound') {
  const native = requireNative({ optional: false })
  const bound = native.createSession(options)
  fn = {
    native: () => native.checkSession(req, options),
    'native-headers': () => native.checkSession(reqH, options),
    bound: () => bound.checkSession(req),
  }[which]
} else {
  const c = which === 'usual' ? createUsual(options) : createHandTuned(options)
  fn = () => c.checkSession(req)
}
const n = Number(count)
const t0 = process.hrtime.bigint()
let last
for (let i = 0; i < n; i++) last = await fn()
const ns = Number(process.hrtime.bigint() - t0) / n
if (last.reason !== 'valid') throw new Error(`unexpected decision ${JSON.stringify(last)}`)
console.error(`${which}: ${n} calls, ${ns.toFixed(0)} ns/op`)
