// A SimpleJWT-like auth server on 127.0.0.1 for the refresh benchmarks, run in its own process so
// its work never shares an event loop with the contenders.
//
// POST /auth/refresh  {"refresh": "<jwt>"} -> 200 {"access": "<jwt>"} (+ "refresh" when rotating),
//                     401 {"detail": ..., "code": "token_not_valid"} for a bad or expired token,
//                     exactly like rest_framework_simplejwt's TokenRefreshView.
// GET  /__stats       {"calls", "distinct", "maxPerToken"}   (calls counted since the last reset)
// POST /__reset
//
// The server verifies the HS256 signature and signs a new access token per call, so each refresh
// costs what it costs in Django (minus Python). Keep-alive is held for 65 s (as behind a load
// balancer), longer than any pause in the benchmarks.

import { fork } from 'node:child_process'
import http from 'node:http'
import { fileURLToPath } from 'node:url'

import { accessToken, refreshToken, verifyJwt, nowSeconds } from './tokens.mjs'

function serve({ rotate = false, accessLifetime = 300, port = 0 } = {}) {
  let calls = 0
  const perToken = new Map()

  const server = http.createServer((req, res) => {
    const send = (status, obj) => {
      const body = JSON.stringify(obj)
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    }
    if (req.method === 'GET' && req.url === '/__stats') {
      return send(200, { calls, distinct: perToken.size, maxPerToken: Math.max(0, ...perToken.values()) })
    }
    if (req.method === 'POST' && req.url === '/__reset') {
      calls = 0
      perToken.clear()
      return send(200, {})
    }
    if (req.method !== 'POST' || req.url !== '/auth/refresh') return send(404, { detail: 'Not found.' })

    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      calls++
      let token
      try {
        token = JSON.parse(Buffer.concat(chunks).toString('utf8')).refresh
      } catch {
        return send(400, { detail: 'JSON parse error' })
      }
      if (typeof token !== 'string') return send(400, { refresh: ['This field is required.'] })
      perToken.set(token, (perToken.get(token) ?? 0) + 1)

      const claims = verifyJwt(token)
      if (!claims || claims.token_type !== 'refresh' || claims.exp <= nowSeconds()) {
        return send(401, { detail: 'Token is invalid or expired', code: 'token_not_valid' })
      }
      const out = { access: accessToken({ userId: claims.user_id, lifetime: accessLifetime }) }
      if (rotate) out.refresh = refreshToken({ userId: claims.user_id })
      send(200, out)
    })
  })
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)))
}

/** Starts the auth server in a child process; resolves to `{ url, refreshUrl, stats(), reset(), close() }`. */
export async function startAuthServer(config = {}) {
  const child = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify(config)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const port = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.port))
    child.once('exit', (code) => reject(new Error(`auth server exited with ${code}`)))
  })
  const url = `http://127.0.0.1:${port}`
  const admin = async (method, path) => {
    const res = await fetch(`${url}${path}`, { method })
    return res.json()
  }
  return {
    url,
    refreshUrl: `${url}/auth/refresh`,
    stats: () => admin('GET', '/__stats'),
    reset: () => admin('POST', '/__reset'),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill('SIGTERM')
      }),
  }
}

if (process.argv[2] === '--child') {
  const server = await serve(JSON.parse(process.argv[3] ?? '{}'))
  process.send({ port: server.address().port })
  process.on('disconnect', () => process.exit(0))
}
