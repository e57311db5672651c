import { cookies } from 'next/headers'
import { redirect } from 'next/navigation'

import { tower } from '@/lib/tower'
import { logout } from '../login/actions'
import { Items } from './items'
import { setTheme } from './theme'

// A Server Component: it calls the API with the token from the request's cookies. The proxy has
// already refreshed that token when it was due, so the call below never meets an expired one.
export default async function DashboardPage() {
  const response = await tower('/auth/me')
  if (response.status === 401) redirect('/login?next=/dashboard')
  if (!response.ok) throw new Error(`The API answered ${response.status} to /auth/me`)
  const me = (await response.json()) as { username: string; name: string }
  const theme = (await cookies()).get('theme')?.value ?? 'light'

  return (
    <main>
      <h1>
        Hello, <span data-testid="user-name">{me.name}</span>
      </h1>
      <p>
        Signed in as <code data-testid="username">{me.username}</code>.
      </p>
      <Items />
      <form action={setTheme}>
        Theme: <output data-testid="theme">{theme}</output>{' '}
        <button type="submit" name="theme" value={theme === 'dark' ? 'light' : 'dark'}>
          Switch to {theme === 'dark' ? 'light' : 'dark'}
        </button>
      </form>
      <form action={logout}>
        <button type="submit">Sign out</button>
      </form>
    </main>
  )
}
