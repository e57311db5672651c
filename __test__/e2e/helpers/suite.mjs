// The browser scenarios of issue 3, run against one way of serving the example app: a real
// SimpleJWT backend (access tokens live ACCESS_LIFETIME seconds), the app, and headless Chromium.
// Every test logs in afresh in its own browser context and resets the backend's counters before
// the step it counts.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { startDjango } from '../../helpers/django.mjs'
import { chromiumPath, launchChromium } from './chromium.mjs'
import { startApp } from './servers.mjs'

const USER = { username: 'alice', password: 'wonderland', name: 'Alice' }
const ACCESS = 'access_token'
const REFRESH = 'refresh_token'
const ACCESS_LIFETIME = 5
const PARALLEL = 10

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function cookieJar(context) {
  return Object.fromEntries((await context.cookies()).map((cookie) => [cookie.name, cookie]))
}

/** `name=value; A=b; Flag` -> { name, value, attributes: { a: 'b', flag: true } } */
function parseSetCookie(header) {
  const [pair, ...parts] = header.split(';')
  const eq = pair.indexOf('=')
  const attributes = {}
  for (const part of parts) {
    const [key, ...rest] = part.trim().split('=')
    attributes[key.toLowerCase()] = rest.length ? rest.join('=') : true
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes }
}

async function setCookies(response) {
  return (await response.headersArray())
    .filter((header) => header.name.toLowerCase() === 'set-cookie')
    .flatMap((header) => header.value.split('\n'))
    .map(parseSetCookie)
}

function assertSessionCookie(cookie, name) {
  assert.ok(cookie, `the browser holds ${name}`)
  assert.equal(cookie.httpOnly, true, `${name} is HttpOnly`)
  assert.equal(cookie.secure, true, `${name} is Secure`)
  assert.equal(cookie.sameSite, 'Lax', `${name} is SameSite=Lax`)
  assert.equal(cookie.path, '/', `${name} has Path=/`)
}

function assertNoSessionCookies(jar) {
  assert.equal(jar[ACCESS], undefined, `${ACCESS} is gone`)
  assert.equal(jar[REFRESH], undefined, `${REFRESH} is gone`)
}

function assertLoginRedirect(url, next) {
  const target = new URL(url)
  assert.equal(target.pathname, '/login')
  assert.equal(target.searchParams.get('next'), next)
}

/**
 * Wait until the access token has expired. Its cookie's Max-Age is the token's time left, so the
 * browser drops it then; the next request carries the refresh token alone.
 */
async function waitPastExpiry(context) {
  const { [ACCESS]: access } = await cookieJar(context)
  assert.ok(access, `the browser holds ${ACCESS} before the wait`)
  assert.ok(access.expires > 0, `${ACCESS} has an expiry (Max-Age), got ${access.expires}`)
  await sleep(Math.max(0, access.expires * 1000 - Date.now()) + 500)
  assert.equal((await cookieJar(context))[ACCESS], undefined, `the browser dropped the expired ${ACCESS}`)
}

/**
 * @param {{
 *   title: string,
 *   prepare: () => Promise<string>,
 *   mode: 'next-start' | 'custom-server',
 *   proxy: boolean,
 * }} target `prepare` builds the app and returns its directory; `proxy`: the app's own proxy
 *   logic runs (false under the custom server, where glyde-session/node checks the session)
 */
