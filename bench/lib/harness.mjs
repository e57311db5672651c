// A small benchmark harness with no dependencies: interleaved rounds (every contender runs once
// per round, in a rotating order, so a noisy neighbour hurts all of them alike), medians, ratios
// against a baseline, and markdown output with the machine, date and Node version.

import os from 'node:os'
import { isDeepStrictEqual } from 'node:util'

export const log = (...args) => console.error('[bench]', ...args)

export function median(values) {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]
}

export const fmtInt = (n) => Math.round(n).toLocaleString('en-US')
export const fmtRatio = (r) => `${r.toFixed(2)}×`
export const fmtMs = (ms) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1))

export function machine() {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  }
}

export function machineMarkdown(m = machine()) {
  return [`- Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB RAM, ${m.os}`, `- Node ${m.node}, ${m.date}`].join(
    '\n',
  )
}

export function table(headers, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(headers), line(headers.map((h, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n')
}

/** Prints the header line unless run.mjs prints one for the whole suite. */
export function printHeader(title) {
  if (!process.env.GLYDE_BENCH_SUITE) {
    console.log(`# ${title}\n\n${machineMarkdown()}\n`)
  }
}

/** Asserts that every contender produced the same projection of its result as the first one. */
export function assertSameOutputs(label, outputs, project = (x) => x) {
  const [first, ...rest] = outputs
  const want = project(first.value)
  for (const o of rest) {
    const got = project(o.value)
    if (!isDeepStrictEqual(got, want)) {
      throw new Error(
        `${label}: "${o.name}" differs from "${first.name}"\n` +
          `  ${first.name}: ${JSON.stringify(want)}\n  ${o.name}: ${JSON.stringify(got)}`,
      )
    }
  }
}

/** Runs `fn` (awaited) `n` times in a row; returns ops per second. */
async function batch(fn, n) {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await fn()
  return n / (Number(process.hrtime.bigint() - t0) / 1e9)
}

/**
 * Interleaved throughput measurement. Each contender is `{ name, fn }`, `fn` returning a promise
 * (or a value) that is awaited. Batch sizes are calibrated per contender so a batch lasts about
 * `batchMs`; then `rounds` rounds run every contender once, in a rotated order.
 */
export async function interleaved(contenders, { rounds = 15, batchMs = 150, warmupMs = 400 } = {}) {
  const sizes = new Map()
  for (const c of contenders) {
    let n = 1000
    const t0 = performance.now()
    while (performance.now() - t0 < warmupMs) await batch(c.fn, n)
    const rate = await batch(c.fn, n * 4)
    sizes.set(c, Math.max(1000, Math.round((rate * batchMs) / 1000)))
  }
  const samples = new Map(contenders.map((c) => [c, []]))
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(r + k) % contenders.length]
      samples.get(c).push(await batch(c.fn, sizes.get(c)))
    }
  }
  return contenders.map((c) => {
    const s = samples.get(c)
    return {
      name: c.name,
      median: median(s),
      min: Math.min(...s),
      max: Math.max(...s),
      samples: s,
      batch: sizes.get(c),
    }
  })
}
