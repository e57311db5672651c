// A tiny cookie jar for the walkthrough: what a browser does with one site's cookies, and no more.
//
// It keeps cookies by name for a single origin (the demo app), honours `Max-Age` and `Expires`
// (an expired cookie is dropped, as a browser drops it), and sends `Secure` cookies to
// http://127.0.0.1 because browsers treat loopback as a secure context. Paths and domains are not
// matched: every cookie in the demo has `Path=/` and no `Domain`.

export class CookieJar {
  #cookies = new Map()

  /** Store the cookies of a response's Set-Cookie values; `Max-Age=0` deletes one. */
  receive(setCookieValues) {
    for (const line of setCookieValues) {
      const [pair, ...attributes] = line.split(';')
      const at = pair.indexOf('=')
      if (at < 1) continue
      const name = pair.slice(0, at).trim()
      const value = pair.slice(at + 1).trim()

      let expiresAt = Infinity
      for (const attribute of attributes) {
        const [key, arg = ''] = attribute.split('=').map((s) => s.trim())
        if (/^max-age$/i.test(key)) expiresAt = Date.now() + Number(arg) * 1000
        else if (/^expires$/i.test(key) && expiresAt === Infinity) expiresAt = Date.parse(arg)
      }
      if (expiresAt <= Date.now()) this.#cookies.delete(name)
      else this.#cookies.set(name, { value, expiresAt })
    }
  }

  #dropExpired() {
    const now = Date.now()
    for (const [name, cookie] of this.#cookies) if (cookie.expiresAt <= now) this.#cookies.delete(name)
  }

  /** The Cookie request header, or undefined when the jar is empty. */
  header() {
    this.#dropExpired()
    const pairs = [...this.#cookies].map(([name, cookie]) => `${name}=${cookie.value}`)
    return pairs.length > 0 ? pairs.join('; ') : undefined
  }

  /** Names of the cookies held now. */
  names() {
    this.#dropExpired()
    return [...this.#cookies.keys()]
  }

  /** The value of one cookie, for comparisons; the walkthrough never prints it. */
  value(name) {
    this.#dropExpired()
    return this.#cookies.get(name)?.value
  }

  /** Milliseconds since the epoch at which a cookie expires, or undefined. */
  expiresAt(name) {
    return this.#cookies.get(name)?.expiresAt
  }

  /** An independent copy: a second tab that keeps the cookies it had at this moment. */
  clone() {
    const copy = new CookieJar()
    for (const [name, cookie] of this.#cookies) copy.#cookies.set(name, { ...cookie })
    return copy
  }
}
