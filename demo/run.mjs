// `npm run demo`: start the demo auth API and the demo app on 127.0.0.1, walk the session flow
// with real HTTP requests, and exit 0 when every step behaved as expected (1 otherwise).
//
//   node demo/run.mjs           the walkthrough, then exit
//   node demo/run.mjs --stay    the walkthrough, then keep both servers up for a browser
//
// Access tokens live a few seconds so the walkthrough sees them expire; it takes about 10 s.

import { createApp } from './app.mjs'
import { createAuthApi } from './auth-api.mjs'
import { StepFailure, walkthrough } from './walkthrough.mjs'

const ACCESS_SECONDS = 3
const REFRESH_SECONDS = 3600

async function main(args) {
  const unknown = args.filter((arg) => arg !== '--stay')
  if (unknown.length > 0) {
    console.error(`unknown argument: ${unknown[0]}\nusage: node demo/run.mjs [--stay]`)
    return 2
  }
  const stay = args.includes('--stay')

  const api = createAuthApi({ accessSeconds: ACCESS_SECONDS, refreshSeconds: REFRESH_SECONDS })
  await api.start()
  const app = createApp({ apiUrl: api.url })
  await app.start()

  async function shutdown() {
    await Promise.all([app.stop(), api.stop()])
  }

  console.log(`glyde-session demo: app ${app.url}, auth API ${api.url}`)
  console.log(`access tokens live ${ACCESS_SECONDS} s, refresh tokens rotate and a used one is refused`)
  console.log('every app page runs checkSession({ refreshUrl, requireSession: true }) first\n')

  try {
    const { steps, seconds } = await walkthrough({ api, app, accessSeconds: ACCESS_SECONDS })
    console.log(`\nAll ${steps} steps behaved as expected (${seconds.toFixed(1)} s).`)
  } catch (error) {
    const why = error instanceof StepFailure ? error.message : (error.stack ?? String(error))
    console.error(`\nWALKTHROUGH FAILED: ${why}`)
    await shutdown()
    return 1
  }

  if (!stay) {
    await shutdown()
    return 0
  }

  console.log(`\nServers stay up. Open ${app.url}/ and sign in as alice / wonderland.`)
  console.log('Reload the dashboard after a couple of seconds to watch a refresh. Ctrl-C stops.')
  await new Promise((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await shutdown()
  return 0
}

process.exitCode = await main(process.argv.slice(2))
