// Printing helpers shared by the benchmarks: machine line, markdown tables, number formats.
import os from 'node:os';

/** One markdown line naming what the figures were measured on. */
export function machineInfo() {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim() ?? 'unknown CPU';
  return `Node ${process.version} (V8 ${process.versions.v8}), ${os.type()} ${os.release()} ${process.arch}, ` +
    `${cpus.length} x ${model}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
    `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at start`;
}

/** Busy and total CPU time of the whole machine so far, in ms, summed over every core. */
export function machineCpuMs() {
  let busy = 0;
  let total = 0;
  for (const { times: t } of os.cpus()) {
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    busy += all - t.idle;
    total += all;
  }
  return { busy, total };
}

/**
 * Cores' worth of CPU that processes other than `ownCpuUs` (this benchmark's processes) used between
 * two {@link machineCpuMs} readings taken `elapsedMs` apart: a noise gauge for a shared machine.
 */
export function otherCores(before, after, ownCpuUs, elapsedMs) {
  const busyMs = after.busy - before.busy;
  return Math.max(0, (busyMs - ownCpuUs / 1000) / elapsedMs);
}

/**
 * A markdown table. A header starting with `>` makes its column right-aligned (the `>` is not printed).
 * @param {string[]} headers
 * @param {Array<Array<string | number>>} rows
 */
export function table(headers, rows) {
  const right = headers.map((h) => h.startsWith('>'));
  const heads = headers.map((h) => (h.startsWith('>') ? h.slice(1) : h));
  const cells = rows.map((r) => r.map(String));
  const widths = heads.map((h, i) => Math.max(h.length, 3, ...cells.map((r) => r[i].length)));
  const pad = (s, i) => (right[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (r) => `| ${r.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(heads), rule, ...cells.map(line)].join('\n');
}

/** 2712345 -> "2.71 M"; 81234 -> "81.2 k". */
export function si(value) {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)} G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(abs >= 1e5 ? 0 : 1)} k`;
  return value.toFixed(abs >= 100 ? 0 : 1);
}

/** A ratio as "8.4x". */
export function times(ratio) {
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}x`;
}
