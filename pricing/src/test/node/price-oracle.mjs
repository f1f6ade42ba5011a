// The independent side of PriceSourceOracleIT: prices calls with the price source's own calculator
// (@pydantic/genai-prices calcPrice). Reads one JSON call per line from the file named by argv[2]:
//   {"id": "...", "provider": "<source provider id>", "model": "...", "at": <epoch millis>, "usage": {...}}
// and prints one JSON line per call: {"id", "total": "<JS number text>"|null, "provider", "model", "error"}.
// The number is printed with JavaScript's shortest round-trip text, so Java reads the exact double.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(process.env.ORACLE_MODULES + '/node_modules/');
const { calcPrice } = require('@pydantic/genai-prices');

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.trim() !== '');
const out = [];
for (const line of lines) {
  const call = JSON.parse(line);
  try {
    const r = calcPrice(call.usage, call.model, { providerId: call.provider, timestamp: new Date(call.at) });
    out.push(JSON.stringify(r === null
      ? { id: call.id, total: null }
      : { id: call.id, total: String(r.total_price), provider: r.provider.id, model: r.model.id }));
  } catch (e) {
    out.push(JSON.stringify({ id: call.id, total: null, error: String(e.message ?? e) }));
  }
}
process.stdout.write(out.join('\n') + '\n');
