// Against the real thing: Django REST framework + SimpleJWT with ROTATE_REFRESH_TOKENS and
// BLACKLIST_AFTER_ROTATION on, started on 127.0.0.1 from PyPI packages (testing/).

import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'

import { checkSession, refreshSession } from '../index.js'
import { startDjango } from './helpers/django.mjs'
import { jwt, parseSetCookies } from './helpers/tokens.mjs'

let backend
let options

before(async () => {
  backend = await startDjango({ accessLifetimeSeconds: 3 })
  options = { refreshUrl: `${backend.url}/auth/refresh` }
})
after(() => backend?.close())
beforeEach(() => backend.reset())

const page = (cookie, url = '/dashboard') => ({ url, headers: { cookie, host: '127.0.0.1:3000', accept: 'text/html' } })

async function whoAmI(access) {
  const response = await backend.request('GET', '/auth/me', { token: access })
  return { status: response.status, body: response.body }
}

test('a refresh with rotation writes both cookies and the new access token works', async () => {
  const { refresh } = await backend.login('alice', 'wonderland')
  const decision = await checkSession(page(`refresh_token=${refresh}; theme=dark`), options)
  assert.equal(decision.action, 'continue')
  assert.equal(decision.reason, 'refreshed')

  const cookies = parseSetCookies(decision.setCookie)
  assert.deepEqual(Object.keys(cookies).sort(), ['access_token', 'refresh_token'])
  assert.notEqual(cookies.refresh_token.value, refresh, 'SimpleJWT rotates the refresh token')
  assert.ok(Number(cookies.access_token.attributes['max-age']) <= 3)
  assert.ok(Number(cookies.refresh_token.attributes['max-age']) > 86000)
  assert.equal(decision.requestCookie, `refresh_token=${cookies.refresh_token.value}; theme=dark; access_token=${decision.accessToken}`)

  assert.deepEqual(await whoAmI(decision.accessToken), { status: 200, body: { username: 'alice', name: 'Alice' } })
  const stats = await backend.stats()
  assert.equal(stats.refresh_calls, 1)
  assert.equal(stats.refresh_ok, 1)

  // The old refresh token is blacklisted now; within graceSeconds this process still answers
  // with the result it already has, without asking the backend again.
  const again = await checkSession(page(`refresh_token=${refresh}`), options)
  assert.equal(again.accessToken, decision.accessToken)
  assert.equal((await backend.stats()).refresh_calls, 1)
  assert.equal((await backend.refresh(refresh)).status, 401)
})

test('an access token that really expired is refreshed on the next request', async () => {
  const { access, refresh } = await backend.login('alice', 'wonderland')
  const first = await checkSession(page(`access_token=${access}; refresh_token=${refresh}`), options)
  assert.equal(first.reason, 'valid', 'a 3-second token is fresh for its first half')

  const exp = JSON.parse(Buffer.from(access.split('.')[1], 'base64url')).exp
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 50))
  const decision = await checkSession(page(`access_token=${access}; refresh_token=${refresh}`), options)
  assert.equal(decision.reason, 'refreshed')
  assert.equal((await whoAmI(decision.accessToken)).status, 200)
  assert.equal((await backend.stats()).refresh_calls, 1)
})

test('a blacklisted refresh token ends in a redirect with both cookies deleted', async () => {
  const { refresh } = await backend.login('bob', 'builder')
  assert.equal(await backend.revokeAll('bob'), 1)
  const decision = await checkSession(page(`access_token=${jwt({ expiresIn: -10 })}; refresh_token=${refresh}`), options)
  assert.equal(decision.action, 'redirect')
  assert.equal(decision.reason, 'refresh_rejected')
  assert.equal(decision.status, 307)
  assert.equal(decision.location, 'http://127.0.0.1:3000/login?next=/dashboard')
  const cookies = parseSetCookies(decision.setCookie)
  assert.equal(cookies.access_token.attributes['max-age'], '0')
  assert.equal(cookies.refresh_token.attributes['max-age'], '0')
  assert.equal(decision.requestCookie, '')
  const stats = await backend.stats()
  assert.deepEqual([stats.refresh_calls, stats.refresh_rejected], [1, 1])
})

test('20 concurrent requests with the same expired session make exactly one refresh', async () => {
  const { refresh } = await backend.login('alice', 'wonderland')
  await backend.setRefreshDelay(150)
  const cookie = `access_token=${jwt({ expiresIn: -10 })}; refresh_token=${refresh}`
  const decisions = await Promise.all(Array.from({ length: 20 }, () => checkSession(page(cookie), options)))
  await backend.setRefreshDelay(0)

  const tokens = new Set(decisions.map((decision) => decision.accessToken))
  assert.equal(tokens.size, 1)
  for (const decision of decisions) {
    assert.equal(decision.action, 'continue')
    assert.equal(decision.reason, 'refreshed')
  }
  const stats = await backend.stats()
  assert.equal(stats.refresh_calls, 1)
  assert.equal(stats.refresh_max_concurrent, 1)
  assert.equal((await whoAmI([...tokens][0])).status, 200)
})

test('refreshSession against SimpleJWT: rotation, then REFRESH_REJECTED for a logged-out token', async () => {
  const { refresh } = await backend.login('alice', 'wonderland')
  const result = await refreshSession(refresh, { ...options, graceSeconds: 0 })
  assert.ok(result.refreshToken && result.refreshToken !== refresh)
  assert.equal(result.setCookie.length, 2)
  assert.equal((await backend.logout(result.refreshToken)).status, 200)
  await assert.rejects(refreshSession(result.refreshToken, options), (error) => {
    assert.equal(error.code, 'REFRESH_REJECTED')
    assert.match(error.message, /HTTP 401/)
    assert.ok(!error.message.includes(result.refreshToken))
    return true
  })
})

test('the backend down, then back: 503 keeps the cookies, then the session carries on', async () => {
  const { refresh } = await backend.login('alice', 'wonderland')
  const cookie = `access_token=${jwt({ expiresIn: -10 })}; refresh_token=${refresh}`
  await backend.stop()
  try {
    const down = await checkSession(page(cookie), options)
    assert.equal(down.action, 'unavailable')
    assert.equal(down.status, 503)
    assert.deepEqual(down.setCookie, [])
  } finally {
    await backend.start()
  }
  const back = await checkSession(page(cookie), options)
  assert.equal(back.reason, 'refreshed')
  assert.equal((await whoAmI(back.accessToken)).status, 200)
})
