// Issue 4, item 4: memory stays flat. One million `checkSession` calls on fresh sessions and ten
// thousand refreshes (each with its own refresh token, through `checkSession` on an expired session
// and through `refreshSession`) against a loopback auth server, paced over ~40 s in 20 steps, so
// the single-flight cache (results kept `graceSeconds` = 10 s, the default) fills and reaches its
// steady state during the warm-up. After each step: two full GCs, then RSS and heapUsed.
//
// Exits 1 when, after the warm-up, RSS grows by more than RSS_LIMIT_MB or heapUsed by more than
// HEAP_LIMIT_MB (the limits and their reasons are below); exits 2 when the run itself fails.
//
//   node --expose-gc bench/memory.mjs [--contender native|js|js-leak] [--steps 20] [--step-ms 2000]
//
// `--contender js` runs the same loop on the JavaScript middleware (the noise floor of the
// measure); `--contender js-leak` keeps 8 bytes per call and must fail (the check can fail).

import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'

import { startAuthServer } from './lib/auth-server.mjs'
import { log, machineMarkdown, table } from './lib/harness.mjs'
import { createUsual, jsRefreshSession } from './lib/js-session.mjs'
import { requireNative } from './lib/native.mjs'
import { cookieHeader, expiredSession, freshSession, requestHeaders } from './lib/tokens.mjs'

// Limits. Growth is measured from the end of the warm-up (step 7 of 20: by then the JITs are done,
// the HTTP pool is open and the grace cache has lived longer than `graceSeconds`, so it is at its
// steady size) to the last step: 650,000 checks and 6,500 refreshes.
// - RSS ≤ 8 MB: a leak of one byte per call is 0.65 MB; but anything Rust leaks per call is at
//   least one 32-byte malloc chunk (≥ 20 MB), and leaking what a decision carries (the ~230-byte
//   token, the result object) ≥ 150 MB. A cache that kept every refresh would hold 6,500 more
//   results of about 1.5 KB (key, two tokens, two Set-Cookie lines): ≈ 10 MB. RSS after GC still
//   drifts by a few MB (V8 page pools, malloc arenas of the runtime's threads): the JavaScript
//   middleware on the same loop grows 1.3 MB, the engine 1.8-1.9 MB. 8 MB sits above that noise
//   and below every real leak above.
// - heapUsed ≤ 2 MB: after two full GCs the heap of this loop is flat to within ~0.1 MB (engine and
//   JavaScript alike); objects the addon holds (references never released, promises never
//   settled) show up here. Keeping 8 bytes per call (`--contender js-leak`) grows it ~7 MB: exit 1.
const RSS_LIMIT_MB = Number(process.env.GLYDE_MEMORY_RSS_LIMIT_MB ?? 8)
const HEAP_LIMIT_MB = Number(process.env.GLYDE_MEMORY_HEAP_LIMIT_MB ?? 2)

const { values: args } = parseArgs({
  options: {
    contender: { type: 'string', default: 'native' },
    steps: { type: 'string', default: '20' },
    'warmup-steps': { type: 'string', default: '7' },
    'step-ms': { type: 'string', default: '2000' },
    checks: { type: 'string', default: '1000000' },
    refreshes: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '20' },
  },
})
const STEPS = Number(args.steps)
const WARMUP = Number(args['warmup-steps'])
const STEP_MS = Number(args['step-ms'])
const CHECKS_PER_STEP = Math.round(Number(args.checks) / STEPS)
const REFRESHES_PER_STEP = Math.round(Number(args.refreshes) / STEPS)
const CONCURRENCY = Number(args.concurrency)

if (typeof globalThis.gc !== 'function') {
  console.error('run with: node --expose-gc bench/memory.mjs')
  process.exit(2)
}

const auth = await startAuthServer({ rotate: true, accessLifetime: 300 })
const options = { refreshUrl: auth.refreshUrl }
let api
if (args.contender === 'native') {
  const native = requireNative({ optional: false })
  const bound = native.createSession(options)
  api = {
    check: (req) => native.checkSession(req, options),
    checkBound: (req) => bound.checkSession(req),
    refresh: (rt) => native.refreshSession(rt, options),
  }
} else if (args.contender === 'js' || args.contender === 'js-leak') {
  const usual = createUsual(options)
  api = { check: usual.checkSession, checkBound: usual.checkSession, refresh: (rt) => jsRefreshSession(rt, options) }
  if (args.contender === 'js-leak') {
    // Self-test of the check: keeps 8 bytes per call (one number in an array), which must fail it.
    const kept = []
    api.check = (req) => {
      kept.push(kept.length + 0.5)
      return usual.checkSession(req)
    }
  }
} else {
  console.error(`unknown contender ${args.contender} (native, js, js-leak)`)
  process.exit(2)
}

const fresh = freshSession()
const freshHeaders = requestHeaders(cookieHeader(fresh))
const URL_ = '/dashboard/orders?page=2'
let failures = 0

async function checks(n) {
  for (let i = 0; i < n; i++) {
    // A new request object per call, as a server gets; every 10th a Headers instance, every 10th
    // through createSession().
    const k = i % 10
    const req = { url: URL_, method: 'GET', headers: k === 0 ? new Headers(freshHeaders) : { ...freshHeaders } }
    const d = await (k === 1 ? api.checkBound(req) : api.check(req))
    if (d.reason !== 'valid') failures++
  }
}

