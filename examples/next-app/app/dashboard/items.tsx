'use client'

import { useState } from 'react'

import { passenger } from '@/lib/passenger'

type Item = { id: number; name: string }

// A Client Component: it reaches the API through the passenger client (/api/proxy/...).
export function Items() {
  const [items, setItems] = useState<Item[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function load() {
    setError(null)
    try {
      const response = await passenger('/api/items')
      if (!response.ok) throw new Error(`The API answered ${response.status}`)
      setItems(((await response.json()) as { items: Item[] }).items)
    } catch (err) {
      setError((err as Error).message)
    }
  }

  return (
    <section>
      <button type="button" onClick={load} data-testid="load-items">
        Load my items
      </button>
      {error ? <p role="alert">{error}</p> : null}
      {items ? (
        <ul data-testid="items">
          {items.map((item) => (
            <li key={item.id}>{item.name}</li>
          ))}
        </ul>
      ) : null}
    </section>
  )
}
