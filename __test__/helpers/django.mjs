// Real Django REST framework + SimpleJWT backend for integration tests.
//
//   import { startDjango } from './helpers/django.mjs'
//   const dj = await startDjango({ accessLifetimeSeconds: 5 })
//   const { access, refresh } = await dj.login('alice', 'wonderland')
//   ...
//   await dj.close()
//
// The backend lives in testing/django (see testing/setup-venv.sh). Only Node
// built-ins are used here. Set GLYDE_DEBUG_DJANGO=1 to see the server's output.

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const SETUP_SCRIPT = path.join(REPO_ROOT, 'testing', 'setup-venv.sh')
const DJANGO_DIR = path.join(REPO_ROOT, 'testing', 'django')
const PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python')
const DEBUG = process.env.GLYDE_DEBUG_DJANGO === '1'
const START_DEADLINE_MS = 60_000
const STOP_GRACE_MS = 5_000
const TAIL_BYTES = 8 * 1024

// ---- process-wide bookkeeping ------------------------------------------------

const liveChildren = new Set()
const tempDirs = new Set()
let exitHookInstalled = false

function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // 'exit' handlers must be synchronous: SIGKILL what is left, drop temp dirs.
  // (If Node itself is SIGKILLed, manage.py's GLYDE_PARENT_WATCH sees its
  // stdin close and exits on its own.)
  process.on('exit', () => {
    for (const child of liveChildren) {
      try {
        child.kill('SIGKILL')
      } catch {}
    }
    for (const dir of tempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true })
      } catch {}
    }
  })
}

let venvReady = null

