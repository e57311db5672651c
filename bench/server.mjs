// Issue 4, item 3: a whole node:http server answering a small page, loaded by autocannon over
// loopback, three ways: no session check, the cookie + jose middleware, this package (plus, for
// reference, the hand-tuned JS check and an async handler that awaits a constant). Each server
// runs in its own process; autocannon runs here. Rounds are interleaved (none, js, native, then
// rotated) and the median req/s of each is compared with the no-check server. The servers also
// report the CPU time they spent per request: when the load generator, not the server, is the
// bottleneck, req/s hides the cost of the check but CPU per request does not.
//
//   node bench/server.mjs [--duration 5] [--rounds 3] [--connections 50]

import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import autocannon from 'autocannon'

import { startAuthServer } from './lib/auth-server.mjs'
import { fmtInt, fmtRatio, log, median, printHeader, table } from './lib/harness.mjs'
import { loadNative } from './lib/native.mjs'
import { cookieHeader, freshSession, requestHeaders } from './lib/tokens.mjs'

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
  },
})
const DURATION = Number(args.duration)
const ROUNDS = Number(args.rounds)
const CONNECTIONS = Number(args.connections)

const modes = ['none', 'floor', 'js', 'hand']
const { native, why } = loadNative()
if (native) modes.push('native')
else if (process.env.GLYDE_BENCH_JS_ONLY === '1') log('GLYDE_BENCH_JS_ONLY=1: measuring the JavaScript servers alone')
else throw new Error(`${why} (set GLYDE_BENCH_JS_ONLY=1 to measure the JavaScript servers alone)`)

const LABEL = {
  none: 'no session check',
  floor: '(async handler awaiting a constant)',
  js: 'cookie + jose middleware',
  hand: 'hand-tuned JS middleware',
  native: 'glyde-session checkSession',
}
const auth = await startAuthServer()

async function startApp(mode) {
  const child = fork(fileURLToPath(new URL('./lib/app-server.mjs', import.meta.url)), [mode, auth.refreshUrl], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port))
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)))
  })
  const usage = () =>
    new Promise((resolve) => {
      child.once('message', resolve)
      child.send('usage')
    })
  return { mode, url: `http://127.0.0.1:${port}/dashboard/orders?page=2`, usage, child }
}

const session = freshSession()
const { host, connection, ...headers } = requestHeaders(cookieHeader(session))
const apps = []
for (const mode of modes) apps.push(await startApp(mode))

// Same page from every server, and no cookie written (the session is fresh).
for (const app of apps) {
  const res = await fetch(app.url, { headers })
  const body = await res.text()
  if (res.status !== 200 || !body.includes('Your orders') || res.headers.get('set-cookie')) {
    throw new Error(`${app.mode}: unexpected answer ${res.status} set-cookie=${res.headers.get('set-cookie')}`)
  }
}

function load(app, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url: app.url, connections: CONNECTIONS, duration, headers }, (err, result) =>
      err ? reject(err) : resolve(result),
    )
  })
}

log(`warm-up: ${apps.length} servers × 2 s`)
for (const app of apps) await load(app, 2)

const runs = new Map(apps.map((a) => [a, []]))
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < apps.length; k++) {
    const app = apps[(r + k) % apps.length]
    const before = await app.usage()
    const result = await load(app, DURATION)
    const after = await app.usage()
    const cpuUs = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system
    const served = after.requests - before.requests
    if (result.non2xx || result.errors || result.timeouts) {
      throw new Error(`${app.mode}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`)
    }
    runs.get(app).push({ rps: result.requests.average, p99: result.latency.p99, cpuPerReq: cpuUs / served })
    log(
      `round ${r + 1} ${app.mode}: ${fmtInt(result.requests.average)} req/s, ` +
        `${(cpuUs / served).toFixed(1)} µs CPU/req`,
    )
  }
}

const final = []
for (const app of apps) {
  const u = await app.usage()
  const reasons = Object.keys(u.reasons)
  if (app.mode !== 'none' && (reasons.length !== 1 || reasons[0] !== 'valid')) {
    throw new Error(`${app.mode}: decisions ${JSON.stringify(u.reasons)} (expected all "valid")`)
  }
  final.push({ app, rss: u.rss })
  app.child.kill('SIGTERM')
}
const stats = await auth.stats()
await auth.close()
if (stats.calls !== 0) throw new Error(`the servers made ${stats.calls} refresh calls; a fresh session needs none`)

const med = (app, key) => median(runs.get(app).map((x) => x[key]))
const none = apps.find((a) => a.mode === 'none')
printHeader('glyde-session benchmarks')
console.log(
  `## Whole server: node:http page, autocannon ${CONNECTIONS} connections × ${DURATION} s, ` +
    `${ROUNDS} interleaved rounds\n`,
)
console.log(
  table(
    ['server', 'req/s (median)', 'vs no check', 'latency p99 ms', 'server CPU µs/req', 'added by the check µs/req'],
    apps.map((app) => [
      LABEL[app.mode],
      fmtInt(med(app, 'rps')),
      fmtRatio(med(app, 'rps') / med(none, 'rps')),
      String(med(app, 'p99')),
      med(app, 'cpuPerReq').toFixed(1),
      app === none ? '' : (med(app, 'cpuPerReq') - med(none, 'cpuPerReq')).toFixed(1),
    ]),
  ),
)
console.log(
  '\nTarget: glyde-session keeps ≥ 97% of the no-check throughput. ' +
    'Server and load generator each have one of the 2 cores;' +
    ` CPU µs/req is the server process's own time.\n`,
)

if (process.env.GLYDE_BENCH_JSON) {
  const { writeFileSync } = await import('node:fs')
  writeFileSync(process.env.GLYDE_BENCH_JSON, JSON.stringify(apps.map((a) => ({ mode: a.mode, runs: runs.get(a) }))))
}
