// The app's proxy logic, shared by proxy.ts (Next 16) and next15/middleware.ts (Next 15).
//
// withSession runs the session check first: a dead session is sent to /login (or answered 401 /
// 503) before this code runs, and when it runs the session is settled: the cookie the rest of the
// request sees holds the fresh token. Whatever it returns gets the new cookies added.

import { NextResponse, type NextRequest } from 'next/server'
import { withSession } from 'glyde-session/next'

import { sessionOptions } from '@/session-options.js'

const checkAndRoute = withSession(sessionOptions, (request, session) => {
  // /me is an alias of /dashboard. A rewrite must carry the rewritten request headers, or the
  // page would see the browser's stale Cookie header.
  if (request.nextUrl.pathname === '/me') {
    return NextResponse.rewrite(new URL('/dashboard', request.url), {
      request: { headers: session.requestHeaders },
    })
  }
})

export async function appProxy(request: NextRequest): Promise<Response> {
  // server.js checks the session itself with glyde-session/node and sets this, so the same request
  // is not checked twice.
  if (process.env.GLYDE_SESSION_CHECKED_BY_SERVER === '1') return NextResponse.next()
  return checkAndRoute(request)
}
