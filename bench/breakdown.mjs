// Where a native hot-path call spends its time, measured from JavaScript: the same fresh-session
// decision with one input changed at a time (fewer headers, a shorter Cookie header, options bound
// once, an absolute URL, a Headers instance), next to the plain cost of an N-API round trip
// (`createSession()` with no work) and of awaiting a resolved promise. Interleaved rounds, medians;
// each row's ns/op difference from the reference row is what that input costs. Not part of
// `npm run bench`: a tool for whoever tunes the engine.
//
//   node bench/breakdown.mjs [--rounds 12]

import { parseArgs } from 'node:util'

import { startAuthServer } from './lib/auth-server.mjs'
import { fmtInt, interleaved, log, machineMarkdown, table } from './lib/harness.mjs'
import { createHandTuned } from './lib/js-session.mjs'
import { requireNative } from './lib/native.mjs'
import { ACCESS_COOKIE, REFRESH_COOKIE, cookieHeader, freshSession, requestHeaders } from './lib/tokens.mjs'

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '12' } } })
const native = requireNative({ optional: false })
const auth = await startAuthServer()
const options = { refreshUrl: auth.refreshUrl }
const bound = native.createSession(options)
const hand = createHandTuned(options)

const s = freshSession()
const full = requestHeaders(cookieHeader(s))
const req = { url: '/dashboard/orders?page=2', method: 'GET', headers: full }
const variants = [
  {
    name: 'reference: checkSession(req, options), 17 headers, 1 KB cookie',
    fn: () => native.checkSession(req, options),
  },
  { name: 'createSession(options).checkSession(req)', fn: () => bound.checkSession(req) },
  { name: 'options literal made per call', fn: () => native.checkSession(req, { refreshUrl: auth.refreshUrl }) },
  {
    name: 'headers: { cookie } only',
    fn: (
      (r) => () =>
        native.checkSession(r, options)
    )({ ...req, headers: { cookie: full.cookie } }),
  },
  {
    name: 'cookie: the two JWTs only (~480 B)',
    fn: (
      (r) => () =>
        native.checkSession(r, options)
    )({
      ...req,
      headers: { ...full, cookie: `${ACCESS_COOKIE}=${s.access}; ${REFRESH_COOKIE}=${s.refresh}` },
    }),
  },
  {
    name: 'no method property',
    fn: (
      (r) => () =>
        native.checkSession(r, options)
    )({ url: req.url, headers: full }),
  },
  {
    name: 'absolute url',
    fn: (
      (r) => () =>
        native.checkSession(r, options)
    )({ ...req, url: 'https://app.example.test/dashboard/orders?page=2' }),
  },
  {
    name: 'Headers instance',
    fn: (
      (r) => () =>
        native.checkSession(r, options)
    )({ ...req, headers: new Headers(full) }),
  },
  {
    name: 'a new request object per call (spread of 17 headers)',
    fn: () => native.checkSession({ url: req.url, method: 'GET', headers: { ...full } }, options),
  },
  { name: 'same, hand-tuned JS', fn: () => hand.checkSession({ url: req.url, method: 'GET', headers: { ...full } }) },
  { name: 'hand-tuned JS, reference request', fn: () => hand.checkSession(req) },
  { name: 'N-API round trip: createSession(options) (validates, no promise)', fn: () => native.createSession(options) },
  { name: 'await Promise.resolve(constant)', fn: () => Promise.resolve(req) },
]

const first = await native.checkSession(req, options)
for (const v of variants.slice(1, 9)) {
  const d = await v.fn()
  if (d.reason !== first.reason || d.accessToken !== first.accessToken || d.expiresAt !== first.expiresAt) {
    throw new Error(`${v.name}: decision differs: ${JSON.stringify(d)}`)
  }
}
log('all native variants give the same decision')

const results = await interleaved(variants, { rounds: Number(args.rounds), batchMs: 120 })
await auth.close()
const ref = 1e9 / results[0].median
console.log(`# glyde-session: native hot-path breakdown\n\n${machineMarkdown()}\n`)
console.log(
  table(
    ['variant', 'ops/s (median)', 'ns/op', 'Δ ns vs reference'],
    results.map((r) => [r.name, fmtInt(r.median), fmtInt(1e9 / r.median), fmtInt(1e9 / r.median - ref)]),
  ),
)
