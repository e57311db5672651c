import path from 'node:path'
import { fileURLToPath } from 'node:url'

import type { NextConfig } from 'next'

// This app is its own project root, even inside the glyde-session repository (which has its own
// lockfile that Next would otherwise take for the workspace root).
const root = path.dirname(fileURLToPath(import.meta.url))

const nextConfig: NextConfig = {
  // glyde-session is a native addon: Next must load it with Node's require at run time instead of
  // bundling it (the bundler cannot pack the .node binary).
  serverExternalPackages: ['glyde-session'],
  outputFileTracingRoot: root,
  turbopack: { root },
}

export default nextConfig
