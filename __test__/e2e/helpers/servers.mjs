// Starts the example app on 127.0.0.1 (a free port) as `next start` or as its custom server.js,
// and stops it by its own process group.

import { spawn } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'

const START_DEADLINE_MS = 90_000
const TAIL = 8000

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Start the app in `dir`, talking to the API at `apiBaseUrl`.
 *
 * @param {{ dir: string, mode: 'next-start' | 'custom-server', apiBaseUrl: string, env?: object }} o
 * @returns {Promise<{ url: string, output: () => string, stop: () => Promise<void> }>}
 */
export async function startApp({ dir, mode, apiBaseUrl, env = {} }) {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const args =
    mode === 'custom-server'
      ? ['server.js']
      : [
          path.join('node_modules', 'next', 'dist', 'bin', 'next'),
          'start',
          '-H',
          '127.0.0.1',
          '-p',
          String(port),
        ]

  const child = spawn(process.execPath, args, {
    cwd: dir,
    detached: true, // its own process group, so stop() ends Next's workers too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      API_BASE_URL: apiBaseUrl,
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
    },
  })
  let output = ''
  const keep = (chunk) => {
    output = (output + chunk).slice(-TAIL * 2)
    if (process.env.GLYDE_DEBUG_E2E === '1') process.stderr.write(`[app :${port}] ${chunk}`)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  let exited = null
  const done = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve((exited = signal ?? `exit ${code}`))),
  )
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal)
    } catch {}
  }
  process.once('exit', () => killGroup('SIGKILL'))

  const deadline = Date.now() + START_DEADLINE_MS
  for (;;) {
    if (exited) throw new Error(`${mode} in ${dir} exited early (${exited}):\n${output.slice(-TAIL)}`)
    try {
      const response = await fetch(`${url}/login`, { signal: AbortSignal.timeout(5000) })
      await response.arrayBuffer()
      if (response.status === 200) break
    } catch {}
    if (Date.now() > deadline) {
      killGroup('SIGKILL')
      throw new Error(
        `${mode} in ${dir} did not answer on ${url} within ${START_DEADLINE_MS} ms:\n${output.slice(-TAIL)}`,
      )
    }
    await sleep(200)
  }

  return {
    url,
    output: () => output.slice(-TAIL),
    async stop() {
      if (exited) return
      killGroup('SIGTERM')
      const timer = setTimeout(() => killGroup('SIGKILL'), 5000)
      await done
      clearTimeout(timer)
    },
  }
}
