'use strict'

// glyde-session/next: the session decision as a NextResponse, for `proxy.ts` (Next 16) and
// `middleware.ts` with `runtime: 'nodejs'` (Next 15.5).
//
// `next` is an optional peer dependency of the package: this file loads `next/server` only when a
// function that builds a response is first called, so requiring it (or the main entry, which
// never touches it) works where Next is not installed.
//
// Invariants kept here:
// - every Set-Cookie of the decision reaches the browser, whatever response leaves the proxy;
// - when the decision rewrote the Cookie header, the rest of the same request (Server Components,
//   route handlers, server actions) sees the rewritten header, not the browser's;
// - a dead session never reaches the handler of `withSession`.

const { createSession } = require('./index.js')

let nextServer = null

function loadNextServer() {
  if (nextServer) return nextServer
  try {
    nextServer = require('next/server')
  } catch (err) {
    const hint = new Error(
      "glyde-session/next needs the 'next' package (>= 15.5) installed next to glyde-session. " +
        'Use glyde-session/node outside Next.js.',
    )
    hint.cause = err
    throw hint
  }
  return nextServer
}

const ERROR_BODIES = {
  unauthorized: { error: 'unauthorized' },
  unavailable: { error: 'unavailable' },
}

/**
 * The request headers the rest of this request must see: a copy of `request.headers` whose
 * `Cookie` header is `decision.requestCookie` when the decision changed it (removed when it is
 * empty). Pass it as `NextResponse.next({ request: { headers } })` or
 * `NextResponse.rewrite(url, { request: { headers } })`.
 *
 * @param {{ headers: Headers }} request the incoming `NextRequest`
 * @param {import('./index').SessionDecision} decision
 * @returns {Headers}
 */
function sessionRequestHeaders(request, decision) {
  const headers = new Headers(request.headers)
  if (decision.requestCookie !== undefined && decision.requestCookie !== null) {
    if (decision.requestCookie === '') headers.delete('cookie')
    else headers.set('cookie', decision.requestCookie)
  }
  return headers
}

/**
 * Add what the decision writes to the browser onto any response: each `Set-Cookie` is appended
 * (cookies the response already sets are kept), and `decision.headers` (`cache-control`,
 * `retry-after`) are set. Returns the same response.
 *
 * @template {Response} R
 * @param {R} response
 * @param {import('./index').SessionDecision} decision
 * @returns {R}
 */
function withSessionCookies(response, decision) {
  for (const value of decision.setCookie || []) response.headers.append('set-cookie', value)
  for (const [name, value] of Object.entries(decision.headers || {})) response.headers.set(name, value)
  return response
}

/**
 * Turn a decision into the response the proxy returns:
 * - `continue`: `NextResponse.next()` with the rewritten Cookie header for the rest of the request;
 * - `redirect`: a 307 to `decision.location` (resolved against the request URL when relative);
 * - `unauthorized` / `unavailable`: 401 / 503 with the JSON body `{ "error": "unauthorized" }` or
 *   `{ "error": "unavailable" }`.
 * Every response carries the decision's `Set-Cookie`s (new tokens, or deletions) and headers.
 *
 * @param {{ url: string, headers: Headers }} request the incoming `NextRequest`
 * @param {import('./index').SessionDecision} decision
 * @returns {import('next/server').NextResponse}
 */
function applySession(request, decision) {
  const { NextResponse } = loadNextServer()
  let response

  switch (decision.action) {
    case 'continue':
      response = NextResponse.next({ request: { headers: sessionRequestHeaders(request, decision) } })
      break
    case 'redirect':
      response = NextResponse.redirect(new URL(decision.location, request.url), decision.status || 307)
      break
    case 'unauthorized':
    case 'unavailable':
      response = NextResponse.json(ERROR_BODIES[decision.action], {
        status: decision.status || (decision.action === 'unauthorized' ? 401 : 503),
      })
      break
    default:
      throw new TypeError(`glyde-session/next: unknown decision action '${decision.action}'`)
  }

  return withSessionCookies(response, decision)
}

function toSession(options) {
  if (options && typeof options.checkSession === 'function') return options
  return createSession(options)
}

function sessionRequest(request) {
  return { url: request.url, method: request.method, headers: request.headers }
}

/**
 * Run the session check, then your own proxy logic with the session already settled.
 *
 * The handler runs only when the decision is `continue`; a redirect, 401 or 503 is answered
 * without it. It gets the request and a `session` object:
 * - `session.decision`: the decision;
 * - `session.accessToken`: the access token valid for the rest of this request, if any;
 * - `session.requestHeaders`: the request headers with the rewritten Cookie header;
 * - `session.next(init?)`: `NextResponse.next()` carrying those request headers.
 *
 * Whatever the handler returns gets the decision's `Set-Cookie`s and headers added; when it returns
 * nothing, the request continues as `applySession` would. To rewrite, pass
 * `{ request: { headers: session.requestHeaders } }` to `NextResponse.rewrite` so the page still
 * sees the new cookie.
 *
 * @param {import('./index').SessionOptions | import('./index').Session | undefined} options
 *   session options, bound once with `createSession` on the first request (which is when they are
 *   validated and `API_BASE_URL` is read), or a `Session` from `createSession`
 * @param {Function} [handler]
 * @returns {(request: import('next/server').NextRequest) => Promise<Response>}
 */
function withSession(options, handler) {
  // Made on the first request, not when proxy.ts is imported: the environment (API_BASE_URL, the
  // default refresh URL) is read then, and a bad option fails that request with INVALID_OPTIONS
  // rather than the import. A failed attempt is retried by the next request.
  let session = null

  return async function sessionProxyHandler(request) {
    session = session || toSession(options)
    const decision = await session.checkSession(sessionRequest(request))
    if (decision.action !== 'continue' || !handler) return applySession(request, decision)

    const requestHeaders = sessionRequestHeaders(request, decision)
    const context = {
      decision,
      accessToken: decision.accessToken,
      requestHeaders,
      next(init) {
        const { NextResponse } = loadNextServer()
        return NextResponse.next({ ...init, request: { headers: requestHeaders } })
      },
    }

    const response = await handler(request, context)
    if (!response) return applySession(request, decision)
    return withSessionCookies(response, decision)
  }
}

/**
 * The whole proxy in one line: `export const proxy = sessionProxy(options)` (Next 16), or
 * `export const middleware = sessionProxy(options)` with `runtime: 'nodejs'` (Next 15.5).
 * Same as `withSession(options)` with no handler.
 *
 * @param {import('./index').SessionOptions | import('./index').Session} [options]
 * @returns {(request: import('next/server').NextRequest) => Promise<Response>}
 */
function sessionProxy(options) {
  return withSession(options)
}

module.exports = {
  sessionProxy,
  withSession,
  applySession,
  sessionRequestHeaders,
  withSessionCookies,
}
