// Inputs shared by every contender: SimpleJWT-shaped HS256 tokens made with node:crypto, and a
// realistic ~1 KB Cookie header (analytics and consent cookies around the two JWTs).

import { createHmac, randomBytes } from 'node:crypto'

export const SECRET = 'bench-secret-not-for-production-0123456789abcdef'
export const ACCESS_COOKIE = 'access_token'
export const REFRESH_COOKIE = 'refresh_token'

const b64url = (value) => Buffer.from(value).toString('base64url')
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))

/** Signs an HS256 JWT, as SimpleJWT does (header `{"alg":"HS256","typ":"JWT"}`). */
export function signJwt(payload, secret = SECRET) {
  const body = `${HEADER}.${b64url(JSON.stringify(payload))}`
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`
}

/** Verifies and decodes an HS256 JWT; returns the payload, or null. */
export function verifyJwt(token, secret = SECRET) {
  const parts = typeof token === 'string' ? token.split('.') : []
  if (parts.length !== 3) return null
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest('base64url')
  if (expected !== parts[2]) return null
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
  } catch {
    return null
  }
}

export const nowSeconds = () => Math.floor(Date.now() / 1000)
const jti = () => randomBytes(16).toString('hex')

/** A SimpleJWT access token: token_type, exp, iat, jti, user_id. */
export function accessToken({ userId = 42, iat = nowSeconds(), lifetime = 900 } = {}) {
  return signJwt({ token_type: 'access', exp: iat + lifetime, iat, jti: jti(), user_id: userId })
}

/** A SimpleJWT refresh token (one day by default). */
export function refreshToken({ userId = 42, iat = nowSeconds(), lifetime = 86400 } = {}) {
  return signJwt({ token_type: 'refresh', exp: iat + lifetime, iat, jti: jti(), user_id: userId })
}

/**
 * A fresh session: an access token issued a minute ago with a 15-minute lifetime (fresh for the
 * whole run), and a refresh token.
 */
export function freshSession(userId = 42) {
  const now = nowSeconds()
  return {
    access: accessToken({ userId, iat: now - 60, lifetime: 900 }),
    refresh: refreshToken({ userId, iat: now - 60 }),
  }
}

/** An expired session: the access token died 100 s ago; the refresh token is distinct and valid. */
export function expiredSession(userId = 42) {
  const now = nowSeconds()
  return {
    access: accessToken({ userId, iat: now - 400, lifetime: 300 }),
    refresh: refreshToken({ userId, iat: now - 400 }),
  }
}

/**
 * The Cookie header a browser sends to a real site: Google Analytics, Meta pixel, Google Ads,
 * a consent-manager cookie, UI preferences, Django's csrftoken, then the two JWTs.
 */
export function cookieHeader({ access, refresh }) {
  const parts = [
    '_ga=GA1.1.1739203385.1733011200',
    '_ga_3K9QX2LWPB=GS1.1.1733311200.4.1.1733312044.0.0.0',
    '_gid=GA1.2.2011857631.1733311200',
    '_gcl_au=1.1.1506429176.1733011200',
    '_fbp=fb.1.1733011200512.683902771',
    'CookieConsent={stamp:%27k3Rq8Zy1mQ0xT2vJbW9nLcF4hD7sGe5Ao6UpVrIiNtYw%3D%3D%27%2Cnecessary:true' +
      '%2Cpreferences:true%2Cstatistics:true%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:3' +
      '%2Cutc:1733011212345%2Cregion:%27fr%27}',
    'theme=dark',
    'locale=en-US',
    'csrftoken=Yq4x0sHfUu2kR7cJm9bPz1LwE3tVn6Ga',
  ]
  if (access !== undefined) parts.push(`${ACCESS_COOKIE}=${access}`)
  if (refresh !== undefined) parts.push(`${REFRESH_COOKIE}=${refresh}`)
  parts.push('sidebar_collapsed=false')
  return parts.join('; ')
}

/** The headers Node gives a server for a browser navigation (`req.headers`, lower-case keys). */
export function requestHeaders(cookie) {
  return {
    host: 'app.example.test',
    connection: 'keep-alive',
    'cache-control': 'max-age=0',
    'sec-ch-ua': '"Chromium";v="131", "Not_A Brand";v="24"',
    'sec-ch-ua-mobile': '?0',
    'sec-ch-ua-platform': '"Linux"',
    'upgrade-insecure-requests': '1',
    'user-agent':
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8',
    'sec-fetch-site': 'same-origin',
    'sec-fetch-mode': 'navigate',
    'sec-fetch-user': '?1',
    'sec-fetch-dest': 'document',
    referer: 'https://app.example.test/dashboard',
    'accept-encoding': 'gzip, deflate, br, zstd',
    'accept-language': 'en-US,en;q=0.9,fr;q=0.8',
    cookie,
  }
}

/** A request as users pass it: `{ url, method, headers }`. */
export function sessionRequest(session, { url = '/dashboard/orders?page=2', headersClass = false } = {}) {
  const plain = requestHeaders(cookieHeader(session))
  return { url, method: 'GET', headers: headersClass ? new Headers(plain) : plain }
}

/** Decodes a JWT payload without verifying it (used by the checks, not by the contenders). */
export function peek(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))
}
