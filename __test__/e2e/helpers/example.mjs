// Builds the example app (examples/next-app) once and reuses it: the Next 16 app in place, and a
// scratch copy under .tmp/e2e/next15 where middleware.ts replaces proxy.ts and next@15.5 replaces
// next@16. Each build is keyed by a hash of everything it is made from (the sources, the lockfile,
// the installed glyde-session tarball), so test files, and runs where nothing changed, share it.
// A lock directory keeps parallel test files from building the same app at once.
// GLYDE_E2E_REBUILD=1 forces a fresh install and build (in each test file that needs one).

import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const APP_DIR = path.join(REPO_ROOT, 'examples', 'next-app')
const WORK_DIR = path.join(REPO_ROOT, '.tmp', 'e2e')
const NEXT15_DIR = path.join(WORK_DIR, 'next15')
export const NEXT15_VERSION = '15.5.29'

const FORCE = process.env.GLYDE_E2E_REBUILD === '1'

// The files an example build is made from (node_modules and build output excluded).
const SOURCES = [
  'app',
  'lib',
  'next15',
  'proxy.ts',
  'middleware.ts',
  'next.config.ts',
  'session-options.js',
  'tsconfig.json',
  'package.json',
  'package-lock.json',
]

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function log(message) {
  process.stderr.write(`[e2e] ${message}\n`)
}

function run(command, args, cwd, env = {}) {
  const started = Date.now()
  try {
    execFileSync(command, args, {
      cwd,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    })
  } catch (err) {
    const output = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim().slice(-8000)
    throw new Error(`\`${command} ${args.join(' ')}\` failed in ${cwd}:\n${output}`)
  }
  log(`${command} ${args.join(' ')} (${path.relative(REPO_ROOT, cwd)}): ${Date.now() - started} ms`)
}

function hashTree(hash, root, rel) {
  const file = path.join(root, rel)
  if (!existsSync(file)) return
  if (statSync(file).isDirectory()) {
    for (const name of readdirSync(file).sort()) hashTree(hash, root, path.join(rel, name))
  } else {
    hash.update(`${rel}\0`).update(readFileSync(file)).update('\0')
  }
}

function buildKey(dir) {
  const hash = createHash('sha256')
  for (const rel of SOURCES) hashTree(hash, dir, rel)
  hashTree(hash, path.join(dir, 'node_modules'), 'glyde-session')
  return hash.digest('hex')
}

function readStamp(file) {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return err.code === 'EPERM'
  }
}

