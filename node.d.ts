// Types for `glyde-session/node`: the session decision applied to Node's `http` request and
// response, for custom Next.js servers and Express- or Connect-style apps.

import type { IncomingMessage, ServerResponse } from 'node:http'

import type { Session, SessionDecision, SessionOptions, SessionRequest } from './index'

/**
 * Apply a decision to a Node request and response.
 *
 * - `continue`: `req.headers.cookie` becomes `decision.requestCookie` when the decision changed it
 *   (so the app reads the fresh token in this same request), the decision's `Set-Cookie`s are
 *   appended to the ones `res` already holds, its headers are set; returns `true`.
 * - `redirect`: answers 307 to `decision.location` with the cookie deletions; returns `false`.
 * - `unauthorized` / `unavailable`: answers 401 / 503 with `{ "error": "unauthorized" }` or
 *   `{ "error": "unavailable" }` as JSON; returns `false`.
 *
 * @returns whether the request should go on to the app (`false`: it has been answered and ended)
 */
export declare function applyDecision(
  req: IncomingMessage,
  res: ServerResponse,
  decision: SessionDecision,
): boolean

/**
 * Check the session of `req` and apply the decision (see `applyDecision`).
 *
 * ```js
 * const session = createSession({ requireSession: true })
 * http.createServer(async (req, res) => {
 *   if (await handleSession(req, res, session)) handle(req, res)
 * })
 * ```
 *
 * Rejects only for invalid options (`INVALID_OPTIONS`) or an unusable request
 * (`INVALID_REQUEST`); a failed refresh is a decision, never a rejection.
 *
 * @param options session options, or a `Session` from `createSession` (binds and validates the
 *   options once: prefer it in a server)
 * @returns whether the request should go on to the app
 */
export declare function handleSession(
  req: IncomingMessage,
  res: ServerResponse,
  options?: SessionOptions | Session,
): Promise<boolean>

/**
 * Connect/Express middleware: `app.use(sessionMiddleware(options))`. Calls `next()` when the
 * request should go on, answers it otherwise, and passes a rejection to `next(err)`. The options
 * are bound with `createSession` at once, so invalid ones throw `INVALID_OPTIONS` here, at startup.
 */
export declare function sessionMiddleware(
  options?: SessionOptions | Session,
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void

/**
 * The `SessionRequest` for a Node request: path and query (`req.originalUrl` under Express), method
 * and headers; the origin comes from `Host` and `X-Forwarded-Proto`.
 */
export declare function sessionRequest(req: IncomingMessage & { originalUrl?: string }): SessionRequest

/**
 * Append Set-Cookie values to `res`, after the ones it already holds. They also survive a later
 * `res.setHeader('set-cookie', list)` by the app (Next.js writes a server action's cookies that
 * way): they stay in front of the new list, so the app's own cookies still win for the same name.
 */
export declare function appendSetCookie(res: ServerResponse, values: string[]): void
