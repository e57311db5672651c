// Issue 4, item 2: the refresh path, against a SimpleJWT-like auth server on 127.0.0.1 (its own
// process, rotating refresh tokens as with ROTATE_REFRESH_TOKENS).
//
// A. One refresh at a time: per-call latency, every call with a distinct refresh token (so no
//    cache can answer): native `refreshSession` vs the same exchange with `fetch`, and the full
//    decision, native `checkSession` vs the `cookie` + `jose` + `fetch` middleware, on an expired session.
// B. Burst: 100 concurrent requests carrying the same expired session: native `checkSession`
//    (single flight) vs the naive middleware (one `fetch` per request). Latency is measured per
//    request from its own start; upstream calls are counted by the auth server.
//
//   node bench/refresh.mjs [--rounds 20] [--per-round 50] [--bursts 20] [--burst-size 100]

import { parseArgs } from 'node:util'

import { startAuthServer } from './lib/auth-server.mjs'
import { assertSameOutputs, fmtMs, fmtRatio, log, median, percentile, printHeader, table } from './lib/harness.mjs'
import { createUsual, jsRefreshSession } from './lib/js-session.mjs'
import { requireNative } from './lib/native.mjs'
import { expiredSession, peek, sessionRequest } from './lib/tokens.mjs'

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    'per-round': { type: 'string', default: '50' },
    bursts: { type: 'string', default: '20' },
    'burst-size': { type: 'string', default: '100' },
  },
})
const ROUNDS = Number(args.rounds)
const PER_ROUND = Number(args['per-round'])
const BURSTS = Number(args.bursts)
const BURST = Number(args['burst-size'])

const native = requireNative()
const auth = await startAuthServer({ rotate: true, accessLifetime: 300 })
const options = { refreshUrl: auth.refreshUrl }
const usual = createUsual(options)

// ---- output check: same decision, same cookies (token values and Max-Age normalised) ----------

function normalizeSetCookie(line, tokens) {
  const [pair, ...attrs] = line.split(/;\s*/)
  const eq = pair.indexOf('=')
  const name = pair.slice(0, eq)
  const value = pair.slice(eq + 1)
  const role = value === tokens.access ? '<access>' : value === tokens.refresh ? '<refresh>' : value
  const norm = attrs
    .map((a) => a.toLowerCase())
    .map((a) => {
      if (!a.startsWith('max-age=')) return a
      const exp = role === '<access>' ? tokens.accessExp : tokens.refreshExp
      const left = exp - Math.floor(Date.now() / 1000)
      return Math.abs(Number(a.slice(8)) - left) <= 2 ? 'max-age=<time left>' : a
    })
    .sort()
  return `${name}=${role}; ${norm.join('; ')}`
}

function projectRefresh(r) {
  const a = peek(r.accessToken)
  const tokens = {
    access: r.accessToken,
    refresh: r.refreshToken,
    accessExp: a.exp,
    refreshExp: r.refreshToken && peek(r.refreshToken).exp,
  }
  return {
    accessClaims: { token_type: a.token_type, user_id: a.user_id, lifetime: a.exp - a.iat },
    // The engine reports expiry on this machine's clock, corrected by the issuer's clock offset it
    // learns from `iat` (whole seconds), so it may differ from `exp` by under a second.
    expiresAtIsExp: typeof r.expiresAt === 'number' && Math.abs(r.expiresAt - a.exp) < 1,
    rotated: typeof r.refreshToken === 'string',
    setCookie: r.setCookie.map((l) => normalizeSetCookie(l, tokens)),
  }
}

function projectDecision(d) {
  return {
    action: d.action,
    reason: d.reason,
    headers: d.headers,
    requestCookieHasNewToken:
      typeof d.requestCookie === 'string' && d.requestCookie.includes(`access_token=${d.accessToken};`),
    ...projectRefresh({
      accessToken: d.accessToken,
      refreshToken: d.requestCookie?.match(/refresh_token=([^;]*)/)?.[1],
      expiresAt: d.expiresAt,
      setCookie: d.setCookie,
    }),
  }
}

const single = []
if (native) {
  single.push(
    { name: 'native refreshSession', kind: 'refresh', fn: (s) => native.refreshSession(s.refresh, options) },
    { name: 'native checkSession (expired session)', kind: 'decision', fn: (s) => native.checkSession(s.req, options) },
  )
}
single.push(
  { name: 'fetch (same exchange in JS)', kind: 'refresh', fn: (s) => jsRefreshSession(s.refresh, options) },
  {
    name: 'cookie + jose + fetch middleware (expired session)',
    kind: 'decision',
    fn: (s) => usual.checkSession(s.req),
  },
)

const newSession = () => {
  const s = expiredSession()
  return { ...s, req: sessionRequest(s) }
}

for (const kind of ['refresh', 'decision']) {
  const group = single.filter((c) => c.kind === kind)
  const outputs = []
  for (const c of group) outputs.push({ name: c.name, value: await c.fn(newSession()) })
  if (kind === 'decision' && outputs[0].value.reason !== 'refreshed') {
    throw new Error(`expired session: expected reason "refreshed", got ${JSON.stringify(outputs[0].value)}`)
  }
  assertSameOutputs(`refresh (${kind})`, outputs, kind === 'refresh' ? projectRefresh : projectDecision)
}
log('refresh outputs equal (tokens and Max-Age normalised)')

// ---- A. one refresh at a time ---------------------------------------------------------------------

