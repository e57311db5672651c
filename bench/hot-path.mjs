// Issue 4, item 1: the hot path. The access token is fresh, so the whole job is: read the Cookie
// header (~1 KB), find the access token, decode its payload, decide "continue". Every contender gets
// the same request, returns the same decision (checked before timing), and is awaited per call.
//
//   node bench/hot-path.mjs [--rounds 15] [--batch-ms 150]

import { parseArgs } from 'node:util'

import { startAuthServer } from './lib/auth-server.mjs'
import { assertSameOutputs, fmtInt, fmtRatio, interleaved, log, printHeader, table } from './lib/harness.mjs'
import { createHandTuned, createUsual } from './lib/js-session.mjs'
import { requireNative } from './lib/native.mjs'
import { cookieHeader, freshSession, sessionRequest } from './lib/tokens.mjs'

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '15' }, 'batch-ms': { type: 'string', default: '150' } },
})

const native = requireNative()
const auth = await startAuthServer() // a refresh here would be a bug: its call count must stay 0

const options = { refreshUrl: auth.refreshUrl } // one options object, defined once, as in an app
const session = freshSession()
const req = sessionRequest(session)
const reqHeaders = sessionRequest(session, { headersClass: true })
log(`Cookie header: ${cookieHeader(session).length} bytes, ${Object.keys(req.headers).length} request headers`)

const usual = createUsual(options)
const hand = createHandTuned(options)
const BASELINE = 'cookie + jose (plain headers)'

const contenders = []
if (native) {
  const bound = native.createSession(options)
  contenders.push(
    { name: 'native checkSession (plain headers)', fn: () => native.checkSession(req, options) },
    { name: 'native checkSession (Headers)', fn: () => native.checkSession(reqHeaders, options) },
    { name: 'native createSession().checkSession (plain)', fn: () => bound.checkSession(req) },
  )
}
contenders.push(
  { name: BASELINE, fn: () => usual.checkSession(req) },
  { name: 'cookie + jose (Headers)', fn: () => usual.checkSession(reqHeaders) },
  { name: 'hand-tuned JS (plain headers)', fn: () => hand.checkSession(req) },
)

// Same decision from everyone, before any timing.
const outputs = []
for (const c of contenders) outputs.push({ name: c.name, value: await c.fn() })
assertSameOutputs('hot path', outputs, (d) => ({
  action: d.action,
  reason: d.reason,
  accessToken: d.accessToken,
  expiresAt: d.expiresAt,
  setCookie: d.setCookie,
  headers: d.headers,
}))
if (outputs[0].value.accessToken !== session.access || outputs[0].value.reason !== 'valid') {
  throw new Error('hot path: the decision is not "continue/valid" with the cookie\'s access token')
}
log('outputs equal:', JSON.stringify({ action: outputs[0].value.action, reason: outputs[0].value.reason }))

// Context, not a contender: what awaiting an already-made result costs on this machine.
const decided = outputs[0].value
contenders.push({ name: '(floor: await of an async fn returning a constant)', fn: async () => decided, floor: true })

const results = await interleaved(contenders, { rounds: Number(args.rounds), batchMs: Number(args['batch-ms']) })
const stats = await auth.stats()
await auth.close()
if (stats.calls !== 0) throw new Error(`hot path made ${stats.calls} refresh calls; it must make none`)

const base = results.find((r) => r.name === BASELINE).median
const hand_ = results.find((r) => r.name.startsWith('hand-tuned')).median
printHeader('glyde-session benchmarks')
console.log(
  `## Hot path: fresh token, ~1 KB Cookie header ` +
    `(${contenders.length - 1} contenders, ${args.rounds} interleaved rounds)\n`,
)
console.log(
  table(
    ['contender', 'ops/s (median)', 'min – max', 'ns/op', 'vs cookie + jose', 'vs hand-tuned'],
    results.map((r) => [
      r.name,
      fmtInt(r.median),
      `${fmtInt(r.min)} – ${fmtInt(r.max)}`,
      fmtInt(1e9 / r.median),
      contenders.find((c) => c.name === r.name).floor ? '' : fmtRatio(r.median / base),
      contenders.find((c) => c.name === r.name).floor ? '' : fmtRatio(r.median / hand_),
    ]),
  ),
)
console.log(
  `\nTarget: native ≥ 1.50× cookie + jose and ≥ 1.00× hand-tuned. ` +
    `Auth-server calls during the run: ${stats.calls}.\n`,
)

if (process.env.GLYDE_BENCH_JSON) {
  const { writeFileSync } = await import('node:fs')
  writeFileSync(process.env.GLYDE_BENCH_JSON, JSON.stringify({ hotPath: results.map(({ samples, ...r }) => r) }))
}