async function withLock(name, fn) {
  const dir = path.join(WORK_DIR, 'locks', name)
  mkdirSync(path.dirname(dir), { recursive: true })
  const deadline = Date.now() + 20 * 60_000
  for (;;) {
    try {
      mkdirSync(dir)
      writeFileSync(path.join(dir, 'pid'), String(process.pid))
      break
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
      const owner = Number(readStamp(path.join(dir, 'pid')))
      if (owner && !alive(owner)) rmSync(dir, { recursive: true, force: true })
      else if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${dir}`)
      else await sleep(500)
    }
  }
  try {
    return await fn()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function requireBinary() {
  if (!readdirSync(REPO_ROOT).some((name) => name.endsWith('.node'))) {
    throw new Error('No native binary at the repository root: run `npm run build` there first.')
  }
}

/** `npm ci` when node_modules does not match the lockfile, then the packed glyde-session. */
function installApp16() {
  const lock = createHash('sha256')
    .update(readFileSync(path.join(APP_DIR, 'package-lock.json')))
    .digest('hex')
  const stamp = path.join(APP_DIR, 'node_modules', '.glyde-e2e-lock')
  if (FORCE || readStamp(stamp) !== lock) {
    run('npm', ['ci', '--no-audit', '--no-fund'], APP_DIR)
    writeFileSync(stamp, lock)
  }
  // Packs the repository and installs the tarball, as a user would get the package.
  run(process.execPath, ['scripts/install-local.mjs'], APP_DIR)
}

const BUILD_STAMP = path.join('.next', 'glyde-e2e-build-key')

function builtWith(dir, key) {
  return (
    !FORCE &&
    readStamp(path.join(dir, BUILD_STAMP)) === key &&
    existsSync(path.join(dir, '.next', 'BUILD_ID')) &&
    existsSync(path.join(dir, 'node_modules', 'glyde-session', 'package.json'))
  )
}

function nextBuild(dir) {
  run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], dir)
}

let installed16 = false

/** The Next 16 example with its dependencies and the packed glyde-session, not built. */
export async function installNext16() {
  requireBinary()
  await withLock('next16', async () => {
    if (!installed16) installApp16()
    installed16 = true
  })
  return APP_DIR
}

/** The Next 16 example, installed from the packed tarball and built. Returns its directory. */
export async function prepareNext16() {
  await installNext16()
  await withLock('next16', async () => {
    if (builtWith(APP_DIR, buildKey(APP_DIR))) return log('reusing the build in examples/next-app')
    nextBuild(APP_DIR)
    // Keyed after the build: `next build` may rewrite tsconfig.json the first time.
    writeFileSync(path.join(APP_DIR, BUILD_STAMP), buildKey(APP_DIR))
  })
  return APP_DIR
}

/**
 * The same app on Next 15.5: a copy under .tmp/e2e/next15 with next15/middleware.ts (runtime
 * 'nodejs') at the root instead of proxy.ts, and next@15.5 installed. Returns its directory.
 */
export async function prepareNext15() {
  await installNext16() // makes the tarball
  await withLock('next15', async () => {
    // Keyed by the Next 16 app it is copied from (sources and installed tarball) and the version.
    const key = createHash('sha256')
      .update(`${buildKey(APP_DIR)}\0${NEXT15_VERSION}`)
      .digest('hex')
    if (builtWith(NEXT15_DIR, key)) return log('reusing the build in .tmp/e2e/next15')

    mkdirSync(NEXT15_DIR, { recursive: true })
    for (const rel of SOURCES) rmSync(path.join(NEXT15_DIR, rel), { recursive: true, force: true })
    // The lockfile comes along, so everything but next stays at the versions the example pins.
    const copied = [
      'app',
      'lib',
      'next.config.ts',
      'session-options.js',
      'tsconfig.json',
      'server.js',
      'package-lock.json',
    ]
    for (const rel of copied) {
      cpSync(path.join(APP_DIR, rel), path.join(NEXT15_DIR, rel), { recursive: true })
    }
    cpSync(path.join(APP_DIR, 'next15', 'middleware.ts'), path.join(NEXT15_DIR, 'middleware.ts'))

    const pkg = JSON.parse(readFileSync(path.join(APP_DIR, 'package.json'), 'utf8'))
    pkg.name = `${pkg.name}-next15`
    pkg.dependencies.next = NEXT15_VERSION
    writeFileSync(path.join(NEXT15_DIR, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')

    const want = createHash('sha256')
      .update(JSON.stringify(pkg))
      .update(readFileSync(path.join(APP_DIR, 'package-lock.json')))
      .digest('hex')
    const stamp = path.join(NEXT15_DIR, 'node_modules', '.glyde-e2e-deps')
    if (FORCE || readStamp(stamp) !== want) {
      run('npm', ['install', '--no-audit', '--no-fund'], NEXT15_DIR)
      writeFileSync(stamp, want)
    }
    const packDir = path.join(APP_DIR, '.pack')
    const tarball = readdirSync(packDir).find((name) => name.endsWith('.tgz'))
    run(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', path.join(packDir, tarball)],
      NEXT15_DIR,
    )
    nextBuild(NEXT15_DIR)
    writeFileSync(path.join(NEXT15_DIR, BUILD_STAMP), key)
  })
  return NEXT15_DIR
}
