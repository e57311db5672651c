// The "whole server" of issue 4 item 3: a node:http server answering a small HTML page, guarded
// by mode: `none` (no session check), `js` (the cookie + jose middleware), `native` (this
// package's checkSession); for reference, `hand` (the hand-tuned JS check) and `floor` (an async
// handler awaiting a constant decision: what awaiting anything at all costs). Started by
// bench/server.mjs in its own process, so the load generator never shares its event loop.
// Reports its CPU time and decisions over IPC.

import http from 'node:http'

const [mode, refreshUrl] = process.argv.slice(2)
const options = { refreshUrl }

const PAGE = Buffer.from(
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Orders</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<link rel="stylesheet" href="/app.css"></head><body><header><nav><a href="/">Home</a> ` +
    `<a href="/dashboard">Dashboard</a> <a href="/dashboard/orders">Orders</a></nav></header>` +
    `<main><h1>Your orders</h1><table><thead><tr><th>#</th><th>Date</th><th>Total</th></tr></thead><tbody>` +
    Array.from(
      { length: 8 },
      (_, i) => `<tr><td>${1040 + i}</td><td>2025-11-${10 + i}</td><td>€${(19.9 * (i + 1)).toFixed(2)}</td></tr>`,
    ).join('') +
    `</tbody></table></main><footer>© Example</footer><script src="/app.js" defer></script></body></html>`,
)

let check
const VALID = { action: 'continue', reason: 'valid', setCookie: [], headers: {} }
if (mode === 'native') {
  const { requireNative } = await import('./native.mjs')
  const native = requireNative({ optional: false })
  check = (req) => native.checkSession({ url: req.url, method: req.method, headers: req.headers }, options)
} else if (mode === 'js') {
  const { createUsual } = await import('./js-session.mjs')
  const usual = createUsual(options)
  check = (req) => usual.checkSession({ url: req.url, method: req.method, headers: req.headers })
} else if (mode === 'hand') {
  const { createHandTuned } = await import('./js-session.mjs')
  const hand = createHandTuned(options)
  check = (req) => hand.checkSession({ url: req.url, method: req.method, headers: req.headers })
} else if (mode === 'floor') {
  // The async handler alone: what awaiting any check costs before the check does anything.
  check = async () => VALID
} else if (mode !== 'none') {
  throw new Error(`unknown mode ${mode}`)
}

const reasons = {}
let requests = 0

function page(res, decision) {
  res.statusCode = 200
  res.setHeader('content-type', 'text/html; charset=utf-8')
  res.setHeader('content-length', PAGE.length)
  if (decision) {
    if (decision.setCookie.length) res.setHeader('set-cookie', decision.setCookie)
    for (const [k, v] of Object.entries(decision.headers)) res.setHeader(k, v)
  }
  res.end(PAGE)
}

const server = http.createServer(
  check
    ? async (req, res) => {
        requests++
        let d
        try {
          d = await check(req)
        } catch (err) {
          res.statusCode = 500
          return res.end(err.code ?? 'error')
        }
        reasons[d.reason] = (reasons[d.reason] ?? 0) + 1
        if (d.action === 'continue') return page(res, d)
        res.statusCode = d.status
        if (d.location) res.setHeader('location', d.location)
        if (d.setCookie.length) res.setHeader('set-cookie', d.setCookie)
        res.end()
      }
    : (req, res) => {
        requests++
        page(res)
      },
)
server.keepAliveTimeout = 65_000

server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
process.on('message', (m) => {
  if (m === 'usage') process.send({ cpu: process.cpuUsage(), requests, reasons, rss: process.memoryUsage.rss() })
})
process.on('disconnect', () => process.exit(0))
