// The walkthrough: real HTTP requests to the demo app, with a cookie jar, through the whole
// session flow. Each step prints what was asked, what the app answered and what the session
// engine decided, then asserts it; the first wrong outcome throws a StepFailure.
//
// Nothing of a token is printed: cookies are shown by name and attributes only.

import { setTimeout as sleep } from 'node:timers/promises'

import { CookieJar } from './cookie-jar.mjs'

const ACCESS_COOKIE = 'access_token'
const REFRESH_COOKIE = 'refresh_token'
const USER_NAME = 'Alice Liddell'

export class StepFailure extends Error {}

function check(condition, message) {
  if (!condition) throw new StepFailure(message)
}

function say(text) {
  console.log(`   ${text}`)
}

function cookieName(setCookie) {
  return setCookie.slice(0, setCookie.indexOf('=')).trim()
}

function isDeletion(setCookie) {
  return /;\s*max-age=0\s*(;|$)/i.test(setCookie)
}

// `access_token  HttpOnly; Secure; ...`: the name and attributes of a Set-Cookie, never its value.
function describeSetCookie(setCookie) {
  const attributes = setCookie.split(';').slice(1).map((s) => s.trim()).join('; ')
  return `${cookieName(setCookie).padEnd(14)} ${isDeletion(setCookie) ? 'deleted' : 'set'}: ${attributes}`
}

/**
 * Walk the flow against a started app and auth API. Resolves with the number of steps and the
 * seconds taken; rejects with a StepFailure naming the step whose outcome was wrong.
 */
export async function walkthrough({ api, app, accessSeconds }) {
  const progress = { step: 0 }
  try {
    return await walk({ api, app, accessSeconds }, progress)
  } catch (error) {
    if (error instanceof StepFailure) throw new StepFailure(`step ${progress.step}: ${error.message}`)
    throw error
  }
}

