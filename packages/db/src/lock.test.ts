import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lockDataDir } from "./lock.js";

describe("lockDataDir", () => {
  it("refuses a directory held by a live process and names it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "khaacho-lock-"));
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
    try {
      writeFileSync(join(dir, "khaacho.lock"), `${child.pid}\n`);
      expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by another khaacho process \\(pid ${child.pid}\\)`));
    } finally {
      child.kill();
    }
  });

  it("takes over a lock left by a dead process, and releases it", () => {
    const dir = mkdtempSync(join(tmpdir(), "khaacho-lock-"));
    writeFileSync(join(dir, "khaacho.lock"), "999999999\n");
    const release = lockDataDir(dir);
    expect(existsSync(join(dir, "khaacho.lock"))).toBe(true);
    expect(() => lockDataDir(dir)).toThrow(/already open in this process/);
    release();
    expect(existsSync(join(dir, "khaacho.lock"))).toBe(false);
  });
});
