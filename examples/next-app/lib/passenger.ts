// The "passenger" client: the browser's instance of the API client. The browser cannot read the
// httpOnly token cookie, so it calls the app's own /api/proxy/... route, which the proxy checks
// (refreshing the token when due) and which forwards the call with the bearer token. A dead
// session answers 401 JSON there (never a login page, which a fetch could not use): the passenger
// then sends the user to the login page, coming back here afterwards.

export class SessionExpiredError extends Error {
  constructor() {
    super('The session has ended: sign in again.')
    this.name = 'SessionExpiredError'
  }
}

/** `fetch('/api/proxy' + path)`; on 401 goes to /login?next=<this page> and throws. */
export async function passenger(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (!headers.has('accept')) headers.set('accept', 'application/json')
  const response = await fetch(`/api/proxy${path}`, { ...init, headers, credentials: 'same-origin' })

  if (response.status === 401) {
    const here = window.location.pathname + window.location.search
    window.location.assign(`/login?next=${encodeURIComponent(here)}`)
    throw new SessionExpiredError()
  }
  return response
}