async function walk({ api, app, accessSeconds }, progress) {
  const appUrl = app.url
  const started = Date.now()

  function step(title) {
    progress.step += 1
    console.log(`${progress.step}) ${title}`)
  }

  // One request as a browser sends it: the jar's cookies, `Accept: text/html`, no redirect
  // following (the walkthrough shows each hop).
  async function send(jar, method, path, form) {
    const cookie = jar.header()
    const response = await fetch(new URL(path, appUrl), {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    })
    const setCookie = response.headers.getSetCookie()
    jar.receive(setCookie)
    const html = await response.text()

    const location = response.headers.get('location')
    const result = {
      status: response.status,
      headers: response.headers,
      setCookie,
      location: location && location.startsWith(appUrl) ? location.slice(appUrl.length) : location,
      decision: response.headers.get('x-demo-session') ?? '',
      user: /Signed in as <b>(.*?)<\/b>/.exec(html)?.[1],
      title: /<h1>(.*?)<\/h1>/.exec(html)?.[1],
    }

    const [action, reason] = result.decision.split(' ')
    const what = result.location ? `to ${result.location}`
      : result.user ? `"Signed in as ${result.user}"`
        : result.title ? `page "${result.title}"` : ''
    const decided = action ? `  [${action}: ${reason}]` : ''
    say(`${`${method} ${path}`.padEnd(17)} -> ${result.status} ${what}${decided}`)
    return result
  }

  function expectDecision(result, status, decision) {
    check(result.status === status, `expected HTTP ${status}, got ${result.status}`)
    check(result.decision === decision, `expected the decision '${decision}', got '${result.decision}'`)
  }

  function expectLoginRedirect(result) {
    const target = new URL(result.location ?? '', appUrl)
    check(target.pathname === '/login' && target.searchParams.get('next') === '/',
      `expected a redirect to /login with next=/, got ${result.location}`)
  }

  function expectCookiesWritten(result, names) {
    const written = result.setCookie.map(cookieName).sort().join(', ') || 'nothing'
    const expected = [...names].sort().join(', ') || 'nothing'
    check(written === expected, `expected Set-Cookie for ${expected}, got ${written}`)
  }

  async function signIn(jar) {
    const result = await send(jar, 'POST', '/login', { username: 'alice', password: 'wonderland', next: '/' })
    check(result.status === 303 && result.location === '/',
      `expected 303 to /, got ${result.status} ${result.location ?? ''}`)
    expectCookiesWritten(result, [ACCESS_COOKIE, REFRESH_COOKIE])
    check(result.setCookie.every((c) => /;\s*HttpOnly/i.test(c)), 'expected both cookies HttpOnly')
    return { result, issuedAt: Date.now() }
  }

  // Sleep until the access token issued at `issuedAt` has expired; the jar drops its cookie by then.
  async function outliveAccessToken(jar, issuedAt) {
    const until = issuedAt + accessSeconds * 1000 + 300
    const waited = Math.max(0, until - Date.now())
    await sleep(waited)
    check(!jar.names().includes(ACCESS_COOKIE), 'expected the jar to have dropped the expired access cookie')
    return (waited / 1000).toFixed(1)
  }

  function refreshCalls() {
    const { refreshCalls: calls, refreshRejected: rejected } = api.stats
    return `auth API refresh calls so far: ${calls}${rejected ? ` (${rejected} rejected)` : ''}`
  }

  const jar = new CookieJar()

  step('Visit the dashboard without a session')
  const anonymous = await send(jar, 'GET', '/')
  expectDecision(anonymous, 307, 'redirect anonymous')
  expectLoginRedirect(anonymous)
  expectCookiesWritten(anonymous, [])

  step('Sign in as alice (the login page is public; the form posts to the auth API)')
  const form = await send(jar, 'GET', anonymous.location)
  expectDecision(form, 200, 'continue anonymous')
  const login = await signIn(jar)
  for (const line of login.result.setCookie) say(`  ${describeSetCookie(line)}`)
  const beforeRefresh = jar.clone()

  step('Visit the dashboard at once')
  const fresh = await send(jar, 'GET', '/')
  expectDecision(fresh, 200, 'continue valid')
  check(fresh.user === USER_NAME, `expected the page to show ${USER_NAME}`)
  expectCookiesWritten(fresh, [])
  say('  no cookie written: the access token is fresh, no refresh was due')

  step('Let the access token expire, then visit the dashboard')
  say(`  waited ${await outliveAccessToken(jar, login.issuedAt)} s: the jar dropped the access cookie (Max-Age)`)
  const refreshed = await send(jar, 'GET', '/')
  const refreshedAt = Date.now()
  expectDecision(refreshed, 200, 'continue refreshed')
  check(refreshed.user === USER_NAME, 'expected the refreshing response itself to show the user')
  expectCookiesWritten(refreshed, [ACCESS_COOKIE, REFRESH_COOKIE])
  check(/no-store/.test(refreshed.headers.get('cache-control') ?? ''), 'expected cache-control: no-store')
  check(jar.value(REFRESH_COOKIE) !== beforeRefresh.value(REFRESH_COOKIE), 'expected a rotated refresh token')
  check(api.stats.refreshCalls === 1, `expected 1 refresh call at the auth API, saw ${api.stats.refreshCalls}`)
  for (const line of refreshed.setCookie) say(`  ${describeSetCookie(line)}`)
  say('  the request carried no access token; the page read the new one from the rewritten Cookie header')
  say(`  ${refreshCalls()}; the old refresh token is now blacklisted`)

  step("Two parallel requests sent before step 4's cookies arrived (old, blacklisted refresh token)")
  const [first, second] = await Promise.all([send(beforeRefresh, 'GET', '/'), send(beforeRefresh, 'GET', '/')])
  for (const result of [first, second]) {
    expectDecision(result, 200, 'continue refreshed')
    check(result.user === USER_NAME, 'expected both pages to show the user')
  }
  check(api.stats.refreshCalls === 1, `expected still 1 refresh call at the auth API, saw ${api.stats.refreshCalls}`)
  check(beforeRefresh.value(REFRESH_COOKIE) === jar.value(REFRESH_COOKIE) &&
    beforeRefresh.value(ACCESS_COOKIE) === jar.value(ACCESS_COOKIE), "expected both to get step 4's tokens")
  say("  both got step 4's new tokens, reused within the 10 s grace period; nobody was logged out")
  say(`  ${refreshCalls()}`)

  step('Log out elsewhere: the auth API revokes the refresh token, then the access token expires')
  const revoke = await fetch(`${api.url}/auth/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh: jar.value(REFRESH_COOKIE) }),
  })
  check(revoke.status === 200, `expected the auth API to revoke the token, got ${revoke.status}`)
  say(`${'POST /auth/logout'.padEnd(17)} -> ${revoke.status} at the auth API (the jar's refresh token)`)
  say(`  waited ${await outliveAccessToken(jar, refreshedAt)} s for the access cookie to expire`)
  const revoked = await send(jar, 'GET', '/')
  expectDecision(revoked, 307, 'redirect refresh_rejected')
  expectLoginRedirect(revoked)
  expectCookiesWritten(revoked, [ACCESS_COOKIE, REFRESH_COOKIE])
  check(revoked.setCookie.every(isDeletion), 'expected both cookies to be deleted')
  check(jar.names().length === 0, `expected an empty jar, it holds ${jar.names().join(', ')}`)
  for (const line of revoked.setCookie) say(`  ${describeSetCookie(line)}`)
  say(`  ${refreshCalls()}`)

  step('The auth API goes down while the session needs a refresh')
  const again = await signIn(jar)
  say(`  signed in again; waited ${await outliveAccessToken(jar, again.issuedAt)} s; auth API stopped`)
  await api.stop()
  const calls = api.stats.refreshCalls
  const down = await send(jar, 'GET', '/')
  expectDecision(down, 503, 'unavailable refresh_unavailable')
  const retryAfter = down.headers.get('retry-after')
  check(/^\d+$/.test(retryAfter ?? ''), `expected a numeric retry-after, got ${retryAfter}`)
  expectCookiesWritten(down, [])
  check(jar.names().includes(REFRESH_COOKIE), 'expected the refresh cookie to be kept')
  say(`  retry-after: ${retryAfter}; no cookie written or deleted, the jar keeps ${jar.names().join(', ')}`)
  await api.start()
  say('  auth API restarted on the same port')
  const back = await send(jar, 'GET', '/')
  expectDecision(back, 200, 'continue refreshed')
  check(back.user === USER_NAME, 'expected the page to show the user after the restart')
  expectCookiesWritten(back, [ACCESS_COOKIE, REFRESH_COOKIE])
  check(api.stats.refreshCalls === calls + 1, 'expected exactly one refresh call after the restart')
  say(`  ${refreshCalls()}`)

  return { steps: progress.step, seconds: (Date.now() - started) / 1000 }
}
