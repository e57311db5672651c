// The adapters on their own, without a browser: glyde-session/node against a real Node http server
// and a refresh endpoint on 127.0.0.1, and glyde-session/next as installed in the example (from
// the packed tarball, next to a real `next`).

import assert from 'node:assert/strict'
import { once } from 'node:events'
import http from 'node:http'
import { createRequire } from 'node:module'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'

import { installNext16, REPO_ROOT } from './helpers/example.mjs'

const require = createRequire(import.meta.url)
const node = require(path.join(REPO_ROOT, 'node.js'))

const NOW = () => Math.floor(Date.now() / 1000)

/** An unsigned JWT: the engine reads `exp`/`iat` and never verifies (the API does). */
function jwt(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`
}

async function listen(handler) {
  const server = http.createServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, url: `http://127.0.0.1:${server.address().port}` }
}

const continued = (extra = {}) => ({
  action: 'continue',
  reason: 'valid',
  setCookie: [],
  headers: {},
  ...extra,
})

describe('glyde-session/node', () => {
  let auth
  let refreshCalls = 0
  const fresh = {
    access: jwt({ exp: NOW() + 300, iat: NOW() }),
    refresh: jwt({ exp: NOW() + 86400, iat: NOW() }),
  }

  before(async () => {
    auth = await listen((req, res) => {
      refreshCalls += 1
      req.resume()
      req.on('end', () => {
        res.setHeader('content-type', 'application/json')
        res.end(JSON.stringify(fresh))
      })
    })
  })

  after(() => auth.server.close())

  /** Serve one request through `fn(req, res)` and return what the client got. */
  async function through(fn, { path: url = '/dashboard', headers = {} } = {}) {
    const app = await listen(async (req, res) => {
      try {
        await fn(req, res)
      } catch (err) {
        res.statusCode = 500
        res.end(String(err))
      }
    })
    try {
      const response = await fetch(app.url + url, { headers, redirect: 'manual' })
      return { status: response.status, headers: response.headers, body: await response.text() }
    } finally {
      app.server.close()
    }
  }

  test('continue: rewrites the Cookie header, appends Set-Cookie after the existing one, and keeps it through a later setHeader', async () => {
    let seen
    const result = await through(
      (req, res) => {
        res.setHeader('set-cookie', 'early=1; Path=/')
        const decision = continued({
          reason: 'refreshed',
          setCookie: ['access_token=NEW; Path=/; HttpOnly'],
          headers: { 'cache-control': 'private, no-store' },
          requestCookie: 'access_token=NEW; theme=dark',
        })
        assert.equal(node.applyDecision(req, res, decision), true)
        seen = {
          cookie: req.headers.cookie,
          raw: req.rawHeaders.filter((_, i, all) => all[i - 1]?.toLowerCase() === 'cookie'),
        }
        assert.deepEqual(res.getHeader('set-cookie'), [
          'early=1; Path=/',
          'access_token=NEW; Path=/; HttpOnly',
        ])
        // The app writes its cookie list again: adding to what is there (nothing doubled) ...
        res.setHeader('set-cookie', [...res.getHeader('set-cookie'), 'late=1; Path=/'])
        assert.deepEqual(res.getHeader('set-cookie'), [
          'early=1; Path=/',
          'access_token=NEW; Path=/; HttpOnly',
          'late=1; Path=/',
        ])
        // ... or replacing it, as Next does for a server action's cookies: the session's stay.
        res.setHeader('set-cookie', ['theme=light; Path=/'])
        res.end('ok')
      },
      { headers: { cookie: 'access_token=OLD; theme=dark' } },
    )

    assert.equal(result.status, 200)
    assert.deepEqual(seen, { cookie: 'access_token=NEW; theme=dark', raw: ['access_token=NEW; theme=dark'] })
    assert.deepEqual(result.headers.getSetCookie(), [
      'access_token=NEW; Path=/; HttpOnly',
      'theme=light; Path=/',
    ])
    assert.equal(result.headers.get('cache-control'), 'private, no-store')
  })

  test('continue with an empty requestCookie removes the Cookie header', async () => {
    let cookie = 'unset'
    await through(
      (req, res) => {
        node.applyDecision(req, res, continued({ requestCookie: '' }))
        cookie = req.headers.cookie
        res.end()
      },
      { headers: { cookie: 'access_token=x' } },
    )
    assert.equal(cookie, undefined)
  })

  test('redirect: 307 with the location and the deletions, and the app is not called', async () => {
    const result = await through((req, res) => {
      const proceed = node.applyDecision(req, res, {
        action: 'redirect',
        reason: 'refresh_rejected',
        status: 307,
        location: 'http://127.0.0.1/login?next=%2Fdashboard',
        setCookie: ['access_token=; Max-Age=0; Path=/', 'refresh_token=; Max-Age=0; Path=/'],
        headers: { 'cache-control': 'private, no-store' },
      })
      assert.equal(proceed, false)
      assert.equal(res.writableEnded, true)
    })
    assert.equal(result.status, 307)
    assert.equal(result.headers.get('location'), 'http://127.0.0.1/login?next=%2Fdashboard')
    assert.deepEqual(result.headers.getSetCookie(), [
      'access_token=; Max-Age=0; Path=/',
      'refresh_token=; Max-Age=0; Path=/',
    ])
  })

  for (const [action, status] of [
    ['unauthorized', 401],
    ['unavailable', 503],
  ]) {
    test(`${action}: ${status} with a JSON body`, async () => {
      const headers = action === 'unavailable' ? { 'retry-after': '5' } : {}
      const result = await through((req, res) => {
        assert.equal(
          node.applyDecision(req, res, { action, reason: 'anonymous', status, setCookie: [], headers }),
          false,
        )
      })
      assert.equal(result.status, status)
      assert.match(result.headers.get('content-type'), /^application\/json/)
      assert.deepEqual(JSON.parse(result.body), { error: action })
      if (action === 'unavailable') assert.equal(result.headers.get('retry-after'), '5')
    })
  }

  test('handleSession with the engine: an expired token is refreshed and the handler reads the new one', async () => {
    const { createSession } = require(path.join(REPO_ROOT, 'index.js'))
    const session = createSession({ refreshUrl: `${auth.url}/auth/refresh`, cookie: { secure: false } })
    const expired = jwt({ exp: NOW() - 10, iat: NOW() - 310 })
    refreshCalls = 0
    let cookie
    const result = await through(
      async (req, res) => {
        if (!(await node.handleSession(req, res, session))) return
        cookie = req.headers.cookie
        res.end('page')
      },
      { headers: { cookie: `access_token=${expired}; refresh_token=RT1; theme=dark`, accept: 'text/html' } },
    )

    assert.equal(result.status, 200)
    assert.equal(refreshCalls, 1)
    assert.equal(cookie, `access_token=${fresh.access}; refresh_token=${fresh.refresh}; theme=dark`)
    assert.deepEqual(
      result.headers.getSetCookie().map((c) => c.split('=')[0]),
      ['access_token', 'refresh_token'],
    )
  })

  test('sessionMiddleware: invalid options throw INVALID_OPTIONS when the middleware is made', () => {
    assert.throws(() => node.sessionMiddleware({ refreshUrl: 'not a url' }), { code: 'INVALID_OPTIONS' })
  })

  test('sessionMiddleware calls next() for a request that goes on', async () => {
    const middleware = node.sessionMiddleware({ refreshUrl: `${auth.url}/auth/refresh` })
    const result = await through((req, res) => {
      middleware(req, res, (err) => res.end(err ? `error ${err.code}` : 'next'))
    })
    assert.equal(result.body, 'next')
  })
})

