import { readFileSync } from 'node:fs';

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'charts.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

export interface StaticAsset {
  type: string;
  body: Buffer;
}

/** The page's files, read once at start: three small files need no static-file server. */
export function loadAssets(dir = new URL('./public/', import.meta.url)): Map<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const [name, type] of Object.entries(TYPES)) assets.set(name, { type, body: readFileSync(new URL(name, dir)) });
  return assets;
}
