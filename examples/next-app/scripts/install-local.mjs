#!/usr/bin/env node
// Install glyde-session into this example the way a user gets it from npm: `npm pack` at the
// repository root makes the tarball (with the native binary inside), and it is installed from
// there. A `file:` directory dependency would be a symlink, which Next's bundler does not follow
// for server external packages.
//
//   node scripts/install-local.mjs            # in examples/next-app, after `npm run build` at the root
//
// The tarball is installed with --no-save: package.json and package-lock.json keep only registry
// packages, so `npm ci` stays reproducible; run this script again after every `npm ci`.

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const repoRoot = path.resolve(appDir, '..', '..')
const packDir = path.join(appDir, '.pack')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function run(args, cwd) {
  return execFileSync(npm, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })
}

if (!readdirSync(repoRoot).some((name) => name.endsWith('.node'))) {
  console.error('install-local: no native binary at the repository root: run `npm run build` there first.')
  process.exit(1)
}

rmSync(packDir, { recursive: true, force: true })
mkdirSync(packDir)
const [packed] = JSON.parse(run(['pack', '--json', '--pack-destination', packDir], repoRoot))
if (!packed.files.some((file) => file.path.endsWith('.node'))) {
  console.error(`install-local: ${packed.filename} holds no .node binary; check "files" in package.json.`)
  process.exit(1)
}
const tarball = path.join(packDir, packed.filename)

if (!existsSync(path.join(appDir, 'node_modules', 'next'))) run(['ci', '--no-audit', '--no-fund'], appDir)
run(['install', '--no-save', '--no-audit', '--no-fund', tarball], appDir)
console.log(`install-local: installed ${packed.filename} (${packed.files.length} files) into ${appDir}`)
