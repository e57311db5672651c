// Builds floor.c (gcc and Node's headers, /usr/include/node) into a temporary directory and
// measures each N-API piece of a hot-path call, next to the engine's whole checkSession and the
// hand-tuned JS. Every row is awaited like the others, so the ~40 ns of an await is in all of
// them. Not part of `npm run bench`: a tool for tuning the engine's marshalling.
//
//   node bench/napi-floor/run.mjs [--rounds 10]

import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { fmtInt, interleaved, machineMarkdown, table } from '../lib/harness.mjs'
import { createHandTuned } from '../lib/js-session.mjs'
import { loadNative } from '../lib/native.mjs'
import { freshSession, sessionRequest } from '../lib/tokens.mjs'

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '10' } } })
const include = process.env.NODE_INCLUDE ?? '/usr/include/node'
const out = join(mkdtempSync(join(tmpdir(), 'napi-floor-')), 'floor.node')
execFileSync('gcc', [
  '-O2',
  '-shared',
  '-fPIC',
  `-I${include}`,
  '-o',
  out,
  fileURLToPath(new URL('./floor.c', import.meta.url)),
])
const floor = createRequire(import.meta.url)(out)

const s = freshSession()
const req = sessionRequest(s)
const cookie = req.headers.cookie
const options = { refreshUrl: 'http://127.0.0.1:9/auth/refresh' } // never called: the token is fresh
const { native } = loadNative()
const hand = createHandTuned(options)

const rows = [
  { name: 'N-API: empty call', fn: () => floor.noop() },
  {
    name: 'N-API: read url, method, headers, headers.get, headers.cookie by C-string name',
    fn: () => floor.readNamed(req),
  },
  {
    name: 'N-API: read url, method, headers, headers.cookie, keys cached in references (experimental in Node 20)',
    fn: () => floor.readCached(req),
  },
  { name: 'N-API: same, keys from one referenced array (stable N-API 8)', fn: () => floor.readArrayKeys(req) },
  { name: 'N-API: same, node_api_create_property_key_latin1 per call', fn: () => floor.readPropertyKey(req) },
  { name: 'N-API: copy the 1 KB Cookie header, length pass + calloc buffer', fn: () => floor.copyTwoPass(cookie) },
  {
    name: 'N-API: copy the 1 KB Cookie header, one pass into a stack buffer (UTF-8)',
    fn: () => floor.copyStackUtf8(cookie),
  },
  { name: 'N-API: same, Latin-1', fn: () => floor.copyStackLatin1(cookie) },
  { name: 'N-API: build the fresh decision, set_named_property per field', fn: () => floor.resultNamed() },
  { name: 'N-API: same, cached keys and strings, one define_properties', fn: () => floor.resultCached() },
  { name: 'N-API: a resolved promise (create + resolve)', fn: () => floor.resolved() },
  { name: 'N-API: return [offset, exp] (JS builds the object)', fn: () => floor.twoNumbers() },
  { name: 'N-API: take the Cookie string, return one number', fn: () => floor.oneNumber(cookie) },
  {
    name: 'N-API: call a JS factory compiled at load with (token, exp): returns the decision',
    fn: () => floor.factoryObject(),
  },
  { name: 'N-API: same, the factory returns Promise.resolve(decision)', fn: () => floor.factoryPromise() },
  {
    name: 'C sketch of a hot path: cached keys, Latin-1 copy, scan, factory → promise (no JWT decode)',
    fn: () => floor.sketch(req),
  },
  {
    name: 'same with stable N-API 8 only: JS shim compiled at load reads req, native scans, coded factory',
    fn: () => floor.shimCheck(req, options),
  },
  { name: 'hand-tuned JS checkSession (whole decision)', fn: () => hand.checkSession(req) },
]
if (native) {
  const check = () => native.checkSession(req, options)
  try {
    await check()
    rows.push({ name: 'glyde-session checkSession (whole decision)', fn: check })
  } catch (err) {
    console.error(`[bench] glyde-session checkSession left out: it rejects (${err.code}: ${err.message})`)
  }
}

const results = await interleaved(rows, { rounds: Number(args.rounds), batchMs: 100 })
console.log(`# N-API costs on this machine (each row awaited)\n\n${machineMarkdown()}\n`)
console.log(
  table(
    ['piece', 'ops/s (median)', 'ns/op'],
    results.map((r) => [r.name, fmtInt(r.median), fmtInt(1e9 / r.median)]),
  ),
)
