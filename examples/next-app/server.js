// A custom Next.js server that checks the session with glyde-session/node before Next sees the
// request: `NODE_ENV=production node server.js` after `next build`.
//
// It answers redirects, 401 and 503 itself, and for the requests that go on it rewrites
// req.headers.cookie, so the pages Next renders read the refreshed token, and appends the new
// cookies to whatever Next sets.

import { createServer } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { createSession } from 'glyde-session'
import { handleSession } from 'glyde-session/node'
import next from 'next'

import { sessionOptions } from './session-options.js'

const port = Number(process.env.PORT || 3000)
const hostname = process.env.HOSTNAME || '127.0.0.1'
const dir = path.dirname(fileURLToPath(import.meta.url))

// The session is checked here, so the proxy (proxy.ts) lets requests through unchecked.
process.env.GLYDE_SESSION_CHECKED_BY_SERVER = '1'

/** Static files need no session (the same paths the proxy's matcher leaves out). */
function isStatic(url = '/') {
  return url.startsWith('/_next/static/') || url.startsWith('/_next/image') || url === '/favicon.ico'
}

const app = next({ dev: process.env.NODE_ENV !== 'production', dir, hostname, port })
const handle = app.getRequestHandler()
await app.prepare()

// One Session: the options are validated once and every request shares its refresh cache.
const session = createSession(sessionOptions)

createServer(async (req, res) => {
  try {
    if (isStatic(req.url) || (await handleSession(req, res, session))) await handle(req, res)
  } catch (err) {
    console.error(err)
    if (!res.headersSent) res.statusCode = 500
    res.end()
  }
}).listen(port, hostname, () => {
  console.log(`> Ready on http://${hostname}:${port}`)
})
