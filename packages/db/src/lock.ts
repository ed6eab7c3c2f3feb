import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { DomainError } from "@khaacho/core";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes an exclusive lock on an embedded database directory: PGlite has one writer, and two
 * processes on the same files would corrupt them. A lock left by a dead process is taken over.
 * Returns a function that releases it.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, "khaacho.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        rmSync(path, { force: true });
      };
      process.on("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new DomainError(
          "database_locked",
          `the embedded database in ${dataDir} is in use by another khaacho process (pid ${pid}); stop it first, or set DATABASE_URL to use a PostgreSQL server`,
          { dataDir, pid },
        );
      }
      if (pid === process.pid) {
        throw new DomainError("database_locked", `the embedded database in ${dataDir} is already open in this process`, { dataDir, pid });
      }
      rmSync(path, { force: true });
    }
  }
  throw new DomainError("database_locked", `could not lock the embedded database in ${dataDir}`, { dataDir });
}
