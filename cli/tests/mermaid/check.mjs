// Parses Mermaid files with the real Mermaid parser (in jsdom), for tests/mermaid.rs.
// Usage: node check.mjs NODE_MODULES_DIR FILE..; exit 1 when one does not parse.
import { createRequire } from 'module';
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [modules, ...files] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'noop.js'));
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(pathToFileURL(require.resolve('mermaid')).href);
mermaid.initialize({ startOnLoad: false });
let failed = 0;
for (const f of files) {
  try {
    const r = await mermaid.parse(fs.readFileSync(f, 'utf8'));
    console.log('ok', f, r.diagramType);
  } catch (e) {
    failed++;
    console.log('FAIL', f, String(e.message || e));
  }
}
process.exit(failed ? 1 : 0);
