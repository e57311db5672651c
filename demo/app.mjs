// The demo app: a plain node:http server whose pages are guarded by `checkSession`.
//
// It applies each decision itself, in the few lines a custom server needs: append the Set-Cookie
// values, set the decision's headers, answer 307/401/503 when told to, and otherwise hand the page
// the Cookie header the decision rewrote, so the page reads the token that is valid now (a
// refreshed one on the very response that refreshed it).
//
// Pages: `/login` (form; POST signs in at the auth API and writes both cookies), `/` (the
// dashboard, which loads the user from the auth API with the access token from the cookie) and
// `/logout` (revokes the refresh token and deletes both cookies).
//
// Every guarded response carries `x-demo-session: <action> <reason>` so the walkthrough can print
// what was decided. A real app would not announce that.

import { createServer } from 'node:http'

import { createSession } from 'glyde-session'

const ACCESS_COOKIE = 'access_token'
const REFRESH_COOKIE = 'refresh_token'

// The attributes the engine uses by default when it writes or deletes these cookies. Login and
// logout must write the same ones, or a deletion would not match the cookie the browser holds.
const COOKIE_ATTRIBUTES = 'HttpOnly; SameSite=Lax; Secure; Path=/'

const MAX_FORM_BYTES = 4 * 1024

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function readCookie(header, name) {
  for (const part of (header || '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim()
  }
  return undefined
}

// Seconds until a JWT's `exp`, read without verifying (the auth API verifies); 0 when unknown.
function secondsLeft(token) {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))
    return Math.max(0, Math.floor(payload.exp - Date.now() / 1000))
  } catch {
    return 0
  }
}

// Only a path on this site may be returned to after login: `//host` and `/\host` leave it.
function safeReturnTo(value) {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/'
}

async function readForm(req) {
  let size = 0
  const chunks = []
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_FORM_BYTES) return new URLSearchParams()
    chunks.push(chunk)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

function page(res, status, title, body) {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em}
input,button{font:inherit;margin:.2em 0}code{background:#eee;padding:0 .2em}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>\n`
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) })
  res.end(html)
}

function loginForm(next, error) {
  return `${error ? `<p style="color:#b00">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
  <input type="hidden" name="next" value="${escapeHtml(next)}">
  <label>Username <input name="username" autocomplete="username" value="alice"></label><br>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label><br>
  <button>Sign in</button>
</form>
<p>Demo user: <code>alice</code> / <code>wonderland</code>.</p>`
}

/**
 * Create the demo app. `start()` listens on a free port of 127.0.0.1.
 *
 * @param {{ apiUrl: string }} config the auth API's base URL
 */
export function createApp({ apiUrl }) {
  const session = createSession({ refreshUrl: `${apiUrl}/auth/refresh`, requireSession: true })

  // Apply the session decision. Returns it when the page should be rendered, null when answered.
  async function guard(req, res) {
    const decision = await session.checkSession({ url: req.url, method: req.method, headers: req.headers })

    for (const value of decision.setCookie) res.appendHeader('set-cookie', value)
    for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value)
    res.setHeader('x-demo-session', `${decision.action} ${decision.reason}`)

    if (decision.action === 'redirect') {
      res.writeHead(decision.status, { location: decision.location })
      res.end()
      return null
    }
    if (decision.action === 'unauthorized') {
      page(res, decision.status, 'Not signed in', '<p><a href="/login">Sign in</a></p>')
      return null
    }
    if (decision.action === 'unavailable') {
      const retry = escapeHtml(decision.headers['retry-after'] ?? 'a few')
      page(res, decision.status, 'Sign-in service unavailable',
        `<p>Your session needs a refresh but the auth server does not answer. Retry in ${retry} s.</p>`)
      return null
    }

    if (decision.requestCookie !== undefined) {
      if (decision.requestCookie === '') delete req.headers.cookie
      else req.headers.cookie = decision.requestCookie
    }
    return decision
  }

  async function dashboard(req, res, decision) {
    const access = readCookie(req.headers.cookie, ACCESS_COOKIE)
    let user = null
    try {
      const me = await fetch(`${apiUrl}/auth/me`, { headers: { authorization: `Bearer ${access}` } })
      if (me.ok) user = await me.json()
    } catch {
      // The auth API is down while the access token is still good: say so below.
    }
    if (!user) return page(res, 502, 'Dashboard', '<p>The auth API could not tell who you are. Reload in a moment.</p>')

    const left = decision.expiresAt === undefined
      ? 'an unknown time'
      : `${Math.max(0, Math.round(decision.expiresAt - Date.now() / 1000))} s`
    const who = `<b>${escapeHtml(user.name)}</b> (${escapeHtml(user.username)})`
    page(res, 200, 'Dashboard', `<p id="user">Signed in as ${who}.</p>
<p>Session decision for this response: <code>${decision.action}</code> / <code>${decision.reason}</code>.
Access token expires in ${left}. Reload in a couple of seconds to watch a refresh.</p>
<form method="post" action="/logout"><button>Sign out</button></form>`)
  }

  async function login(req, res) {
    const query = new URL(req.url, 'http://app').searchParams
    if (req.method !== 'POST') return page(res, 200, 'Sign in', loginForm(safeReturnTo(query.get('next'))))

    const form = await readForm(req)
    const next = safeReturnTo(form.get('next'))
    let answer
    try {
      answer = await fetch(`${apiUrl}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
      })
    } catch {
      return page(res, 503, 'Sign in', loginForm(next, 'The auth server does not answer. Try again in a moment.'))
    }
    if (answer.status === 401) return page(res, 401, 'Sign in', loginForm(next, 'Wrong username or password.'))
    if (!answer.ok) return page(res, 502, 'Sign in', loginForm(next, 'The auth server failed. Try again.'))

    const { access, refresh } = await answer.json()
    for (const [name, token] of [[ACCESS_COOKIE, access], [REFRESH_COOKIE, refresh]]) {
      res.appendHeader('set-cookie', `${name}=${token}; ${COOKIE_ATTRIBUTES}; Max-Age=${secondsLeft(token)}`)
    }
    res.writeHead(303, { location: next, 'cache-control': 'private, no-store' })
    res.end()
  }

  // Not guarded: signing out needs no fresh access token, and a refresh here would only rotate
  // the token this is about to revoke.
  async function logout(req, res) {
    const refresh = readCookie(req.headers.cookie, REFRESH_COOKIE)
    if (refresh) {
      await fetch(`${apiUrl}/auth/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh }),
      }).catch(() => {})
    }
    res.appendHeader('set-cookie', `${ACCESS_COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`)
    res.appendHeader('set-cookie', `${REFRESH_COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`)
    res.writeHead(303, { location: '/login', 'cache-control': 'private, no-store' })
    res.end()
  }

  async function handle(req, res) {
    const path = new URL(req.url, 'http://app').pathname
    if (path === '/favicon.ico') return res.writeHead(204).end()
    if (path === '/logout') return logout(req, res)

    const decision = await guard(req, res)
    if (!decision) return
    if (path === '/login') return login(req, res)
    if (path === '/' && req.method === 'GET') return dashboard(req, res, decision)
    page(res, 404, 'Not found', '<p><a href="/">Dashboard</a></p>')
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error(`app: ${req.method} ${req.url.split('?')[0]} failed: ${error.code ?? error.message}`)
      if (!res.headersSent) page(res, 500, 'Server error', '')
      else res.destroy()
    })
  })

  return {
    get url() {
      return `http://127.0.0.1:${server.address().port}`
    },

    start() {
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', resolve)
      })
    },

    stop() {
      return new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}
