// The JavaScript contenders: what a user writes in a Next.js proxy/middleware or custom server
// instead of this package. Both make the same decision as the engine for the cases the benchmark
// exercises (fresh token: continue; expired token with a refresh token: refresh through the auth
// server) and return the same shape of result (`SessionDecision`, `RefreshResult`).
//
// - `usual`: the `cookie` npm package's `parse` plus `jose`'s `decodeJwt`, as in the Next.js docs
//   and guides; refreshes with `fetch`, one upstream call per request (no single flight).
// - `handTuned`: the hot path written for speed (indexOf scan of the header, `Buffer` base64url,
//   `JSON.parse`); anything but a fresh token falls through to the usual middleware.

import { parse, serialize } from 'cookie'
import { decodeJwt } from 'jose'

const DEFAULTS = {
  accessCookie: 'access_token',
  refreshCookie: 'refresh_token',
  loginPath: '/login',
  refreshWindowSeconds: 60,
  timeoutMs: 5000,
}

function resolve(options = {}) {
  const o = { ...DEFAULTS, ...options }
  o.cookieAttrs = { path: '/', httpOnly: true, secure: true, sameSite: 'lax', ...(options.cookie ?? {}) }
  return o
}

const readCookieHeader = (headers) => (typeof headers.get === 'function' ? headers.get('cookie') : headers.cookie) ?? ''

/** Seconds before `exp` at which the token counts as expiring: the window, at most half its life. */
function windowFor(claims, refreshWindowSeconds) {
  const life = claims.exp - claims.iat
  return Number.isFinite(life) && life > 0 ? Math.min(refreshWindowSeconds, life / 2) : refreshWindowSeconds
}

const valid = (accessToken, expiresAt) => ({
  action: 'continue',
  reason: 'valid',
  setCookie: [],
  headers: {},
  accessToken,
  expiresAt,
})

/** Replaces (or removes, with `undefined`) cookie values in a Cookie header, keeping the order. */
function rewriteCookieHeader(header, replacements) {
  const out = []
  for (const part of header.split(';')) {
    const item = part.trim()
    const eq = item.indexOf('=')
    const name = eq === -1 ? item : item.slice(0, eq)
    if (name in replacements) {
      if (replacements[name] !== undefined) out.push(`${name}=${replacements[name]}`)
      delete replacements[name]
    } else if (item) out.push(item)
  }
  for (const [name, value] of Object.entries(replacements)) if (value !== undefined) out.push(`${name}=${value}`)
  return out.join('; ')
}

class RefreshError extends Error {
  constructor(code, message) {
    super(message)
    this.code = code
  }
}

/** `refreshSession` in JavaScript: SimpleJWT's TokenRefreshView through `fetch`. */
export async function jsRefreshSession(refreshToken, options = {}, resolved = resolve(options)) {
  const o = resolved
  let res
  try {
    res = await fetch(o.refreshUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ refresh: refreshToken }),
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs),
    })
  } catch (err) {
    throw new RefreshError('REFRESH_UNAVAILABLE', `the auth server did not answer: ${err.message}`)
  }
  if (res.status === 400 || res.status === 401 || res.status === 403) {
    await res.body?.cancel()
    throw new RefreshError('REFRESH_REJECTED', `the auth server rejected the refresh token (${res.status})`)
  }
  if (res.status >= 500 || res.status === 429) {
    await res.body?.cancel()
    throw new RefreshError('REFRESH_UNAVAILABLE', `the auth server answered ${res.status}`)
  }
  let body
  try {
    body = res.status >= 200 && res.status < 300 ? await res.json() : undefined
  } catch {
    body = undefined
  }
  const access = body?.access ?? body?.access_token
  if (typeof access !== 'string') throw new RefreshError('REFRESH_BAD_RESPONSE', 'no access token in the answer')
  const rotated = body.refresh ?? body.refresh_token

  const now = Math.floor(Date.now() / 1000)
  let expiresAt
  try {
    expiresAt = decodeJwt(access).exp
  } catch {
    expiresAt = Number.isFinite(body.expires_in) ? now + body.expires_in : undefined
  }
  const setCookie = [
    serialize(o.accessCookie, access, {
      ...o.cookieAttrs,
      maxAge: expiresAt ? Math.max(0, expiresAt - now) : undefined,
    }),
  ]
  if (typeof rotated === 'string') {
    let rexp
    try {
      rexp = decodeJwt(rotated).exp
    } catch {}
    setCookie.push(
      serialize(o.refreshCookie, rotated, { ...o.cookieAttrs, maxAge: rexp ? Math.max(0, rexp - now) : undefined }),
    )
  }
  const result = { accessToken: access, setCookie }
  if (typeof rotated === 'string') result.refreshToken = rotated
  if (expiresAt !== undefined) result.expiresAt = expiresAt
  return result
}

