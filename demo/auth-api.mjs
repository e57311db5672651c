// The demo's auth API: a stand-in for a Django REST framework + SimpleJWT backend, on 127.0.0.1.
//
// It speaks SimpleJWT's shapes (`POST /auth/token`, `POST /auth/refresh`, `POST /auth/logout`,
// `GET /auth/me`) with HS256 JWTs signed by node:crypto, and keeps SimpleJWT's rotation rules:
// - every refresh rotates the refresh token and blacklists the one presented
//   (ROTATE_REFRESH_TOKENS and BLACKLIST_AFTER_ROTATION on);
// - a blacklisted, expired, forged or wrong-type refresh token is answered 401 `token_not_valid`.
// It counts the refresh calls it receives, so the walkthrough can show how many reached it.
// Users, tokens and the blacklist live in memory and die with the process.

import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'

const USERS = new Map([
  ['alice', { id: 1, username: 'alice', password: 'wonderland', name: 'Alice Liddell' }],
])

const MAX_BODY_BYTES = 16 * 1024

function base64url(value) {
  return Buffer.from(value).toString('base64url')
}

function sign(secret, payload) {
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = base64url(JSON.stringify(payload))
  const mac = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')
  return `${head}.${body}.${mac}`
}

// The payload of a token this API signed, of the expected type and not expired; otherwise null.
function verify(secret, token, type) {
  if (typeof token !== 'string') return null
  const parts = token.split('.')
  if (parts.length !== 3) return null

  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest()
  const given = Buffer.from(parts[2], 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null

  let payload
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
  } catch {
    return null
  }
  if (payload.token_type !== type || !(payload.exp > Date.now() / 1000)) return null
  return payload
}

function send(res, status, body) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

async function readJson(req) {
  let size = 0
  const chunks = []
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) return null
    chunks.push(chunk)
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    return value !== null && typeof value === 'object' ? value : null
  } catch {
    return null
  }
}

/**
 * Create the demo auth API. Call `start()` to listen; `stop()` and `start()` again to play an
 * outage (it comes back on the same port).
 *
 * @param {{ accessSeconds: number, refreshSeconds: number }} lifetimes
 */
export function createAuthApi({ accessSeconds, refreshSeconds }) {
  // A fresh secret per run: tokens from an earlier run are simply invalid.
  const secret = randomBytes(32)
  const blacklist = new Set()
  const stats = { refreshCalls: 0, refreshed: 0, refreshRejected: 0 }
  let port = 0

  function issuePair(user) {
    const iat = Math.floor(Date.now() / 1000)
    const claims = { user_id: user.id, iat }
    return {
      access: sign(secret, { ...claims, token_type: 'access', exp: iat + accessSeconds, jti: randomUUID() }),
      refresh: sign(secret, { ...claims, token_type: 'refresh', exp: iat + refreshSeconds, jti: randomUUID() }),
    }
  }

  function userById(id) {
    for (const user of USERS.values()) if (user.id === id) return user
    return null
  }

  async function handle(req, res) {
    const route = `${req.method} ${new URL(req.url, 'http://api').pathname}`

    if (route === 'POST /auth/token') {
      const body = await readJson(req)
      const user = body && USERS.get(body.username)
      if (!user || body.password !== user.password) {
        return send(res, 401, { detail: 'No active account found with the given credentials' })
      }
      return send(res, 200, issuePair(user))
    }

    if (route === 'POST /auth/refresh') {
      stats.refreshCalls += 1
      const body = await readJson(req)
      if (!body || typeof body.refresh !== 'string') {
        return send(res, 400, { refresh: ['This field is required.'] })
      }
      const payload = verify(secret, body.refresh, 'refresh')
      const user = payload && !blacklist.has(payload.jti) && userById(payload.user_id)
      if (!user) {
        stats.refreshRejected += 1
        return send(res, 401, { detail: 'Token is invalid or expired', code: 'token_not_valid' })
      }
      blacklist.add(payload.jti)
      stats.refreshed += 1
      return send(res, 200, issuePair(user))
    }

    if (route === 'POST /auth/logout') {
      const body = await readJson(req)
      const payload = body && verify(secret, body.refresh, 'refresh')
      if (!payload) return send(res, 401, { detail: 'Token is invalid or expired', code: 'token_not_valid' })
      blacklist.add(payload.jti)
      return send(res, 200, {})
    }

    if (route === 'GET /auth/me') {
      const match = /^Bearer (\S+)$/.exec(req.headers.authorization || '')
      const payload = match && verify(secret, match[1], 'access')
      const user = payload && userById(payload.user_id)
      if (!user) return send(res, 401, { detail: 'Given token not valid for any token type', code: 'token_not_valid' })
      return send(res, 200, { id: user.id, username: user.username, name: user.name })
    }

    return send(res, 404, { detail: 'Not found.' })
  }

  let server = null

  return {
    stats,

    get url() {
      return `http://127.0.0.1:${port}`
    },

    /** Listen on 127.0.0.1: on a free port the first time, on the same port after `stop()`. */
    start() {
      server = createServer((req, res) => {
        handle(req, res).catch(() => {
          if (!res.headersSent) send(res, 500, { detail: 'Internal server error' })
          else res.destroy()
        })
      })
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, '127.0.0.1', () => {
          port = server.address().port
          resolve()
        })
      })
    },

    /** Stop answering at once: close the listener and every open (keep-alive) connection. */
    stop() {
      const closing = server
      server = null
      if (!closing) return Promise.resolve()
      return new Promise((resolve) => {
        closing.close(() => resolve())
        closing.closeAllConnections()
      })
    },
  }
}
