// `npm run bench`: the whole suite of issue 4, each part in its own Node process (so the JIT and
// heap state of one never colours another), with one header (machine, date, Node) and a summary
// of the targets at the end. About 2.5 minutes on 2 cores.
//
//   node bench/run.mjs [--quick] [--only hot,refresh,server,memory] [--out results.md]
//
// --quick shortens every part (for a smoke run; quote only the full run's figures).
// Exits non-zero when a part fails (outputs differ, a wrong call count, memory growth).

import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { fmtRatio, machineMarkdown, median } from './lib/harness.mjs'

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'hot,refresh,server,memory' },
    out: { type: 'string' },
  },
})

const here = (f) => fileURLToPath(new URL(f, import.meta.url))
const q = args.quick
const PARTS = {
  hot: { file: 'hot-path.mjs', argv: q ? ['--rounds', '5', '--batch-ms', '80'] : [] },
  refresh: { file: 'refresh.mjs', argv: q ? ['--rounds', '5', '--bursts', '5'] : [] },
  server: { file: 'server.mjs', argv: q ? ['--duration', '2', '--rounds', '1'] : [] },
  memory: {
    file: 'memory.mjs',
    node: ['--expose-gc'],
    argv: q
      ? ['--checks', '200000', '--refreshes', '2000', '--step-ms', '500', '--steps', '10', '--warmup-steps', '3']
      : [],
  },
}

const tmp = mkdtempSync(join(tmpdir(), 'glyde-bench-'))
const sections = [`# glyde-session benchmarks\n\n${machineMarkdown()}\n`]
const data = {}
let failed = []

for (const name of args.only.split(',')) {
  const part = PARTS[name]
  if (!part) throw new Error(`unknown part ${name} (hot, refresh, server, memory)`)
  const json = join(tmp, `${name}.json`)
  console.error(`[bench] --- ${name} ---`)
  const t0 = Date.now()
  const { code, stdout } = await new Promise((resolve) => {
    const child = spawn(process.execPath, [...(part.node ?? []), here(part.file), ...part.argv], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, GLYDE_BENCH_SUITE: '1', GLYDE_BENCH_JSON: json },
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('close', (c) => resolve({ code: c, stdout: out }))
  })
  console.error(`[bench] ${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s, exit ${code}`)
  sections.push(stdout.trim() + '\n')
  if (code !== 0) failed.push(`${name} (exit ${code})`)
  try {
    data[name] = JSON.parse(readFileSync(json, 'utf8'))
  } catch {}
}
rmSync(tmp, { recursive: true, force: true })

// Targets of issue 4, from this run's figures.
const targets = []
const target = (name, figures, ok) => targets.push(`| ${name} | ${figures} | ${ok ? 'met' : 'MISSED'} |`)
const signed = (x, digits) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`
if (data.hot) {
  const by = (prefix) => data.hot.hotPath.find((r) => r.name.startsWith(prefix))
  const base = by('cookie + jose (plain').median
  const hand = by('hand-tuned').median
  for (const prefix of ['native checkSession (plain', 'native checkSession (Headers', 'native createSession']) {
    const row = by(prefix)
    if (!row) continue
    const [vsBase, vsHand] = [row.median / base, row.median / hand]
    const figures = `${fmtRatio(vsBase)} cookie + jose (≥ 1.50×), ${fmtRatio(vsHand)} hand-tuned (≥ 1.00×)`
    target(`hot path: ${row.name}`, figures, vsBase >= 1.5 && vsHand >= 1)
  }
}
if (data.refresh) {
  const single = (prefix) => data.refresh.single.find((r) => r.name.startsWith(prefix))
  const burst = (prefix) => data.refresh.burst.find((r) => r.name.startsWith(prefix))
  const [nat, js] = [single('native refreshSession'), single('fetch')]
  if (nat)
    target('single refresh p99', `native ${nat.p99.toFixed(2)} ms, fetch ${js.p99.toFixed(2)} ms`, nat.p99 <= js.p99)
  const [bn, bj] = [burst('native'), burst('cookie')]
  if (bn) {
    const calls = `${[...new Set(bn.calls)].join(', ')} per burst (naive JS: ${Math.max(...bj.calls)})`
    target(
      'burst upstream calls',
      calls,
      bn.calls.every((c) => c === 1),
    )
    target('burst p99', `native ${bn.p99.toFixed(2)} ms, naive JS ${bj.p99.toFixed(2)} ms`, bn.p99 <= bj.p99)
  }
}
if (data.server) {
  const rps = (mode) => median(data.server.find((a) => a.mode === mode).runs.map((r) => r.rps))
  if (data.server.some((a) => a.mode === 'native')) {
    const share = rps('native') / rps('none')
    target('whole server', `${(share * 100).toFixed(1)}% of the no-check req/s (≥ 97%)`, share >= 0.97)
  }
}
if (data.memory) {
  const m = data.memory
  const figures =
    `RSS ${signed(m.rssGrowth, 1)} MB (≤ ${m.RSS_LIMIT_MB}), ` +
    `heapUsed ${signed(m.heapGrowth, 2)} MB (≤ ${m.HEAP_LIMIT_MB})`
  target(
    'memory after warm-up',
    figures,
    m.rssGrowth <= m.RSS_LIMIT_MB && m.heapGrowth <= m.HEAP_LIMIT_MB && !m.failures,
  )
}
if (targets.length) {
  sections.push(`## Targets (issue 4)\n\n| target | this run | |\n| --- | --- | --- |\n${targets.join('\n')}\n`)
}

const report = sections.join('\n')
console.log(report)
if (args.out) writeFileSync(args.out, report)
if (failed.length) {
  console.error(`[bench] failed: ${failed.join(', ')}`)
  process.exit(1)
}
