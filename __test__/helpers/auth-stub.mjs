// A programmable auth server on 127.0.0.1, for the faults a real one cannot produce on demand:
// timeouts, 5xx, 429, redirects, oversized or malformed bodies. It records every request it
// receives (method, headers, body) so tests can count exactly what reached the auth server.
//
//   const stub = await startAuthStub()
//   stub.respond((req) => ({ status: 200, json: { access: '...', refresh: '...' } }))
//   ... stub.calls.length ...
//   await stub.close()

import http from 'node:http'
import { once } from 'node:events'

/**
 * A responder gets `{ method, url, headers, body }` and returns
 * `{ status = 200, json, body, headers = {}, delayMs = 0 }` (or a promise of it).
 * Returning `{ destroy: true }` drops the connection without an answer.
 */
export async function startAuthStub(responder = () => ({ status: 503, json: { detail: 'no responder' } })) {
  let current = responder
  const calls = []
  const sockets = new Set()

  const server = http.createServer(async (req, res) => {
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const call = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }
    calls.push(call)

    const answer = await current(call)
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs))
    if (answer.destroy) {
      req.socket.destroy()
      return
    }
    const body = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.body ?? '')
    const headers = { ...(answer.json !== undefined ? { 'content-type': 'application/json' } : {}), ...answer.headers }
    res.writeHead(answer.status ?? 200, headers)
    res.end(body)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${server.address().port}`

  return {
    url,
    refreshUrl: `${url}/auth/refresh`,
    calls,
    respond(next) {
      current = next
      calls.length = 0
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      server.close()
      await once(server, 'close')
    },
  }
}
