'use server'

import { cookies } from 'next/headers'

/**
 * Remember the visitor's theme. A server action that writes a cookie of its own: the session's
 * cookies, refreshed by the proxy or the custom server on the same request, must survive it.
 */
export async function setTheme(formData: FormData): Promise<void> {
  const theme = formData.get('theme') === 'dark' ? 'dark' : 'light'
  ;(await cookies()).set('theme', theme, { sameSite: 'lax', path: '/', maxAge: 365 * 24 * 3600 })
}
