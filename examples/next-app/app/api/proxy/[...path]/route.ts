// The server side of the passenger client: forwards the browser's call to the API with the
// session's bearer token. The proxy runs first, so the token is fresh, and a dead session never
// gets here: the proxy answers 401 JSON for everything under /api.

import type { NextRequest } from 'next/server'

import { tower } from '@/lib/tower'

type Context = { params: Promise<{ path: string[] }> }

async function forward(request: NextRequest, { params }: Context): Promise<Response> {
  const { path } = await params
  if (path.some((segment) => segment === '.' || segment === '..')) {
    return Response.json({ error: 'not_found' }, { status: 404 })
  }
  const target = '/' + path.map(encodeURIComponent).join('/') + request.nextUrl.search

  const headers = new Headers({ accept: request.headers.get('accept') ?? 'application/json' })
  const init: RequestInit = { method: request.method, headers }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const contentType = request.headers.get('content-type')
    if (contentType) headers.set('content-type', contentType)
    init.body = await request.arrayBuffer()
  }

  let upstream: Response
  try {
    upstream = await tower(target, init)
  } catch {
    return Response.json({ error: 'unavailable' }, { status: 503 })
  }
  return new Response(upstream.body, {
    status: upstream.status,
    headers: {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
      'cache-control': 'private, no-store',
    },
  })
}

export { forward as GET, forward as POST, forward as PUT, forward as PATCH, forward as DELETE }
