'use strict'

// glyde-session/node: the session decision applied to Node's `http` request and response, for
// custom Next.js servers and Express- or Connect-style apps.
//
// Invariants kept here:
// - Set-Cookie values are appended to the ones the response already holds, never replace them,
//   and survive a later `res.setHeader('set-cookie', ...)` by the app (see appendSetCookie);
// - when the decision rewrote the Cookie header, `req.headers.cookie` (and `req.rawHeaders`) carry
//   the new header before the request goes on, so the app reads the fresh token;
// - a redirect, 401 or 503 is answered and ended here, and the caller is told not to go on.

const { checkSession, createSession } = require('./index.js')

const ERROR_BODIES = {
  unauthorized: JSON.stringify({ error: 'unauthorized' }),
  unavailable: JSON.stringify({ error: 'unavailable' }),
}

/**
 * The `SessionRequest` for a Node request: its path and query (`req.originalUrl` under Express,
 * so a mounted router does not hide the prefix), its method and its headers. The origin comes
 * from the `Host` and `X-Forwarded-Proto` headers.
 *
 * @param {import('node:http').IncomingMessage} req
 * @returns {import('./index').SessionRequest}
 */
function sessionRequest(req) {
  return { url: req.originalUrl || req.url || '/', method: req.method, headers: req.headers }
}

function replaceRequestCookie(req, cookie) {
  if (cookie === '') delete req.headers.cookie
  else req.headers.cookie = cookie

  // Code that reads the raw header list (some proxies and loggers do) must agree with req.headers.
  if (Array.isArray(req.rawHeaders)) {
    const raw = []
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i].toLowerCase() !== 'cookie') raw.push(req.rawHeaders[i], req.rawHeaders[i + 1])
    }
    if (cookie !== '') raw.push('Cookie', cookie)
    req.rawHeaders.splice(0, req.rawHeaders.length, ...raw)
  }
}

const SESSION_COOKIES = Symbol('glyde-session.setCookie')

function toList(value) {
  if (value === undefined) return []
  return Array.isArray(value) ? value.map(String) : [String(value)]
}

/**
 * Append Set-Cookie values to the response, after any it already holds, and keep them there.
 *
 * Frameworks that run later often write their own cookies with `res.setHeader('set-cookie', list)`,
 * which replaces the whole header: Next.js does for a cookie set by a server action. Losing the
 * session's cookies there would drop a rotated refresh token and log the user out, so this
 * response's `setHeader` keeps them in front of any later list (the app's cookies still come last
 * and win for the same name); values that the later list repeats are not doubled.
 *
 * @param {import('node:http').ServerResponse} res
 * @param {string[]} values
 */
function appendSetCookie(res, values) {
  if (!values || values.length === 0) return

  if (!res[SESSION_COOKIES]) {
    const setHeader = res.setHeader
    res[SESSION_COOKIES] = { values: [], setHeader }
    res.setHeader = function setHeaderKeepingSessionCookies(name, value) {
      if (typeof name !== 'string' || name.toLowerCase() !== 'set-cookie')
        return setHeader.call(this, name, value)
      const list = toList(value)
      const kept = this[SESSION_COOKIES].values.filter((cookie) => !list.includes(cookie))
      return setHeader.call(this, name, [...kept, ...list])
    }
  }

  const session = res[SESSION_COOKIES]
  session.values.push(...values)
  session.setHeader.call(res, 'set-cookie', [...toList(res.getHeader('set-cookie')), ...values])
}

/**
 * Apply a decision to a Node request and response.
 *
 * - `continue`: rewrites `req.headers.cookie` when the decision changed it, appends the decision's
 *   Set-Cookies and sets its headers on `res`, and returns `true`: hand the request on.
 * - `redirect`: answers 307 with `Location: decision.location` and the cookie deletions.
 * - `unauthorized` / `unavailable`: answers 401 / 503 with the JSON body `{ "error": "unauthorized" }`
 *   or `{ "error": "unavailable" }` (and `retry-after` on 503).
 *
 * Returns `false` when the response has been answered and ended here.
 *
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {import('./index').SessionDecision} decision
 * @returns {boolean}
 */
function applyDecision(req, res, decision) {
  appendSetCookie(res, decision.setCookie)
  for (const [name, value] of Object.entries(decision.headers || {})) res.setHeader(name, value)

  switch (decision.action) {
    case 'continue':
      if (decision.requestCookie !== undefined && decision.requestCookie !== null) {
        replaceRequestCookie(req, decision.requestCookie)
      }
      return true
    case 'redirect':
      res.statusCode = decision.status || 307
      res.setHeader('location', decision.location)
      res.end()
      return false
    case 'unauthorized':
    case 'unavailable': {
      const body = ERROR_BODIES[decision.action]
      res.statusCode = decision.status || (decision.action === 'unauthorized' ? 401 : 503)
      res.setHeader('content-type', 'application/json; charset=utf-8')
      res.setHeader('content-length', Buffer.byteLength(body))
      res.end(body)
      return false
    }
    default:
      throw new TypeError(`glyde-session/node: unknown decision action '${decision.action}'`)
  }
}

function isSession(value) {
  return Boolean(value) && typeof value.checkSession === 'function'
}

/**
 * Check the session of a Node request and apply the decision (see `applyDecision`). Resolves to
 * `true` when the request should go on to the app, `false` when it has been answered.
 *
 * Rejects only for invalid options (`INVALID_OPTIONS`) or an unusable request (`INVALID_REQUEST`);
 * a failed refresh is a decision, never a rejection.
 *
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {import('./index').SessionOptions | import('./index').Session} [options] options, or a
 *   `Session` from `createSession` (binds and validates the options once: prefer it in a server)
 * @returns {Promise<boolean>}
 */
async function handleSession(req, res, options) {
  const request = sessionRequest(req)
  const decision = isSession(options)
    ? await options.checkSession(request)
    : await checkSession(request, options)
  return applyDecision(req, res, decision)
}

/**
 * Connect/Express middleware: `app.use(sessionMiddleware(options))`. Calls `next()` when the
 * request should go on, answers it otherwise, and passes rejections to `next(err)`. The options are
 * bound with `createSession` at once, so invalid ones throw `INVALID_OPTIONS` here, at startup.
 *
 * @param {import('./index').SessionOptions | import('./index').Session} [options]
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse,
 *   next: (err?: unknown) => void) => void}
 */
function sessionMiddleware(options) {
  const session = isSession(options) ? options : createSession(options)
  return function glydeSession(req, res, next) {
    handleSession(req, res, session).then((proceed) => {
      if (proceed) next()
    }, next)
  }
}

module.exports = {
  applyDecision,
  handleSession,
  sessionMiddleware,
  sessionRequest,
  appendSetCookie,
}
