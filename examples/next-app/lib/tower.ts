// The "tower" client: the server side's instance of the API client, used by Server Components,
// server actions and route handlers. It reads the access token from the request's cookies on
// every call. After the proxy has run, that Cookie header already holds the refreshed token, so a
// Server Component never sees an expired one and never needs to refresh (it could not write the
// cookie anyway).

import { cookies } from 'next/headers'

import { ACCESS_COOKIE, API_BASE_URL } from '@/session-options.js'

/** The `Authorization` header for the current request's session, if it has one. */
export async function authorization(): Promise<Record<string, string>> {
  const token = (await cookies()).get(ACCESS_COOKIE)?.value
  return token ? { authorization: `Bearer ${token}` } : {}
}

/** `fetch` against the API (`API_BASE_URL`) with the session's bearer token. */
export async function tower(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  for (const [name, value] of Object.entries(await authorization())) headers.set(name, value)
  if (!headers.has('accept')) headers.set('accept', 'application/json')
  return fetch(`${API_BASE_URL}${path}`, { ...init, headers, cache: 'no-store', redirect: 'manual' })
}
