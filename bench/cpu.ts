// CPU time spent by processes, read from Linux's /proc (clock ticks of user + system time), to
// report what one request or order costs each side. On a shared machine throughput swings
// between runs; CPU per operation moves much less. Elsewhere than Linux it reports nothing.
import { existsSync, readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

function ticksOf(pid: string): { name: string; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    return { name: stat.slice(stat.indexOf("(") + 1, close), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // the process ended
  }
}

/** CPU milliseconds one process has used so far, or undefined off Linux. */
export function processCpuMs(pid: number): number | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  return (ticksOf(String(pid))?.ticks ?? 0) * TICK_MS;
}

/** CPU milliseconds used so far by one process and by every process named `postgres`. */
export function cpuSnapshot(pid?: number): { process: number; postgres: number } | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  let postgres = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const t = ticksOf(entry);
    if (t?.name === "postgres") postgres += t.ticks;
  }
  const own = pid === undefined ? 0 : (ticksOf(String(pid))?.ticks ?? 0);
  return { process: own * TICK_MS, postgres: postgres * TICK_MS };
}

/** CPU ms per operation between two snapshots, or undefined when they are not available. */
export function cpuPerOperation(
  before: ReturnType<typeof cpuSnapshot>,
  after: ReturnType<typeof cpuSnapshot>,
  operations: number,
): { process: number; postgres: number } | undefined {
  if (!before || !after || operations <= 0) return undefined;
  return { process: (after.process - before.process) / operations, postgres: (after.postgres - before.postgres) / operations };
}
