// The package version, read once from package.json next to the build.
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    const url = new URL('../../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export const VERSION = readVersion();