/** Run testing/setup-venv.sh once per process. */
export function ensureVenv() {
  if (!venvReady) {
    venvReady = new Promise((resolve, reject) => {
      const child = spawn('bash', [SETUP_SCRIPT], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      child.stdout.on('data', (d) => (out += d))
      child.stderr.on('data', (d) => (out += d))
      child.on('error', (err) => reject(new Error(`cannot run ${SETUP_SCRIPT}: ${err.message}`)))
      child.on('close', (code, signal) => {
        if (code === 0) resolve()
        else
          reject(
            new Error(
              `testing/setup-venv.sh failed (${signal ?? `exit ${code}`}):\n${out.trim().slice(-TAIL_BYTES)}`,
            ),
          )
      })
    })
    // a failed setup is retried by the next caller rather than cached forever
    venvReady.catch(() => {
      venvReady = null
    })
  }
  return venvReady
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

function tail(buf) {
  const s = buf.toString('utf8')
  return s.length > TAIL_BYTES ? '…' + s.slice(-TAIL_BYTES) : s
}

/** Run a manage.py command to completion; reject with its output on failure. */
function manage(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['manage.py', ...args], {
      cwd: DJANGO_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', (err) => reject(new Error(`cannot run manage.py ${args[0]}: ${err.message}`)))
    child.on('close', (code, signal) => {
      if (DEBUG && out) process.stderr.write(`[django ${args[0]}] ${out}`)
      if (code === 0) resolve(out)
      else reject(new Error(`manage.py ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail(out)}`))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// ---- the server ---------------------------------------------------------------

/**
 * Start the SimpleJWT backend on 127.0.0.1.
 *
 * @param {{ accessLifetimeSeconds?: number, port?: number }} [opts]
 */
export async function startDjango({ accessLifetimeSeconds = 5, port } = {}) {
  if (!(Number(accessLifetimeSeconds) > 0)) {
    throw new TypeError(`accessLifetimeSeconds must be > 0, got ${accessLifetimeSeconds}`)
  }
  installExitHook()
  await ensureVenv()

  const dir = mkdtempSync(path.join(os.tmpdir(), 'glyde-django-'))
  tempDirs.add(dir)
  const dbPath = path.join(dir, 'db.sqlite3')
  const env = {
    ...process.env,
    DJANGO_SETTINGS_MODULE: 'glyde_backend.settings',
    ACCESS_LIFETIME_SECONDS: String(accessLifetimeSeconds),
    GLYDE_DB_PATH: dbPath,
    PYTHONUNBUFFERED: '1',
  }
  // The data migration accounts/0001_seed_users creates alice and bob.
  try {
    await manage(['migrate', '--noinput', '-v', '0'], env)
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    tempDirs.delete(dir)
    throw err
  }

  port = port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`

  let child = null // the running server, or null
  let exited = null // promise resolved when `child` exits
  let starting = null
  let closed = false

  async function spawnServer() {
    const stderrBuf = []
    let stderrLen = 0
    const keep = (d) => {
      stderrBuf.push(d)
      stderrLen += d.length
      while (stderrLen > TAIL_BYTES * 2 && stderrBuf.length > 1) stderrLen -= stderrBuf.shift().length
    }
    // Each spawn gets its own id, so the readiness poll cannot be fooled by
    // another server already on the port (ours then exits: "port in use").
    const instance = randomUUID()
    const proc = spawn(
      PYTHON,
      ['manage.py', 'runserver', `127.0.0.1:${port}`, '--noreload', '--skip-checks'],
      {
        cwd: DJANGO_DIR,
        env: { ...env, GLYDE_PARENT_WATCH: '1', GLYDE_INSTANCE_ID: instance },
        // stdin stays an open pipe: manage.py exits when it closes (parent died)
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    )
    liveChildren.add(proc)
    let exitInfo = null
    const procExited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        exitInfo = signal ?? `exit ${code}`
        liveChildren.delete(proc)
        if (child === proc) {
          // died on its own (crash, external kill): start() may spawn anew
          child = null
          exited = null
        }
        resolve(exitInfo)
      })
    })
    let spawnError = null
    proc.on('error', (err) => {
      spawnError = err
    })
    const echo = (d) => {
      if (!DEBUG) return
      const lines = d.toString('utf8').replace(/\n$/, '').split('\n')
      process.stderr.write(lines.map((l) => `[django :${port}] ${l}\n`).join(''))
    }
    for (const stream of [proc.stdout, proc.stderr]) {
      stream.on('data', (d) => {
        keep(d)
        echo(d)
      })
    }
    // Don't keep Node's event loop alive just for the server's pipes.
    for (const s of [proc.stdin, proc.stdout, proc.stderr]) s.unref?.()
    proc.unref()

    const failure = (why) =>
      new Error(
        `Django test server on ${url} ${why}.\n--- server output (tail) ---\n${tail(Buffer.concat(stderrBuf))}`,
      )

    const deadline = Date.now() + START_DEADLINE_MS
    for (;;) {
      if (spawnError) throw failure(`could not be spawned: ${spawnError.message}`)
      if (exitInfo) throw failure(`exited early (${exitInfo})`)
      try {
        const res = await fetch(`${url}/test/stats`, { signal: AbortSignal.timeout(2000) })
        const text = await res.text()
        if (res.ok && JSON.parse(text).instance === instance) break
      } catch {}
      if (exitInfo) throw failure(`exited early (${exitInfo})`)
      if (Date.now() > deadline) {
        proc.kill('SIGKILL')
        await procExited
        throw failure(`did not answer within ${START_DEADLINE_MS / 1000} s`)
      }
      await sleep(100)
    }
    child = proc
    exited = procExited
  }

  async function start() {
    if (closed) throw new Error('this Django instance was closed')
    if (child) return
    if (!starting) starting = spawnServer().finally(() => (starting = null))
    return starting
  }

  async function stop() {
    if (starting) await starting.catch(() => {})
    const proc = child
    if (!proc) return
    const done = exited
    child = null
    exited = null
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS)
    await done
    clearTimeout(timer)
  }

  async function restart() {
    await stop()
    await start()
  }

  async function close() {
    await stop()
    closed = true
    rmSync(dir, { recursive: true, force: true })
    tempDirs.delete(dir)
  }

  /** Raw JSON request against the backend: never throws on HTTP status. */
  async function request(method, pathname, { body, token, headers = {} } = {}) {
    const h = { accept: 'application/json', ...headers }
    if (body !== undefined) h['content-type'] = 'application/json'
    if (token) h.authorization = `Bearer ${token}`
    const res = await fetch(url + pathname, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    })
    const text = await res.text()
    let json
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    return { status: res.status, headers: res.headers, body: json, text }
  }

  async function expectOk(method, pathname, body) {
    const res = await request(method, pathname, { body })
    if (res.status !== 200) {
      throw new Error(`${method} ${pathname} -> ${res.status}: ${res.text.slice(0, 500)}`)
    }
    return res.body
  }

  try {
    await start()
  } catch (err) {
    closed = true
    rmSync(dir, { recursive: true, force: true })
    tempDirs.delete(dir)
    throw err
  }

  return {
    url,
    port,
    dbPath,
    /** POST /auth/token; throws unless 200. */
    login: (username, password) => expectOk('POST', '/auth/token', { username, password }),
    /** POST /auth/refresh as a raw call: { status, body }; counts in stats. */
    refresh: (refreshToken) => request('POST', '/auth/refresh', { body: { refresh: refreshToken } }),
    /** POST /auth/logout: { status, body } (200 on success, 401 if already blacklisted). */
    logout: (refreshToken) => request('POST', '/auth/logout', { body: { refresh: refreshToken } }),
    /** GET /test/stats -> { refresh_calls, refresh_ok, refresh_rejected, ... } */
    stats: () => expectOk('GET', '/test/stats'),
    /** POST /test/reset: zero the counters (and clear refresh delay). */
    reset: () => expectOk('POST', '/test/reset', {}),
    /** POST /test/revoke: blacklist all outstanding refresh tokens; returns the count. */
    revokeAll: async (username) => (await expectOk('POST', '/test/revoke', { username })).revoked,
    /** POST /test/config: make every /auth/refresh take at least `ms` (until reset()). */
    setRefreshDelay: (ms) => expectOk('POST', '/test/config', { refresh_delay_ms: ms }),
    request,
    start,
    stop,
    restart,
    close,
    get running() {
      return child !== null
    },
  }
}
