import { login } from './actions'

const MESSAGES: Record<string, string> = {
  invalid: 'Wrong username or password.',
  unavailable: 'The sign-in service is not answering. Try again in a moment.',
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; error?: string }>
}) {
  const { next = '/dashboard', error } = await searchParams

  return (
    <main>
      <h1>Sign in</h1>
      {error ? (
        <p role="alert" data-testid="login-error">
          {MESSAGES[error] ?? 'Sign-in failed.'}
        </p>
      ) : null}
      <form action={login}>
        <input type="hidden" name="next" value={next} />
        <p>
          <label>
            Username <input name="username" autoComplete="username" required />
          </label>
        </p>
        <p>
          <label>
            Password <input name="password" type="password" autoComplete="current-password" required />
          </label>
        </p>
        <button type="submit">Sign in</button>
      </form>
    </main>
  )
}
