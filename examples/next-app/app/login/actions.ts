'use server'

import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'

import { cookieMaxAge } from '@/lib/jwt'
import { authorization } from '@/lib/tower'
import { ACCESS_COOKIE, API_BASE_URL, COOKIE_SECURE, REFRESH_COOKIE } from '@/session-options.js'

/** Only a same-origin path may be a return-to target. */
function safeNext(value: FormDataEntryValue | null): string {
  const next = typeof value === 'string' ? value : ''
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/dashboard'
}

function backToLogin(error: string, next: string): never {
  redirect(`/login?error=${error}&next=${encodeURIComponent(next)}`)
}

/** Exchange a username and password for tokens, and keep both in httpOnly cookies. */
export async function login(formData: FormData): Promise<void> {
  const next = safeNext(formData.get('next'))
  const credentials = {
    username: String(formData.get('username') ?? ''),
    password: String(formData.get('password') ?? ''),
  }

  let response: Response
  try {
    response = await fetch(`${API_BASE_URL}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(credentials),
      cache: 'no-store',
    })
  } catch {
    backToLogin('unavailable', next)
  }
  if (response.status === 400 || response.status === 401) backToLogin('invalid', next)
  if (!response.ok) backToLogin('unavailable', next)

  const { access, refresh } = (await response.json()) as { access: string; refresh: string }
  const jar = await cookies()
  // The same attributes the engine writes when it refreshes (HttpOnly; Secure; SameSite=Lax;
  // Path=/), so its cookies replace these and its deletions remove them.
  const attributes = { httpOnly: true, secure: COOKIE_SECURE, sameSite: 'lax' as const, path: '/' }
  jar.set(ACCESS_COOKIE, access, { ...attributes, maxAge: cookieMaxAge(access) })
  jar.set(REFRESH_COOKIE, refresh, { ...attributes, maxAge: cookieMaxAge(refresh) })
  redirect(next)
}

/** Blacklist the refresh token at the API and drop both cookies. */
export async function logout(): Promise<void> {
  const jar = await cookies()
  const refresh = jar.get(REFRESH_COOKIE)?.value
  if (refresh) {
    await fetch(`${API_BASE_URL}/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authorization()) },
      body: JSON.stringify({ refresh }),
      cache: 'no-store',
    }).catch(() => undefined)
  }
  const attributes = { httpOnly: true, secure: COOKIE_SECURE, sameSite: 'lax' as const, path: '/' }
  jar.set(ACCESS_COOKIE, '', { ...attributes, maxAge: 0 })
  jar.set(REFRESH_COOKIE, '', { ...attributes, maxAge: 0 })
  redirect('/login')
}