describe('glyde-session/next', () => {
  let next
  let NextRequest

  before(async () => {
    // The copy installed from the tarball, which finds the example's `next`.
    const appDir = await installNext16()
    const appRequire = createRequire(path.join(appDir, 'package.json'))
    next = appRequire('glyde-session/next')
    ;({ NextRequest } = appRequire('next/server'))
  })

  const request = (url = 'http://127.0.0.1:3000/dashboard', cookie = 'access_token=OLD; theme=dark') =>
    new NextRequest(url, { headers: { cookie, accept: 'text/html' } })

  test('glyde-session/next loads where next is absent; building a response says what is missing', () => {
    // The repository root has no `next` installed: exactly a Node-only user's situation.
    assert.throws(() => require.resolve('next/server', { paths: [REPO_ROOT] }), { code: 'MODULE_NOT_FOUND' })
    const bare = require(path.join(REPO_ROOT, 'next.js'))
    assert.equal(typeof bare.sessionProxy, 'function')
    assert.throws(() => bare.applySession(request(), continued()), /needs the 'next' package/)
  })

  test('continue: the rest of the request sees the new Cookie header; Set-Cookie and headers are added', () => {
    const response = next.applySession(
      request(),
      continued({
        reason: 'refreshed',
        setCookie: ['access_token=NEW; Path=/; HttpOnly', 'refresh_token=RT2; Path=/; HttpOnly'],
        headers: { 'cache-control': 'private, no-store' },
        requestCookie: 'access_token=NEW; theme=dark',
      }),
    )
    assert.equal(response.headers.get('x-middleware-next'), '1')
    assert.match(response.headers.get('x-middleware-override-headers'), /(^|,)cookie(,|$)/)
    assert.equal(response.headers.get('x-middleware-request-cookie'), 'access_token=NEW; theme=dark')
    assert.deepEqual(response.headers.getSetCookie(), [
      'access_token=NEW; Path=/; HttpOnly',
      'refresh_token=RT2; Path=/; HttpOnly',
    ])
    assert.equal(response.headers.get('cache-control'), 'private, no-store')
  })

  test('redirect: 307 to the location (resolved against the request when relative) with the deletions', () => {
    const response = next.applySession(request(), {
      action: 'redirect',
      reason: 'refresh_rejected',
      status: 307,
      location: '/login?next=%2Fdashboard',
      setCookie: ['access_token=; Max-Age=0; Path=/'],
      headers: {},
    })
    assert.equal(response.status, 307)
    // (NextRequest spells a 127.0.0.1 origin `localhost`; Next relativizes a same-origin Location.)
    assert.equal(response.headers.get('location'), new URL('/login?next=%2Fdashboard', request().url).href)
    assert.deepEqual(response.headers.getSetCookie(), ['access_token=; Max-Age=0; Path=/'])
  })

  for (const [action, status] of [
    ['unauthorized', 401],
    ['unavailable', 503],
  ]) {
    test(`${action}: ${status} with a JSON body`, async () => {
      const response = next.applySession(request(), {
        action,
        reason: 'anonymous',
        status,
        setCookie: [],
        headers: { 'retry-after': '5' },
      })
      assert.equal(response.status, status)
      assert.deepEqual(await response.json(), { error: action })
      assert.equal(response.headers.get('retry-after'), '5')
    })
  }

  test('sessionRequestHeaders: an empty requestCookie removes the Cookie header; no requestCookie keeps it', () => {
    assert.equal(next.sessionRequestHeaders(request(), continued({ requestCookie: '' })).get('cookie'), null)
    assert.equal(
      next.sessionRequestHeaders(request(), continued()).get('cookie'),
      'access_token=OLD; theme=dark',
    )
  })

  test('withSession: the handler runs after a continue, its response gets the cookies; it never sees a dead session', async () => {
    const calls = []
    const session = (decision) => ({ checkSession: async () => decision })
    const refreshed = continued({
      reason: 'refreshed',
      setCookie: ['access_token=NEW'],
      requestCookie: 'access_token=NEW',
    })

    const rewrite = next.withSession(session(refreshed), (req, s) => {
      calls.push(s.requestHeaders.get('cookie'))
      return new Response('handler', { headers: { 'set-cookie': 'own=1' } })
    })
    const response = await rewrite(request())
    assert.deepEqual(calls, ['access_token=NEW'])
    assert.equal(await response.text(), 'handler')
    assert.deepEqual(response.headers.getSetCookie(), ['own=1', 'access_token=NEW'])

    const passThrough = await next.withSession(session(refreshed), () => undefined)(request())
    assert.equal(passThrough.headers.get('x-middleware-request-cookie'), 'access_token=NEW')

    const dead = {
      action: 'redirect',
      reason: 'refresh_rejected',
      status: 307,
      location: '/login',
      setCookie: [],
      headers: {},
    }
    const redirected = await next.withSession(session(dead), () => calls.push('called'))(request())
    assert.equal(redirected.status, 307)
    assert.equal(calls.length, 1, 'the handler did not run for a dead session')
  })

  test('sessionProxy binds its options on the first request: invalid ones reject that request, not the import', async () => {
    const proxy = next.sessionProxy({ refreshUrl: 'not a url' })
    await assert.rejects(proxy(request()), { code: 'INVALID_OPTIONS', message: /refreshUrl/ })
  })

  test('sessionProxy with the engine: an anonymous page visit with requireSession goes to the login page', async () => {
    const proxy = next.sessionProxy({ refreshUrl: 'http://127.0.0.1:9/auth/refresh', requireSession: true })
    const response = await proxy(
      new NextRequest('http://127.0.0.1:3000/dashboard?tab=2', { headers: { accept: 'text/html' } }),
    )
    assert.equal(response.status, 307)
    const location = new URL(response.headers.get('location'))
    assert.equal(location.pathname, '/login')
    assert.equal(location.searchParams.get('next'), '/dashboard?tab=2')
  })
})
