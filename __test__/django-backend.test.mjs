// The real SimpleJWT test backend (testing/django) and its Node helper behave
// as the engine's integration tests assume.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { startDjango } from './helpers/django.mjs'

function decodeJwt(token) {
  const [, payload] = token.split('.')
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
}

describe('SimpleJWT test backend', { timeout: 120_000 }, () => {
  let dj

  before(async () => {
    dj = await startDjango({ accessLifetimeSeconds: 5 })
  })
  after(async () => {
    await dj?.close()
  })

  test('listens on 127.0.0.1 at the returned port', () => {
    assert.equal(dj.url, `http://127.0.0.1:${dj.port}`)
    assert.equal(dj.running, true)
  })

  test('login returns an access/refresh pair with the configured lifetime', async () => {
    const { access, refresh } = await dj.login('alice', 'wonderland')
    assert.equal(typeof access, 'string')
    assert.equal(typeof refresh, 'string')
    const a = decodeJwt(access)
    const r = decodeJwt(refresh)
    assert.equal(a.token_type, 'access')
    assert.equal(r.token_type, 'refresh')
    assert.equal(a.exp - a.iat, 5)
    assert.equal(r.exp - r.iat, 24 * 3600)
  })

  test('bad credentials are 401 and login() throws', async () => {
    const res = await dj.request('POST', '/auth/token', { body: { username: 'alice', password: 'nope' } })
    assert.equal(res.status, 401)
    await assert.rejects(dj.login('alice', 'nope'), /401/)
  })

  test('/auth/me and /api/items need a bearer token', async () => {
    const { access } = await dj.login('alice', 'wonderland')
    const me = await dj.request('GET', '/auth/me', { token: access })
    assert.equal(me.status, 200)
    assert.deepEqual(me.body, { username: 'alice', name: 'Alice' })
    const items = await dj.request('GET', '/api/items', { token: access })
    assert.equal(items.status, 200)
    assert.equal(items.body.user, 'alice')
    assert.ok(Array.isArray(items.body.items) && items.body.items.length > 0)

    const bob = await dj.login('bob', 'builder')
    const bobMe = await dj.request('GET', '/auth/me', { token: bob.access })
    assert.deepEqual(bobMe.body, { username: 'bob', name: 'Bob' })

    for (const p of ['/auth/me', '/api/items']) {
      const none = await dj.request('GET', p)
      assert.equal(none.status, 401, p)
      assert.equal(typeof none.body.detail, 'string')
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/)
      const bad = await dj.request('GET', p, { token: 'not.a.jwt' })
      assert.equal(bad.status, 401, p)
      assert.equal(bad.body.code, 'token_not_valid')
    }
  })

  test('refresh rotates, the old refresh is then rejected, stats count exactly', async () => {
    const { refresh } = await dj.login('alice', 'wonderland')
    await dj.reset()
    assert.deepEqual(
      pick(await dj.stats()),
      { refresh_calls: 0, refresh_ok: 0, refresh_rejected: 0 },
    )

    const first = await dj.refresh(refresh)
    assert.equal(first.status, 200)
    assert.equal(typeof first.body.access, 'string')
    assert.equal(typeof first.body.refresh, 'string')
    assert.notEqual(first.body.refresh, refresh)

    const again = await dj.refresh(refresh)
    assert.equal(again.status, 401)
    assert.equal(again.body.code, 'token_not_valid')

    const garbage = await dj.refresh('garbage')
    assert.equal(garbage.status, 401)
    const missing = await dj.request('POST', '/auth/refresh', { body: {} })
    assert.equal(missing.status, 400)

    // the rotated one still works
    const second = await dj.refresh(first.body.refresh)
    assert.equal(second.status, 200)

    assert.deepEqual(pick(await dj.stats()), { refresh_calls: 5, refresh_ok: 2, refresh_rejected: 3 })
    await dj.reset()
    assert.deepEqual(pick(await dj.stats()), { refresh_calls: 0, refresh_ok: 0, refresh_rejected: 0 })
  })

  test('concurrent refreshes are all counted', async () => {
    await dj.reset()
    const logins = await Promise.all([1, 2, 3, 4].map(() => dj.login('bob', 'builder')))
    const results = await Promise.all(logins.map((l) => dj.refresh(l.refresh)))
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200])
    const s = await dj.stats()
    assert.deepEqual(pick(s), { refresh_calls: 4, refresh_ok: 4, refresh_rejected: 0 })
    assert.equal(s.refresh_in_flight, 0)
  })

  test('refresh delay control slows /auth/refresh until reset', async () => {
    const { refresh } = await dj.login('alice', 'wonderland')
    await dj.setRefreshDelay(300)
    const t0 = Date.now()
    const r = await dj.refresh(refresh)
    assert.equal(r.status, 200)
    assert.ok(Date.now() - t0 >= 290, `took ${Date.now() - t0} ms`)
    await dj.reset()
    assert.equal((await dj.stats()).refresh_delay_ms, 0)
  })

  test('revokeAll blacklists every outstanding refresh token of the user', async () => {
    const a1 = await dj.login('alice', 'wonderland')
    const a2 = await dj.login('alice', 'wonderland')
    const b = await dj.login('bob', 'builder')
    const revoked = await dj.revokeAll('alice')
    assert.ok(revoked >= 2, `revoked ${revoked}`)
    assert.equal((await dj.refresh(a1.refresh)).status, 401)
    assert.equal((await dj.refresh(a2.refresh)).status, 401)
    assert.equal((await dj.refresh(b.refresh)).status, 200, 'other users are untouched')
    assert.equal(await dj.revokeAll('alice'), 0, 'nothing left to revoke')
    // access tokens are stateless: still accepted until they expire
    assert.equal((await dj.request('GET', '/auth/me', { token: a1.access })).status, 200)
    // a fresh login works again
    const a3 = await dj.login('alice', 'wonderland')
    assert.equal((await dj.refresh(a3.refresh)).status, 200)
    const unknown = await dj.request('POST', '/test/revoke', { body: { username: 'nobody' } })
    assert.equal(unknown.status, 404)
  })

  test('logout blacklists the refresh token', async () => {
    const { refresh } = await dj.login('alice', 'wonderland')
    const out = await dj.logout(refresh)
    assert.equal(out.status, 200)
    assert.equal((await dj.refresh(refresh)).status, 401)
    assert.equal((await dj.logout(refresh)).status, 401, 'second logout of the same token')
  })

  test('paths are exact: no trailing-slash redirects', async () => {
    const res = await dj.request('POST', '/auth/token/', { body: { username: 'alice', password: 'wonderland' } })
    assert.equal(res.status, 404)
  })

  test('stop() takes the server down; start() brings it back on the same port and DB', async () => {
    const { refresh } = await dj.login('alice', 'wonderland')
    const port = dj.port
    await dj.stop()
    assert.equal(dj.running, false)
    await assert.rejects(fetch(`${dj.url}/test/stats`, { signal: AbortSignal.timeout(2000) }))
    await dj.stop() // idempotent

    await dj.start()
    assert.equal(dj.running, true)
    assert.equal(dj.port, port)
    // same DB: users and outstanding tokens survived
    const r = await dj.refresh(refresh)
    assert.equal(r.status, 200)
    await dj.login('bob', 'builder')
    // counters are per server process
    assert.deepEqual(pick(await dj.stats()), { refresh_calls: 1, refresh_ok: 1, refresh_rejected: 0 })

    await dj.restart()
    assert.equal((await dj.refresh(r.body.refresh)).status, 200)
  })

  test('access tokens expire after accessLifetimeSeconds', { timeout: 20_000 }, async () => {
    // SimpleJWT floors iat/exp to whole seconds: a token lives between
    // lifetime-1 and lifetime seconds. 2 s leaves >= 1 s for the first check.
    const short = await startDjango({ accessLifetimeSeconds: 2 })
    try {
      assert.notEqual(short.port, dj.port)
      const { access } = await short.login('alice', 'wonderland')
      const { iat, exp } = decodeJwt(access)
      assert.equal(exp - iat, 2)
      assert.equal((await short.request('GET', '/auth/me', { token: access })).status, 200)
      await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 1100))
      const expired = await short.request('GET', '/auth/me', { token: access })
      assert.equal(expired.status, 401)
      assert.equal(expired.body.code, 'token_not_valid')
    } finally {
      await short.close()
    }
  })
})

function pick(s) {
  return { refresh_calls: s.refresh_calls, refresh_ok: s.refresh_ok, refresh_rejected: s.refresh_rejected }
}
