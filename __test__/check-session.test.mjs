// checkSession, refreshSession and createSession through the public API, against a programmable
// auth server on 127.0.0.1. Each test asserts the decision's values and what reached the server.

import { test, describe, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { once } from 'node:events'
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'

import { checkSession, refreshSession, createSession, Session } from '../index.js'
import { startAuthStub } from './helpers/auth-stub.mjs'
import { jwt, parseSetCookies, nowSeconds } from './helpers/tokens.mjs'

const execFileAsync = promisify(execFile)
let stub
let options

before(async () => {
  stub = await startAuthStub()
  options = { refreshUrl: stub.refreshUrl, accessCookie: 'at', refreshCookie: 'rt', timeoutMs: 2000 }
})
after(() => stub.close())

const request = (cookie, url = '/dashboard', extra = {}) => ({ url, headers: cookie ? { cookie, ...extra } : { ...extra } })
const ok = (access, refresh) => () => ({ status: 200, json: refresh ? { access, refresh } : { access } })

describe('the decision table', () => {
  test('a fresh access token continues without a refresh or a cookie', async () => {
    stub.respond(ok(jwt()))
    const access = jwt({ expiresIn: 600 })
    const decision = await checkSession(request(`at=${access}; rt=RT1`), options)
    assert.equal(decision.action, 'continue')
    assert.equal(decision.reason, 'valid')
    assert.equal(decision.accessToken, access)
    assert.equal(decision.expiresAt, JSON.parse(Buffer.from(access.split('.')[1], 'base64url')).exp)
    assert.deepEqual(decision.setCookie, [])
    assert.deepEqual(decision.headers, {})
    assert.equal(decision.requestCookie, undefined)
    assert.equal(stub.calls.length, 0)
  })

  test('an expired token is refreshed and the rest of the request sees the new one', async () => {
    const fresh = jwt({ expiresIn: 300, lifetime: 300 })
    stub.respond(ok(fresh))
    const decision = await checkSession(request(`at=${jwt({ expiresIn: -5 })}; rt=RT1; theme=dark`), options)
    assert.equal(decision.action, 'continue')
    assert.equal(decision.reason, 'refreshed')
    assert.equal(decision.requestCookie, `at=${fresh}; rt=RT1; theme=dark`)
    assert.equal(decision.accessToken, fresh)
    assert.equal(decision.headers['cache-control'], 'private, no-store')

    const cookies = parseSetCookies(decision.setCookie)
    assert.deepEqual(Object.keys(cookies), ['at'])
    assert.equal(cookies.at.value, fresh)
    assert.equal(cookies.at.attributes.httponly, true)
    assert.equal(cookies.at.attributes.secure, true)
    assert.equal(cookies.at.attributes.samesite, 'Lax')
    assert.equal(cookies.at.attributes.path, '/')
    assert.ok(Math.abs(Number(cookies.at.attributes['max-age']) - 300) <= 2, cookies.at.attributes['max-age'])

    assert.equal(stub.calls.length, 1)
    assert.equal(stub.calls[0].method, 'POST')
    assert.equal(stub.calls[0].headers['content-type'], 'application/json')
    assert.deepEqual(JSON.parse(stub.calls[0].body), { refresh: 'RT1' })
  })

  test('a rotated refresh token is written too, with Max-Age from its own exp', async () => {
    const access = jwt()
    const rotated = jwt({ type: 'refresh', expiresIn: 86400, lifetime: 86400 })
    stub.respond(ok(access, rotated))
    const decision = await checkSession(request(`rt=RT-rotate; theme=dark`), options)
    assert.equal(decision.reason, 'refreshed')
    assert.equal(decision.requestCookie, `rt=${rotated}; theme=dark; at=${access}`)
    const cookies = parseSetCookies(decision.setCookie)
    assert.equal(cookies.rt.value, rotated)
    assert.ok(Math.abs(Number(cookies.rt.attributes['max-age']) - 86400) <= 2)
  })

  test('an expiring but valid token survives an auth server outage', async () => {
    stub.respond(() => ({ status: 502, body: 'bad gateway' }))
    const access = jwt({ expiresIn: 20 })
    const decision = await checkSession(request(`at=${access}; rt=RT-expiring`), options)
    assert.equal(decision.action, 'continue')
    assert.equal(decision.reason, 'refresh_unavailable')
    assert.equal(decision.accessToken, access)
    assert.deepEqual(decision.setCookie, [])
    assert.equal(stub.calls.length, 1)
  })

  test('a 503 from the auth server with an expired token is a 503 decision that keeps every cookie', async () => {
    stub.respond(() => ({ status: 503, json: { detail: 'down' }, headers: { 'retry-after': '12' } }))
    const decision = await checkSession(request(`at=${jwt({ expiresIn: -1 })}; rt=RT-503`), options)
    assert.equal(decision.action, 'unavailable')
    assert.equal(decision.reason, 'refresh_unavailable')
    assert.equal(decision.status, 503)
    assert.equal(decision.headers['retry-after'], '12')
    assert.deepEqual(decision.setCookie, [])
    assert.equal(decision.requestCookie, undefined)
    assert.equal(decision.location, undefined)
  })

  test('a rejected refresh redirects to login on the same origin and deletes both cookies', async () => {
    stub.respond(() => ({ status: 401, json: { detail: 'Token is blacklisted', code: 'token_not_valid' } }))
    const decision = await checkSession(
      { url: '/dashboard?tab=2', headers: { cookie: `at=${jwt({ expiresIn: -1 })}; rt=RT-dead; theme=dark`, host: 'app.test:3000', accept: 'text/html' } },
      options,
    )
    assert.equal(decision.action, 'redirect')
    assert.equal(decision.reason, 'refresh_rejected')
    assert.equal(decision.status, 307)
    assert.equal(decision.location, 'http://app.test:3000/login?next=/dashboard%3Ftab%3D2')
    assert.equal(decision.requestCookie, 'theme=dark')
    const cookies = parseSetCookies(decision.setCookie)
    assert.deepEqual(Object.keys(cookies).sort(), ['at', 'rt'])
    for (const cookie of Object.values(cookies)) {
      assert.equal(cookie.value, '')
      assert.equal(cookie.attributes['max-age'], '0')
      assert.equal(cookie.attributes.path, '/')
      assert.equal(cookie.attributes.secure, true)
      assert.equal(cookie.attributes.samesite, 'Lax')
    }
  })

  test('the login page with a dead session continues, deletes the cookies and never redirects', async () => {
    stub.respond(() => ({ status: 401, json: { detail: 'Token is invalid or expired' } }))
    const decision = await checkSession(request(`at=${jwt({ expiresIn: -1 })}; rt=RT-dead2`, '/login'), options)
    assert.equal(decision.action, 'continue')
    assert.equal(decision.reason, 'refresh_rejected')
    assert.equal(decision.location, undefined)
    assert.equal(decision.status, undefined)
    assert.equal(decision.setCookie.length, 2)
    assert.ok(decision.setCookie.every((value) => value.includes('Max-Age=0')))
  })

  test('an expired token with no refresh token is dropped and the request is anonymous', async () => {
    const decision = await checkSession(request(`theme=dark; at=${jwt({ expiresIn: -30 })}`), options)
    assert.equal(decision.action, 'continue')
    assert.equal(decision.reason, 'anonymous')
    assert.deepEqual(decision.setCookie, ['at=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0'])
    assert.equal(decision.requestCookie, 'theme=dark')
  })

  test('no session: continue, or 401 for /api with requireSession', async () => {
    const anonymous = await checkSession(request(''), options)
    assert.deepEqual([anonymous.action, anonymous.reason, anonymous.setCookie], ['continue', 'anonymous', []])

    const strict = { ...options, requireSession: true }
    const api = await checkSession(request('', '/api/orders'), strict)
    assert.equal(api.action, 'unauthorized')
    assert.equal(api.status, 401)
    assert.equal(api.location, undefined)

    const page = await checkSession(request('theme=dark', '/orders'), strict)
    assert.equal(page.action, 'redirect')
    assert.equal(page.location, '/login?next=/orders')
  })

  test('server actions, prefetches and non-HTML requests get 401 instead of a redirect', async () => {
    const strict = { ...options, requireSession: true }
    const cases = [
      { method: 'POST', headers: {} },
      { headers: new Headers({ 'next-action': 'a1b2' }) },
      { headers: { 'next-router-prefetch': '1' } },
      { headers: { 'sec-purpose': 'prefetch' } },
      { headers: { accept: 'application/json' } },
    ]
    for (const { method, headers } of cases) {
      const decision = await checkSession({ url: '/orders', method, headers }, strict)
      assert.equal(decision.action, 'unauthorized', JSON.stringify({ method, headers: [...new Headers(headers)] }))
    }
    const navigation = await checkSession({ url: '/orders', headers: { accept: 'text/html,*/*' } }, strict)
    assert.equal(navigation.action, 'redirect')
  })

  test('publicPaths match on segment boundaries and never answer 503', async () => {
    stub.respond(() => ({ status: 500 }))
    const withPublic = { ...options, publicPaths: ['/docs'] }
    const publicPage = await checkSession(request(`rt=RT-pub`, '/docs/intro'), withPublic)
    assert.deepEqual([publicPage.action, publicPage.reason], ['continue', 'refresh_unavailable'])
    const lookalike = await checkSession(request(`rt=RT-pub`, '/docsearch'), withPublic)
    assert.equal(lookalike.action, 'unavailable')
  })
})

describe('request shapes', () => {
  test('a Headers instance, a plain object and a cookie array give the same decision', async () => {
    const access = jwt({ expiresIn: 600 })
    const cookie = `a=1; at=${access}; rt=RT1`
    const plain = await checkSession({ url: '/', headers: { cookie } }, options)
    const instance = await checkSession({ url: 'https://app.test/', headers: new Headers({ cookie }) }, options)
    const array = await checkSession({ url: '/', headers: { cookie: ['a=1', `at=${access}`, 'rt=RT1'] } }, options)
    for (const decision of [plain, instance, array]) {
      assert.equal(decision.reason, 'valid')
      assert.equal(decision.accessToken, access)
    }
  })

  test('the JavaScript fast path and the full native path give identical decisions', async () => {
    // A non-ASCII cookie makes the fast path step aside, so the same request runs both ways.
    const access = jwt({ expiresIn: 600 })
    const session = createSession(options)
    const fast = await session.checkSession(request(`at=${access}; rt=RT1`))
    const full = await session.checkSession(request(`at=${access}; rt=RT1; name=Zoë`))
    assert.deepEqual(Object.keys(fast), Object.keys(full))
    assert.deepEqual(fast, full)
    assert.equal(fast.accessToken, access)
    const quoted = await session.checkSession(request(`a=1;  at="${access}"`))
    assert.equal(quoted.accessToken, access)
    assert.equal(Object.getOwnPropertyNames(Session.prototype).includes('__engineHandle'), false)
  })

  test('a decision that needs no refresh is already settled when it is returned', async () => {
    let settled = false
    checkSession(request(`at=${jwt({ expiresIn: 600 })}`), options).then(() => (settled = true))
    await Promise.resolve()
    await Promise.resolve()
    assert.equal(settled, true)
  })

  test('unusable requests reject with INVALID_REQUEST, never throw synchronously', async () => {
    const bad = [null, 'GET /', { headers: {} }, { url: 42, headers: {} }, { url: '/' }, { url: 'dashboard', headers: {} }, { url: '/', method: 1, headers: {} }]
    for (const input of bad) {
      const promise = checkSession(input, options)
      assert.ok(promise instanceof Promise)
      await assert.rejects(promise, (error) => error.code === 'INVALID_REQUEST' && /request/.test(error.message), JSON.stringify(input))
    }
  })

  test('malformed cookies are read like a browser would, not rejected', async () => {
    const access = jwt({ expiresIn: 600 })
    const decision = await checkSession(request(`;;junk; =x; at="${access}"; at=second`), options)
    assert.equal(decision.accessToken, access)
    const garbage = await checkSession(request(`at=%%%not.a.jwt%%%`), options)
    assert.equal(garbage.reason, 'valid', 'an unreadable token is opaque: the API judges it')
  })
})

describe('options', () => {
  const invalid = async (opts, pattern) =>
    assert.rejects(checkSession(request(''), opts), (error) => error.code === 'INVALID_OPTIONS' && pattern.test(error.message), pattern.source)

  test('wrong options reject with INVALID_OPTIONS naming the field', async () => {
    await invalid({ refreshURL: stub.refreshUrl }, /unknown option 'refreshURL'/)
    await invalid({ ...options, timeoutMs: '5000' }, /^timeoutMs must be a number/)
    await invalid({ ...options, timeoutMs: -1 }, /^timeoutMs/)
    await invalid({ ...options, loginPath: 'https://evil.test/login' }, /^loginPath/)
    await invalid({ ...options, publicPaths: '/docs' }, /^publicPaths must be an array/)
    await invalid({ ...options, cookie: { sameSite: 'none', secure: false } }, /Secure/)
    await invalid({ ...options, cookie: { samesite: 'lax' } }, /unknown option 'cookie.samesite'/)
    await invalid({ ...options, protocol: 'soap' }, /^protocol/)
    await invalid({ refreshUrl: 'not a url' }, /^refreshUrl must be an absolute/)
    await invalid(42, /^options must be an object/)
  })

  test('createSession validates at once and throws synchronously', () => {
    assert.throws(() => createSession({ ...options, graceSeconds: -1 }), (error) => error.code === 'INVALID_OPTIONS' && /^graceSeconds/.test(error.message))
    assert.ok(createSession(options) instanceof Session)
  })

  test('refreshUrl defaults to API_BASE_URL/auth/refresh', async () => {
    const access = jwt()
    stub.respond(ok(access))
    const script = (body) => ['--input-type=module', '-e', `import * as glyde from ${JSON.stringify(new URL('../index.js', import.meta.url).href)};\n${body}`]
    // Asynchronous: the stub answers from this process's event loop.
    const fromEnv = await execFileAsync(process.execPath, script(`
      const result = await glyde.refreshSession('RT-env');
      console.log(result.accessToken);
      const fresh = await glyde.checkSession({ url: '/', headers: { cookie: 'access_token=' + result.accessToken } });
      console.log(fresh.reason);
      const refreshed = await glyde.checkSession({ url: '/', headers: { cookie: 'refresh_token=RT-env2' } });
      console.log(refreshed.reason);
    `), { env: { ...process.env, API_BASE_URL: `${stub.url}/` } })
    assert.deepEqual(fromEnv.stdout.trim().split('\n'), [access, 'valid', 'refreshed'])
    assert.equal(stub.calls.length, 2)
    assert.deepEqual(stub.calls.map((call) => call.url), ['/auth/refresh', '/auth/refresh'])

    const withoutBase = await execFileAsync(process.execPath, script(`
      await glyde.checkSession({ url: '/', headers: {} }).catch((e) => console.log(e.code, e.message));
    `), { env: { ...process.env, API_BASE_URL: '' } })
    assert.match(withoutBase.stdout, /^INVALID_OPTIONS refreshUrl is required/)
  })
})

describe('the refresh exchange', () => {
  test('a timeout is unavailable, within timeoutMs', async () => {
    stub.respond(() => ({ status: 200, json: { access: jwt() }, delayMs: 1500 }))
    const started = Date.now()
    const decision = await checkSession(request(`rt=RT-slow`), { ...options, timeoutMs: 200 })
    assert.equal(decision.action, 'unavailable')
    assert.ok(Date.now() - started < 1400, `took ${Date.now() - started} ms`)
    await assert.rejects(refreshSession('RT-slow2', { ...options, timeoutMs: 200 }), (error) => error.code === 'REFRESH_UNAVAILABLE' && /timeoutMs \(200 ms\)/.test(error.message))
  })

  test('a dropped connection and a closed port are unavailable', async () => {
    stub.respond(() => ({ destroy: true }))
    await assert.rejects(refreshSession('RT-drop', options), { code: 'REFRESH_UNAVAILABLE' })
    const closed = http.createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const port = closed.address().port
    closed.close()
    await assert.rejects(refreshSession('RT-closed', { ...options, refreshUrl: `http://127.0.0.1:${port}/r` }), { code: 'REFRESH_UNAVAILABLE' })
  })

  test('429 is unavailable; 400/401/403 are rejected', async () => {
    stub.respond(() => ({ status: 429, headers: { 'retry-after': '3' } }))
    await assert.rejects(refreshSession('RT-429', options), { code: 'REFRESH_UNAVAILABLE' })
    for (const status of [400, 401, 403]) {
      stub.respond(() => ({ status, json: { detail: 'no' } }))
      await assert.rejects(refreshSession(`RT-${status}`, options), (error) => error.code === 'REFRESH_REJECTED' && error.message.includes(String(status)))
    }
  })

  test('redirects are never followed', async () => {
    const elsewhere = await startAuthStub(ok(jwt()))
    stub.respond(() => ({ status: 307, headers: { location: elsewhere.refreshUrl } }))
    await assert.rejects(refreshSession('RT-redirect', options), (error) => error.code === 'REFRESH_BAD_RESPONSE' && /redirects are not followed/.test(error.message))
    assert.equal(stub.calls.length, 1)
    assert.equal(elsewhere.calls.length, 0, 'the refresh token travelled to another server')
    const decision = await checkSession(request(`at=${jwt({ expiresIn: -1 })}; rt=RT-redirect2`), options)
    assert.equal(decision.action, 'unavailable', 'a broken answer logs nobody out')
    assert.deepEqual(decision.setCookie, [])
    await elsewhere.close()
  })

  test('broken answers are REFRESH_BAD_RESPONSE and never echo a token', async () => {
    const secret = 'SECRET-TOKEN-VALUE'
    const answers = [
      { status: 200, body: '<html>login</html>' },
      { status: 200, json: { token: 'x' } },
      { status: 200, json: { access: `has space ${secret}` } },
      { status: 200, json: { access: 'A', refresh: `semi;colon${secret}` } },
      { status: 200, json: { access: 'a'.repeat(5000) } },
      { status: 200, body: JSON.stringify({ access: 'A', pad: 'x'.repeat(70 * 1024) }) },
      { status: 404, body: 'not found' },
    ]
    for (const answer of answers) {
      stub.respond(() => answer)
      await assert.rejects(refreshSession(`RT-${secret}`, options), (error) => {
        assert.equal(error.code, 'REFRESH_BAD_RESPONSE', JSON.stringify(answer).slice(0, 80))
        assert.ok(!error.message.includes(secret), error.message)
        return true
      })
    }
  })

  test('refreshSession resolves with tokens and the cookies that store them', async () => {
    const access = jwt({ expiresIn: 120, lifetime: 120 })
    stub.respond(ok(access, 'opaque-rotated'))
    const result = await refreshSession('RT-direct', options)
    assert.equal(result.accessToken, access)
    assert.equal(result.refreshToken, 'opaque-rotated')
    assert.ok(Math.abs(result.expiresAt - (nowSeconds() + 120)) <= 2)
    const cookies = parseSetCookies(result.setCookie)
    assert.equal(cookies.at.value, access)
    assert.equal(cookies.rt.value, 'opaque-rotated')
    assert.equal(cookies.rt.attributes['max-age'], undefined, 'an opaque refresh token has no known lifetime')
    await assert.rejects(refreshSession('', options), { code: 'INVALID_REQUEST' })
  })

  test('oauth2: form body, client credentials by HTTP Basic, invalid_grant rejected', async () => {
    const oauth = { ...options, protocol: 'oauth2', clientId: 'web app', clientSecret: 's3cr:t' }
    stub.respond(() => ({ status: 200, json: { access_token: 'AT2', refresh_token: 'RT3', expires_in: 3600, token_type: 'Bearer' } }))
    const result = await refreshSession('RT+/=2', oauth)
    assert.deepEqual([result.accessToken, result.refreshToken], ['AT2', 'RT3'])
    assert.ok(Math.abs(result.expiresAt - (nowSeconds() + 3600)) <= 2)
    const call = stub.calls[0]
    assert.equal(call.headers['content-type'], 'application/x-www-form-urlencoded')
    assert.deepEqual(Object.fromEntries(new URLSearchParams(call.body)), { grant_type: 'refresh_token', refresh_token: 'RT+/=2' })
    assert.equal(call.headers.authorization, `Basic ${Buffer.from('web+app:s3cr%3At').toString('base64')}`)

    stub.respond(() => ({ status: 200, json: { access_token: 'AT2' } }))
    await refreshSession('RT-public', { ...options, protocol: 'oauth2', clientId: 'spa' })
    assert.equal(new URLSearchParams(stub.calls[0].body).get('client_id'), 'spa')
    assert.equal(stub.calls[0].headers.authorization, undefined)

    stub.respond(() => ({ status: 400, json: { error: 'invalid_grant' } }))
    await assert.rejects(refreshSession('RT-grant', oauth), { code: 'REFRESH_REJECTED' })
    stub.respond(() => ({ status: 401, json: { error: 'invalid_client' } }))
    await assert.rejects(refreshSession('RT-client', oauth), { code: 'REFRESH_BAD_RESPONSE' })
  })
})

describe('single flight', () => {
  beforeEach(() => stub.respond(() => ({ status: 503 })))

  test('20 concurrent requests with one expired session make one refresh and all continue', async () => {
    const fresh = jwt()
    stub.respond(() => ({ status: 200, json: { access: fresh, refresh: 'RT-next' }, delayMs: 100 }))
    const cookie = `at=${jwt({ expiresIn: -5 })}; rt=RT-burst`
    const decisions = await Promise.all(Array.from({ length: 20 }, () => checkSession(request(cookie), options)))
    assert.equal(stub.calls.length, 1)
    for (const decision of decisions) {
      assert.equal(decision.reason, 'refreshed')
      assert.equal(decision.accessToken, fresh)
    }
  })

  test('a success is reused within graceSeconds, then a new refresh is made', async () => {
    stub.respond(() => ({ status: 200, json: { access: jwt() } }))
    const graceful = { ...options, graceSeconds: 0.3 }
    const first = await checkSession(request('rt=RT-grace'), graceful)
    const second = await checkSession(request('rt=RT-grace'), graceful)
    assert.equal(stub.calls.length, 1)
    assert.equal(second.accessToken, first.accessToken)
    await new Promise((resolve) => setTimeout(resolve, 400))
    await checkSession(request('rt=RT-grace'), graceful)
    assert.equal(stub.calls.length, 2)
  })

  test('a failure is not remembered once it has landed', async () => {
    await checkSession(request('rt=RT-flaky'), options)
    stub.respond(() => ({ status: 200, json: { access: jwt() } }))
    const decision = await checkSession(request('rt=RT-flaky'), options)
    assert.equal(decision.reason, 'refreshed')
    assert.equal(stub.calls.length, 1)
  })

  test('different refresh tokens never share a result, even at the same moment', async () => {
    let counter = 0
    stub.respond(({ body }) => ({ status: 200, json: { access: `AT-for-${JSON.parse(body).refresh}-${counter++}` }, delayMs: 50 }))
    const [a, b] = await Promise.all([checkSession(request('rt=RT-a'), options), checkSession(request('rt=RT-b'), options)])
    assert.match(a.accessToken, /^AT-for-RT-a-/)
    assert.match(b.accessToken, /^AT-for-RT-b-/)
    assert.equal(stub.calls.length, 2)
  })

  test('a Session from createSession shares the cache with top-level calls using equal options', async () => {
    stub.respond(() => ({ status: 200, json: { access: jwt() }, delayMs: 50 }))
    const session = createSession({ ...options })
    const [viaSession, viaTopLevel] = await Promise.all([
      session.checkSession(request('rt=RT-shared')),
      checkSession(request('rt=RT-shared'), { ...options }),
    ])
    assert.equal(stub.calls.length, 1)
    assert.equal(viaSession.accessToken, viaTopLevel.accessToken)
  })
})

test('debug lines say what was decided and never print a token', () => {
  const token = jwt({ expiresIn: 600 })
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', `
    import { checkSession } from ${JSON.stringify(new URL('../index.js', import.meta.url).href)};
    await checkSession({ url: '/dashboard?secret=q', headers: { cookie: 'access_token=${token}' } }, { refreshUrl: 'http://127.0.0.1:9/r' });
  `], { env: { ...process.env, GLYDE_SESSION_DEBUG: '1' }, encoding: 'utf8' })
  assert.equal(child.status, 0, child.stderr)
  assert.match(child.stderr, /glyde-session: \/dashboard -> continue \(valid\)/)
  assert.ok(!child.stderr.includes(token.slice(20, 60)))
  assert.ok(!child.stderr.includes('secret=q'))
  const silent = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))}).checkSession({ url: '/', headers: {} }, { refreshUrl: 'http://127.0.0.1:9/r' })`], { encoding: 'utf8' })
  assert.equal(silent.stderr, '')
})