export function sessionSuite({ title, prepare, mode, proxy }) {
  describe(title, () => {
    let django
    let app
    let browser
    const contexts = []

    before(async () => {
      chromiumPath() // fail at once, with the install command, when there is no browser
      const dir = await prepare()
      django = await startDjango({ accessLifetimeSeconds: ACCESS_LIFETIME })
      app = await startApp({ dir, mode, apiBaseUrl: django.url })
      browser = await launchChromium()
    })

    after(async () => {
      await browser?.close()
      await app?.stop()
      await django?.close()
    })

    /** A test that shows the app's output when it fails. */
    function scenario(name, fn) {
      test(name, async () => {
        try {
          await fn()
        } catch (err) {
          err.message += `\n--- app output (tail) ---\n${app?.output() ?? '(not started)'}`
          throw err
        } finally {
          for (const context of contexts.splice(0)) await context.close().catch(() => {})
        }
      })
    }

    async function newPage() {
      const context = await browser.newContext({ baseURL: app.url })
      contexts.push(context)
      return { context, page: await context.newPage() }
    }

    async function logIn(page, next = '/dashboard') {
      await page.goto(`/login?next=${encodeURIComponent(next)}`)
      await page.fill('input[name=username]', USER.username)
      await page.fill('input[name=password]', USER.password)
      await Promise.all([page.waitForURL((url) => url.pathname === next), page.click('button[type=submit]')])
      assert.equal(await page.getByTestId('user-name').textContent(), USER.name)
    }

    async function signedIn() {
      const { context, page } = await newPage()
      await logIn(page)
      return { context, page }
    }

    async function assertDashboard(response, page) {
      assert.equal(response.status(), 200, `GET ${response.url()} answered ${response.status()}`)
      assert.match(await response.text(), new RegExp(`data-testid="user-name">${USER.name}<`))
      if (page) assert.equal(await page.getByTestId('user-name').textContent(), USER.name)
    }

    scenario('log in: anonymous visitors go to /login, and the dashboard shows the user name', async () => {
      const { context, page } = await newPage()

      const response = await page.goto('/dashboard')
      const redirect = await response.request().redirectedFrom()?.response()
      assert.equal(redirect?.status(), 307)
      assertLoginRedirect(page.url(), '/dashboard')
      assert.equal(response.status(), 200)

      await page.fill('input[name=username]', USER.username)
      await page.fill('input[name=password]', USER.password)
      await Promise.all([page.waitForURL('**/dashboard'), page.click('button[type=submit]')])
      assert.equal(await page.getByTestId('user-name').textContent(), USER.name)
      assert.equal(await page.getByTestId('username').textContent(), USER.username)

      const jar = await cookieJar(context)
      assertSessionCookie(jar[ACCESS], ACCESS)
      assertSessionCookie(jar[REFRESH], REFRESH)
    })

    scenario(
      'after expiry the dashboard renders in the same response with a refreshed token, the browser holds the new cookies, one refresh',
      async () => {
        const { context, page } = await signedIn()
        const old = await cookieJar(context)
        await waitPastExpiry(context)
        await django.reset()

        const response = await page.goto('/dashboard')
        assert.equal(response.request().redirectedFrom()?.url() ?? null, null, 'no redirect on the way')
        await assertDashboard(response, page)

        const written = await setCookies(response)
        assert.deepEqual(written.map((c) => c.name).sort(), [ACCESS, REFRESH])
        for (const cookie of written) {
          assert.equal(cookie.attributes.httponly, true)
          assert.equal(cookie.attributes.secure, true)
          assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'lax')
          assert.equal(cookie.attributes.path, '/')
        }
        const accessMaxAge = Number(written.find((c) => c.name === ACCESS).attributes['max-age'])
        assert.ok(accessMaxAge > 0 && accessMaxAge <= ACCESS_LIFETIME, `access Max-Age ${accessMaxAge}`)
        assert.match(response.headers()['cache-control'] ?? '', /private/)
        assert.match(response.headers()['cache-control'] ?? '', /no-store/)

        const jar = await cookieJar(context)
        assertSessionCookie(jar[ACCESS], ACCESS)
        assertSessionCookie(jar[REFRESH], REFRESH)
        assert.equal(jar[ACCESS].value, written.find((c) => c.name === ACCESS).value)
        assert.notEqual(jar[REFRESH].value, old[REFRESH].value, 'the refresh token was rotated')
        assert.equal(jar[REFRESH].value, written.find((c) => c.name === REFRESH).value)

        const stats = await django.stats()
        assert.equal(stats.refresh_calls, 1)
        assert.equal(stats.refresh_ok, 1)
      },
    )

    scenario(
      `after expiry ${PARALLEL} parallel fetches from the page all succeed with one refresh`,
      async () => {
        const { context, page } = await signedIn()
        await waitPastExpiry(context)
        await django.reset()

        const results = await page.evaluate(async (count) => {
          const one = async () => {
            const response = await fetch('/api/proxy/auth/me', { headers: { accept: 'application/json' } })
            return { status: response.status, body: await response.json() }
          }
          return Promise.all(Array.from({ length: count }, one))
        }, PARALLEL)

        assert.deepEqual(
          results.map((r) => [r.status, r.body.name]),
          Array.from({ length: PARALLEL }, () => [200, USER.name]),
        )
        const stats = await django.stats()
        assert.equal(stats.refresh_calls, 1)
        assert.equal(stats.refresh_ok, 1)
        assertSessionCookie((await cookieJar(context))[ACCESS], ACCESS)
      },
    )

    scenario(
      `after expiry ${PARALLEL} parallel page loads all succeed with one refresh, and nobody is logged out by the rotation`,
      async () => {
        const { context, page } = await signedIn()
        await waitPastExpiry(context)
        await django.reset()

        const pages = await Promise.all(Array.from({ length: PARALLEL }, () => context.newPage()))
        const responses = await Promise.all(pages.map((p) => p.goto('/dashboard')))
        for (const [i, response] of responses.entries()) await assertDashboard(response, pages[i])

        let stats = await django.stats()
        assert.equal(stats.refresh_calls, 1)
        assert.equal(stats.refresh_ok, 1)
        // Every response that rotated the refresh token handed out the same new one.
        const rotated = new Set()
        for (const response of responses) {
          for (const cookie of await setCookies(response))
            if (cookie.name === REFRESH) rotated.add(cookie.value)
        }
        assert.equal(rotated.size, 1, `one rotated refresh token, got ${rotated.size}`)
        const jar = await cookieJar(context)
        assert.equal(jar[REFRESH].value, [...rotated][0])
        await Promise.all(pages.map((p) => p.close()))

        // The session goes on: the browser's refresh token is the live one.
        await waitPastExpiry(context)
        await django.reset()
        await assertDashboard(await page.goto('/dashboard'), page)
        stats = await django.stats()
        assert.equal(stats.refresh_ok, 1)
        assert.equal(stats.refresh_rejected, 0)
      },
    )

    scenario(
      'a blacklisted refresh token: the next navigation lands on /login?next=/dashboard and both cookies are gone',
      async () => {
        const { context, page } = await signedIn()
        assert.ok((await django.revokeAll(USER.username)) >= 1, 'the backend blacklisted the session')
        await waitPastExpiry(context)
        await django.reset()

        const response = await page.goto('/dashboard')
        const redirect = await response.request().redirectedFrom()?.response()
        assert.equal(redirect?.status(), 307)
        assertLoginRedirect(new URL(redirect.headers().location, app.url).href, '/dashboard')
        const deleted = await setCookies(redirect)
        assert.deepEqual(deleted.map((c) => c.name).sort(), [ACCESS, REFRESH])
        for (const cookie of deleted) assert.equal(cookie.attributes['max-age'], '0')

        assert.equal(response.status(), 200, 'the login page renders: no redirect loop')
        assertLoginRedirect(page.url(), '/dashboard')
        assertNoSessionCookies(await cookieJar(context))
        const stats = await django.stats()
        assert.equal(stats.refresh_calls, 1)
        assert.equal(stats.refresh_rejected, 1)
      },
    )

    scenario(
      'a dead session: a browser fetch to /api/proxy gets 401 JSON, and the passenger client goes to /login',
      async () => {
        const { context, page } = await signedIn()
        await django.revokeAll(USER.username)
        await waitPastExpiry(context)
        await django.reset()

        const result = await page.evaluate(async () => {
          const response = await fetch('/api/proxy/api/items')
          return {
            status: response.status,
            redirected: response.redirected,
            type: response.headers.get('content-type'),
            body: await response.text(),
          }
        })
        assert.equal(result.status, 401)
        assert.equal(result.redirected, false)
        assert.match(result.type ?? '', /^application\/json/)
        assert.deepEqual(JSON.parse(result.body), { error: 'unauthorized' })
        assertNoSessionCookies(await cookieJar(context))
        assert.equal((await django.stats()).refresh_rejected, 1)

        // The dashboard's "Load my items" goes through the passenger client.
        await Promise.all([
          page.waitForURL((url) => url.pathname === '/login'),
          page.getByTestId('load-items').click(),
        ])
        assertLoginRedirect(page.url(), '/dashboard')
      },
    )

    scenario(
      'the backend is down: pages answer 503 and the browser keeps its cookies; back up: the user carries on',
      async () => {
        const { context, page } = await signedIn()
        const old = await cookieJar(context)

        await django.stop()
        try {
          await waitPastExpiry(context)
          const response = await page.goto('/dashboard')
          assert.equal(response.status(), 503)
          assert.ok(response.headers()['retry-after'], 'retry-after is set')
          assert.deepEqual(JSON.parse(await response.text()), { error: 'unavailable' })
          assert.deepEqual(await setCookies(response), [], 'no cookie written or deleted')
          const jar = await cookieJar(context)
          assert.equal(jar[REFRESH]?.value, old[REFRESH].value, 'the browser keeps its refresh token')
        } finally {
          await django.start()
        }

        await assertDashboard(await page.goto('/dashboard'), page)
        const stats = await django.stats() // counters start at zero with the restarted backend
        assert.equal(stats.refresh_ok, 1)
        assert.equal(stats.refresh_rejected, 0)
      },
    )

    if (proxy) {
      scenario('composed proxy logic: /me rewrites to the dashboard with the refreshed cookie', async () => {
        const { context, page } = await signedIn()
        await waitPastExpiry(context)
        await django.reset()

        const response = await page.goto('/me')
        assert.equal(response.request().redirectedFrom()?.url() ?? null, null)
        assert.equal(new URL(page.url()).pathname, '/me')
        await assertDashboard(response, page)
        assert.deepEqual((await setCookies(response)).map((c) => c.name).sort(), [ACCESS, REFRESH])
        assert.equal((await django.stats()).refresh_calls, 1)
      })
    }

    scenario(
      'after expiry a server action that sets its own cookie keeps the refreshed session cookies',
      async () => {
        const { context, page } = await signedIn()
        const old = await cookieJar(context)
        await waitPastExpiry(context)
        await django.reset()

        await page.getByRole('button', { name: 'Switch to dark' }).click()
        await page.getByTestId('theme').filter({ hasText: 'dark' }).waitFor()

        const jar = await cookieJar(context)
        assert.equal(jar.theme?.value, 'dark', "the action's own cookie arrived")
        assertSessionCookie(jar[ACCESS], ACCESS)
        assertSessionCookie(jar[REFRESH], REFRESH)
        assert.notEqual(jar[REFRESH].value, old[REFRESH].value, 'the rotated refresh token arrived too')
        const stats = await django.stats()
        assert.equal(stats.refresh_calls, 1)
        assert.equal(stats.refresh_ok, 1)
      },
    )

    scenario('sign out: the refresh token is blacklisted and both cookies are gone', async () => {
      const { context, page } = await signedIn()
      const { [REFRESH]: refresh } = await cookieJar(context)

      await Promise.all([
        page.waitForURL((url) => url.pathname === '/login'),
        page.getByRole('button', { name: 'Sign out' }).click(),
      ])
      assertNoSessionCookies(await cookieJar(context))
      assert.equal((await django.refresh(refresh.value)).status, 401, 'the old refresh token is dead')
    })
  })
}
