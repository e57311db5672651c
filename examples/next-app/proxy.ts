// Next 16: the proxy runs on the Node runtime before every matched request.
import { appProxy } from '@/lib/app-proxy'

export const proxy = appProxy

export const config = {
  // Static files need no session.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
}