for (const c of single) for (let i = 0; i < 20; i++) await c.fn(newSession()) // warm the pools and JITs
const lat = new Map(single.map((c) => [c, []]))
await auth.reset()
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < single.length; k++) {
    const c = single[(r + k) % single.length]
    const sessions = Array.from({ length: PER_ROUND }, newSession)
    for (const s of sessions) {
      const t0 = performance.now()
      const out = await c.fn(s)
      lat.get(c).push(performance.now() - t0)
      if (!out.accessToken) throw new Error(`${c.name}: no access token`)
    }
  }
}
const singleStats = await auth.stats()
const expectedSingle = ROUNDS * PER_ROUND * single.length
if (singleStats.calls !== expectedSingle)
  throw new Error(`single refreshes: ${singleStats.calls} upstream calls, expected ${expectedSingle}`)

// ---- B. bursts of concurrent requests with one expired session ----------------------------------

const burstContenders = []
if (native)
  burstContenders.push({ name: 'native checkSession (single flight)', fn: (req) => native.checkSession(req, options) })
burstContenders.push({ name: 'cookie + jose + fetch middleware (naive)', fn: (req) => usual.checkSession(req) })

async function burst(c) {
  const s = expiredSession()
  const reqs = Array.from({ length: BURST }, () => sessionRequest(s)) // 100 distinct requests, same cookies
  await auth.reset()
  const latencies = new Array(BURST)
  const t0 = performance.now()
  const decisions = await Promise.all(
    reqs.map(async (req, i) => {
      const start = performance.now()
      const d = await c.fn(req)
      latencies[i] = performance.now() - start
      return d
    }),
  )
  const wall = performance.now() - t0
  const bad = decisions.find((d) => d.action !== 'continue' || d.reason !== 'refreshed')
  if (bad) throw new Error(`${c.name}: a burst request got ${JSON.stringify(bad)}`)
  const { calls } = await auth.stats()
  return { latencies, wall, calls, tokens: new Set(decisions.map((d) => d.accessToken)).size }
}

for (const c of burstContenders) for (let i = 0; i < 3; i++) await burst(c) // warm-up: connections, JIT
const bursts = new Map(burstContenders.map((c) => [c, { lat: [], walls: [], calls: [], tokens: [] }]))
for (let r = 0; r < BURSTS; r++) {
  for (let k = 0; k < burstContenders.length; k++) {
    const c = burstContenders[(r + k) % burstContenders.length]
    const b = await burst(c)
    const acc = bursts.get(c)
    acc.lat.push(...b.latencies)
    acc.walls.push(b.wall)
    acc.calls.push(b.calls)
    acc.tokens.push(b.tokens)
  }
}
await auth.close()

// ---- report -------------------------------------------------------------------------------------

printHeader('glyde-session benchmarks')
console.log(`## Refresh path: loopback SimpleJWT-like server (rotation on), its own process\n`)
console.log(`### One refresh at a time (${ROUNDS} interleaved rounds × ${PER_ROUND} calls, distinct refresh tokens)\n`)
const fetchP = (name) => lat.get(single.find((c) => c.name === name))
const singleRows = single.map((c) => {
  const l = lat.get(c)
  const peer =
    c.kind === 'refresh'
      ? fetchP('fetch (same exchange in JS)')
      : fetchP('cookie + jose + fetch middleware (expired session)')
  return [
    c.name,
    fmtMs(percentile(l, 50)),
    fmtMs(percentile(l, 99)),
    fmtMs(Math.max(...l)),
    fmtRatio(percentile(l, 50) / percentile(peer, 50)),
    fmtRatio(percentile(l, 99) / percentile(peer, 99)),
  ]
})
console.log(table(['contender', 'p50 ms', 'p99 ms', 'max ms', 'p50 vs JS', 'p99 vs JS'], singleRows))
console.log(`\nUpstream calls: ${singleStats.calls} for ${expectedSingle} refreshes (one each, as expected).\n`)

console.log(`### Burst: ${BURST} concurrent requests, same expired session (${BURSTS} bursts each, interleaved)\n`)
const range = (values) => {
  const [lo, hi] = [Math.min(...values), Math.max(...values)]
  return lo === hi ? String(lo) : `${lo}–${hi}`
}
const jsBurst = bursts.get(burstContenders.at(-1))
console.log(
  table(
    [
      'contender',
      'upstream calls per burst',
      'access tokens handed out',
      'p50 ms',
      'p99 ms',
      'burst wall ms (median)',
      'p99 vs naive JS',
    ],
    burstContenders.map((c) => {
      const b = bursts.get(c)
      const calls = range(b.calls)
      const tokens = range(b.tokens)
      return [
        c.name,
        calls,
        tokens,
        fmtMs(percentile(b.lat, 50)),
        fmtMs(percentile(b.lat, 99)),
        fmtMs(median(b.walls)),
        fmtRatio(percentile(b.lat, 99) / percentile(jsBurst.lat, 99)),
      ]
    }),
  ),
)
console.log(
  '\nTarget: 1 upstream call per burst; native p99 no worse than JS ' +
    '(single: vs fetch; burst: vs the naive middleware).' +
    "\nWith SimpleJWT's BLACKLIST_AFTER_ROTATION, every naive call after the first would be rejected " +
    'and log the user out.\n',
)

if (process.env.GLYDE_BENCH_JSON) {
  const { writeFileSync } = await import('node:fs')
  const summary = (l) => ({ p50: percentile(l, 50), p99: percentile(l, 99), max: Math.max(...l), n: l.length })
  writeFileSync(
    process.env.GLYDE_BENCH_JSON,
    JSON.stringify({
      single: single.map((c) => ({ name: c.name, ...summary(lat.get(c)) })),
      burst: burstContenders.map((c) => ({ name: c.name, calls: bursts.get(c).calls, ...summary(bursts.get(c).lat) })),
    }),
  )
}