/** The usual middleware: `cookie` + `jose`, refreshing with `fetch` on every request that needs it. */
export function createUsual(options = {}) {
  const o = resolve(options)

  async function checkSession(req) {
    const header = readCookieHeader(req.headers)
    const cookies = parse(header)
    const access = cookies[o.accessCookie]
    const refresh = cookies[o.refreshCookie]
    const now = Math.floor(Date.now() / 1000)

    let claims
    if (access) {
      try {
        claims = decodeJwt(access)
      } catch {
        return valid(access, undefined) // opaque token: the API judges it
      }
      if (typeof claims.exp !== 'number') return valid(access, undefined)
      if (claims.exp - now > windowFor(claims, o.refreshWindowSeconds)) return valid(access, claims.exp)
    }
    const stillValid = claims && claims.exp > now

    if (!refresh) {
      if (stillValid) return valid(access, claims.exp)
      const decision = { action: 'continue', reason: 'anonymous', setCookie: [], headers: {} }
      if (access) {
        decision.setCookie.push(serialize(o.accessCookie, '', { ...o.cookieAttrs, maxAge: 0 }))
        decision.headers['cache-control'] = 'private, no-store'
        decision.requestCookie = rewriteCookieHeader(header, { [o.accessCookie]: undefined })
      }
      return decision
    }

    try {
      const r = await jsRefreshSession(refresh, options, o)
      const replacements = { [o.accessCookie]: r.accessToken }
      if (r.refreshToken) replacements[o.refreshCookie] = r.refreshToken
      return {
        action: 'continue',
        reason: 'refreshed',
        setCookie: r.setCookie,
        headers: { 'cache-control': 'private, no-store' },
        requestCookie: rewriteCookieHeader(header, replacements),
        accessToken: r.accessToken,
        expiresAt: r.expiresAt,
      }
    } catch (err) {
      if (err.code === 'REFRESH_REJECTED') {
        const path = new URL(req.url, 'http://x').pathname
        const del = [o.accessCookie, o.refreshCookie].map((n) => serialize(n, '', { ...o.cookieAttrs, maxAge: 0 }))
        const loc = `${o.loginPath}?next=${encodeURIComponent(req.url)}`
        const onLogin = path === o.loginPath || path.startsWith(`${o.loginPath}/`)
        return onLogin
          ? {
              action: 'continue',
              reason: 'refresh_rejected',
              setCookie: del,
              headers: { 'cache-control': 'private, no-store' },
            }
          : {
              action: 'redirect',
              reason: 'refresh_rejected',
              status: 307,
              location: loc,
              setCookie: del,
              headers: { 'cache-control': 'private, no-store' },
            }
      }
      if (stillValid)
        return {
          action: 'continue',
          reason: 'refresh_unavailable',
          setCookie: [],
          headers: {},
          accessToken: access,
          expiresAt: claims.exp,
        }
      return {
        action: 'unavailable',
        reason: 'refresh_unavailable',
        status: 503,
        setCookie: [],
        headers: { 'retry-after': '5' },
      }
    }
  }

  return { checkSession }
}

/** The hand-tuned hot path; anything but a fresh JWT goes through the usual middleware. */
export function createHandTuned(options = {}) {
  const o = resolve(options)
  const fallback = createUsual(options)
  const key = `${o.accessCookie}=`

  function findCookie(header) {
    let i = 0
    const n = header.length
    while (i < n) {
      while (header.charCodeAt(i) === 32) i++
      let end = header.indexOf(';', i)
      if (end === -1) end = n
      if (header.startsWith(key, i)) return header.slice(i + key.length, end).trimEnd()
      i = end + 1
    }
    return undefined
  }

  async function checkSession(req) {
    const header = readCookieHeader(req.headers)
    const access = findCookie(header)
    if (access !== undefined) {
      const a = access.indexOf('.')
      const b = access.indexOf('.', a + 1)
      if (a > 0 && b > a) {
        let claims
        try {
          claims = JSON.parse(Buffer.from(access.slice(a + 1, b), 'base64url').toString('utf8'))
        } catch {}
        if (claims && typeof claims.exp === 'number') {
          const now = Math.floor(Date.now() / 1000)
          if (claims.exp - now > windowFor(claims, o.refreshWindowSeconds)) return valid(access, claims.exp)
        }
      }
    }
    return fallback.checkSession(req)
  }

  return { checkSession }
}