async function refreshes(n) {
  let next = 0
  async function worker() {
    while (next < n) {
      const i = next++
      const s = expiredSession() // a distinct refresh token every time
      if (i % 2 === 0) {
        const d = await api.check({ url: URL_, method: 'GET', headers: requestHeaders(cookieHeader(s)) })
        if (d.reason !== 'refreshed') failures++
      } else {
        const r = await api.refresh(s.refresh)
        if (!r.accessToken) failures++
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
}

async function sample() {
  for (let i = 0; i < 2; i++) {
    globalThis.gc()
    await sleep(20) // let finalizers and the addon's queued callbacks run
  }
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external }
}

const MB = 2 ** 20
const signed = (x, digits) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`
const samples = [{ step: 0, calls: 0, refreshes: 0, ms: 0, ...(await sample()) }]
const t0 = performance.now()
let calls = 0
let refreshed = 0
try {
  for (let step = 1; step <= STEPS; step++) {
    const deadline = t0 + step * STEP_MS
    await Promise.all([checks(CHECKS_PER_STEP), refreshes(REFRESHES_PER_STEP)])
    calls += CHECKS_PER_STEP
    refreshed += REFRESHES_PER_STEP
    const wait = deadline - performance.now()
    if (wait > 0) await sleep(wait)
    const s = { step, calls, refreshes: refreshed, ms: performance.now() - t0, ...(await sample()) }
    samples.push(s)
    log(
      `step ${step}: ${calls} checks, ${refreshed} refreshes, ` +
        `rss ${(s.rss / MB).toFixed(1)} MB, heap ${(s.heapUsed / MB).toFixed(1)} MB`,
    )
  }
} catch (err) {
  console.error('memory run failed:', err)
  await auth.close()
  process.exit(2)
}
const upstream = await auth.stats()
await auth.close()

const base = samples[WARMUP]
const last = samples.at(-1)
const after = samples.slice(WARMUP)
const rssGrowth = (last.rss - base.rss) / MB
const heapGrowth = (last.heapUsed - base.heapUsed) / MB
const rssPeak = (Math.max(...after.map((s) => s.rss)) - base.rss) / MB
const heapPeak = (Math.max(...after.map((s) => s.heapUsed)) - base.heapUsed) / MB

if (!process.env.GLYDE_BENCH_SUITE) console.log(`# glyde-session memory check\n\n${machineMarkdown()}\n`)
console.log(
  `## Memory: ${calls.toLocaleString('en-US')} checkSession calls + ` +
    `${refreshed.toLocaleString('en-US')} refreshes (${args.contender}), GC before each sample\n`,
)
console.log(
  table(
    ['step', 'checks', 'refreshes', 'time s', 'RSS MB', 'heapUsed MB', 'external MB'],
    samples
      .filter((s, i) => i === 0 || i === WARMUP || i === samples.length - 1 || s.step % 2 === 0)
      .map((s) => [
        s.step === WARMUP ? `${s.step} (end of warm-up)` : String(s.step),
        s.calls.toLocaleString('en-US'),
        s.refreshes.toLocaleString('en-US'),
        (s.ms / 1000).toFixed(1),
        (s.rss / MB).toFixed(1),
        (s.heapUsed / MB).toFixed(2),
        (s.external / MB).toFixed(2),
      ]),
  ),
)
const verdict = []
if (failures) verdict.push(`${failures} calls did not give the expected decision`)
if (upstream.calls !== refreshed || upstream.maxPerToken !== 1) {
  verdict.push(
    `auth server saw ${upstream.calls} calls (max ${upstream.maxPerToken} per token) ` +
      `for ${refreshed} distinct refreshes`,
  )
}
const grew = []
if (rssGrowth > RSS_LIMIT_MB) grew.push(`RSS grew ${rssGrowth.toFixed(1)} MB > ${RSS_LIMIT_MB} MB`)
if (heapGrowth > HEAP_LIMIT_MB) grew.push(`heapUsed grew ${heapGrowth.toFixed(2)} MB > ${HEAP_LIMIT_MB} MB`)
console.log(
  `\nAfter warm-up (step ${WARMUP} → ${STEPS}): ` +
    `RSS ${signed(rssGrowth, 1)} MB (peak +${rssPeak.toFixed(1)}, limit ${RSS_LIMIT_MB}), ` +
    `heapUsed ${signed(heapGrowth, 2)} MB (peak +${heapPeak.toFixed(2)}, limit ${HEAP_LIMIT_MB}); ` +
    `upstream calls ${upstream.calls} for ${refreshed} refreshes. ${grew.length || verdict.length ? 'FAIL' : 'PASS'}\n`,
)
if (process.env.GLYDE_BENCH_JSON) {
  const { writeFileSync } = await import('node:fs')
  writeFileSync(
    process.env.GLYDE_BENCH_JSON,
    JSON.stringify({
      rssGrowth,
      heapGrowth,
      rssPeak,
      heapPeak,
      RSS_LIMIT_MB,
      HEAP_LIMIT_MB,
      upstream: upstream.calls,
      refreshed,
      failures,
    }),
  )
}
if (verdict.length) {
  console.error(`memory check: ${verdict.join('; ')}`)
  process.exit(2)
}
if (grew.length) {
  console.error(`memory check failed: ${grew.join('; ')}`)
  process.exit(1)
}
