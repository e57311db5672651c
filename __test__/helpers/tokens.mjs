// Test JWTs. Signed with HS256 by node:crypto so they look exactly like SimpleJWT's; the
// package never verifies signatures, the API does.

import { createHmac, randomUUID } from 'node:crypto'

const SECRET = 'glyde-session-tests'
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')

export const nowSeconds = () => Math.floor(Date.now() / 1000)

/** A SimpleJWT-shaped access token expiring `expiresIn` seconds from now (negative: expired). */
export function jwt({ expiresIn = 300, lifetime = 300, type = 'access', extra = {} } = {}) {
  const now = nowSeconds()
  const exp = now + expiresIn
  const payload = { token_type: type, exp, iat: exp - lifetime, jti: randomUUID().replaceAll('-', ''), user_id: 1, ...extra }
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`
  return `${unsigned}.${createHmac('sha256', SECRET).update(unsigned).digest('base64url')}`
}

/** Parses Set-Cookie values into `{ name: { value, attributes: { lowercased: value|true } } }`. */
export function parseSetCookies(values) {
  const cookies = {}
  for (const line of values) {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim())
    const index = pair.indexOf('=')
    const parsed = { value: pair.slice(index + 1), attributes: {} }
    for (const attribute of attributes) {
      const [key, value] = attribute.split('=')
      parsed.attributes[key.toLowerCase()] = value ?? true
    }
    cookies[pair.slice(0, index)] = parsed
  }
  return cookies
}
