import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config-error';

const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/**
 * Creates `path` and its missing parents, one level at a time, or confirms it is a directory.
 * `mkdirSync(…, { recursive: true })` is not used: on a path it can never create (under `/proc`, for
 * one) it retries without end instead of failing, and its errors do not say which setting was wrong.
 * @param setting the environment variable or option the path came from (`LEDGER_DATA_DIR`, `--out`), named in the error.
 * @throws ConfigError naming `setting` when an existing part of the path is not a directory or a
 *   missing one cannot be created (with the system's reason: `EACCES`, `ENOENT`, `EROFS`…).
 */
export function ensureDirectory(path: string, setting: string): void {
  const missing: string[] = [];
  for (let current = resolve(path); ; ) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(current).isDirectory();
    } catch (err) {
      const code = codeOf(err);
      if (code === 'ENOTDIR') throw new ConfigError([`${setting}: cannot use ${path}: a part of it is a file, not a directory`]);
      if (code !== 'ENOENT') throw new ConfigError([`${setting}: cannot use ${path}: ${current} cannot be read (${code})`]);
      missing.push(current);
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
      continue;
    }
    if (!isDirectory) throw new ConfigError([`${setting}: cannot use ${path}: ${current} is not a directory`]);
    break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (err) {
      if (codeOf(err) !== 'EEXIST') throw new ConfigError([`${setting}: cannot create ${dir} (${codeOf(err)})`]);
    }
  }
}
