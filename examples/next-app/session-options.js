// Settings shared by proxy.ts (Next 16), next15/middleware.ts (Next 15) and server.js (custom
// server), so the proxy, the login action and the API clients agree on names and attributes.

/** Where the Django REST framework + SimpleJWT API lives. */
export const API_BASE_URL = (process.env.API_BASE_URL || 'http://127.0.0.1:8000').replace(/\/+$/, '')

export const ACCESS_COOKIE = 'access_token'
export const REFRESH_COOKIE = 'refresh_token'

/**
 * Cookies are `Secure` by default, as the engine writes them. Chromium and Firefox accept Secure
 * cookies from http://localhost and http://127.0.0.1, so this works in development too; Safari
 * does not: set COOKIE_SECURE=false to serve the app over plain http to Safari.
 */
export const COOKIE_SECURE = process.env.COOKIE_SECURE !== 'false'

/** @type {import('glyde-session').SessionOptions} */
export const sessionOptions = {
  refreshUrl: `${API_BASE_URL}/auth/refresh`,
  accessCookie: ACCESS_COOKIE,
  refreshCookie: REFRESH_COOKIE,
  loginPath: '/login',
  // Every page but /login needs a session: anonymous visitors go to /login?next=<page>.
  requireSession: true,
  cookie: { secure: COOKIE_SECURE, sameSite: 'lax' },
}
