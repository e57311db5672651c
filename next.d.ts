// Types for `glyde-session/next`: the session decision as a NextResponse, for `proxy.ts` (Next 16)
// and `middleware.ts` with `runtime: 'nodejs'` (Next 15.5). Needs `next` installed.

import type { NextRequest, NextResponse } from 'next/server'

import type { Session, SessionDecision, SessionOptions } from './index'

/** A proxy (or middleware) function, as Next calls it. */
export type SessionProxy = (request: NextRequest) => Promise<Response>

/** What `withSession` hands your handler once the session is settled. */
export interface ProxySession {
  /** The decision; its `action` is always `'continue'` here. */
  decision: SessionDecision
  /** The access token valid for the rest of this request, when there is one. */
  accessToken?: string
  /**
   * The request headers the rest of this request must see: the incoming headers with the Cookie
   * header rewritten by the decision. Pass them on when you build your own `NextResponse.next()`
   * or `NextResponse.rewrite()`: `{ request: { headers: session.requestHeaders } }`.
   */
  requestHeaders: Headers
  /** `NextResponse.next(init)` that carries `requestHeaders` to the rest of the request. */
  next(init?: ResponseInit): NextResponse
}

/**
 * Your own proxy logic, run after the session check when the request may go on. Return a response
 * (a rewrite, a redirect, anything) or nothing to continue; the decision's `Set-Cookie`s and
 * headers are added to whatever leaves the proxy.
 */
export type SessionProxyHandler = (
  request: NextRequest,
  session: ProxySession,
) => Response | undefined | void | Promise<Response | undefined | void>

/**
 * The whole proxy in one line:
 *
 * ```ts
 * // proxy.ts (Next 16)
 * export const proxy = sessionProxy({ requireSession: true })
 * // middleware.ts (Next 15.5)
 * export const middleware = sessionProxy({ requireSession: true })
 * export const config = { runtime: 'nodejs' }
 * ```
 *
 * Continues with the refreshed cookie visible to the rest of the request, redirects to the login
 * page (307) with the dead cookies deleted, or answers 401 / 503 with `{ "error": ... }`.
 * The options are bound once with `createSession` on the first request, which is when they are
 * validated (an `INVALID_OPTIONS` error fails that request) and `API_BASE_URL` is read.
 */
export declare function sessionProxy(options?: SessionOptions | Session): SessionProxy

/**
 * The session check composed with your own proxy logic. `handler` runs only when the decision is
 * `continue`; a redirect, 401 or 503 is answered without it.
 *
 * ```ts
 * export const proxy = withSession(options, (request, session) => {
 *   if (request.nextUrl.pathname === '/') {
 *     return NextResponse.redirect(new URL('/dashboard', request.url))
 *   }
 * })
 * ```
 */
export declare function withSession(
  options: SessionOptions | Session | undefined,
  handler?: SessionProxyHandler,
): SessionProxy

/**
 * Turn a decision (from `checkSession`) into the response a proxy returns: `NextResponse.next()`
 * with the rewritten Cookie header, a 307 redirect, or a 401 / 503 JSON answer, each carrying the
 * decision's `Set-Cookie`s and headers.
 */
export declare function applySession(
  request: Pick<NextRequest, 'url' | 'headers'>,
  decision: SessionDecision,
): NextResponse

/**
 * A copy of the request headers with the Cookie header replaced by `decision.requestCookie` when
 * the decision changed it (removed when it is empty).
 */
export declare function sessionRequestHeaders(
  request: Pick<NextRequest, 'headers'>,
  decision: SessionDecision,
): Headers

/**
 * Append the decision's `Set-Cookie`s to `response` (keeping the ones it has) and set the
 * decision's headers. Returns the same response.
 */
export declare function withSessionCookies<R extends Response>(response: R, decision: SessionDecision): R
