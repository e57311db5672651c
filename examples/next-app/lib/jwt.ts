// Just enough JWT reading for cookie lifetimes. The payload is decoded, not verified: the API
// verifies every token it receives.

function payload(token: string): { exp?: number; iat?: number } {
  try {
    const part = token.split('.')[1] ?? ''
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    return {}
  }
}

/**
 * Max-Age for the cookie of a token that was just issued: its lifetime (`exp - iat`), which does
 * not depend on our clock agreeing with the auth server's; `exp - now` without `iat`; undefined
 * (a browser-session cookie) without `exp`.
 */
export function cookieMaxAge(token: string): number | undefined {
  const { exp, iat } = payload(token)
  if (typeof exp !== 'number') return undefined
  const seconds = typeof iat === 'number' ? exp - iat : exp - Math.floor(Date.now() / 1000)
  return Math.max(0, Math.floor(seconds))
}
