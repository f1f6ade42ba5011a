#!/usr/bin/env node
// Prints the provider data embedded in an unpacked copy of the npm package
// @pydantic/genai-prices (MIT) as JSON: the package's Provider[] array, the same structure as
// the source's prices/new_data/v2/data.json. The Java converter (bin/price convert) reads it.
//
// Usage: node tools/prices/dump-genai-prices.mjs <unpacked package dir> > data.json
//
// The data comes from the package's public waitForUpdate(), which resolves to its embedded
// data while no remote update was requested. Numbers are written by JSON.stringify, i.e. as the
// shortest decimal that reads back as the same double; the package's price literals have far
// fewer than 15 significant digits, so that text is the literal's exact decimal value.

import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2];
if (!dir || process.argv.length > 3) {
  process.stderr.write('usage: dump-genai-prices.mjs <unpacked @pydantic/genai-prices dir>\n');
  process.exit(2);
}
const pkg = await import(pathToFileURL(join(resolve(dir), 'dist', 'index.js')).href);
const data = await pkg.waitForUpdate();
if (!Array.isArray(data)) {
  process.stderr.write('waitForUpdate() did not return a Provider[] array\n');
  process.exit(1);
}
process.stdout.write(JSON.stringify(data, null, 1) + '\n');
