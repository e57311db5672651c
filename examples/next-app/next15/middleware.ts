// Next 15.5: the same proxy as a middleware on the Node runtime. To run the example on Next 15,
// copy this file to the app root in place of proxy.ts and install next@15.5 (the e2e tests do
// exactly that in a scratch copy of the app).
import { appProxy } from '@/lib/app-proxy'

export const middleware = appProxy

export const config = {
  // The engine is a native addon: it needs the Node runtime, not the edge runtime.
  runtime: 'nodejs',
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
}
