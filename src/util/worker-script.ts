// Where a worker thread's script is: next to the calling module when running the built JavaScript,
// or the compiled copy under dist/ when running from the TypeScript sources (vitest).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** `name` (a .js file) next to the module `here` (its import.meta.url), or dist's copy; null if neither exists. */
export function builtScript(name: string, here: string): URL | null {
  const local = new URL(`./${name}`, here);
  if (existsSync(fileURLToPath(local))) return local;
  const m = /^(.*)[\\/]src[\\/](.*[\\/])?[^\\/]+$/.exec(fileURLToPath(here));
  if (!m) return null;
  const built = pathToFileURL(`${m[1]}/dist/src/${m[2] ?? ''}${name}`);
  return existsSync(fileURLToPath(built)) ? built : null;
}
