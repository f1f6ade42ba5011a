#!/usr/bin/env node
// Generates stream-processor/src/main/resources/prices/model-prices.json from an unpacked
// copy of the npm package @pydantic/genai-prices (MIT). Not used at build time: the JSON
// output is committed. No dependencies besides Node (>= 18) and the unpacked package.
//
// Usage:
//   node tools/prices/generate-model-prices.mjs <unpacked package dir> [options] > model-prices.json
// Options:
//   --generated-on YYYY-MM-DD  value of "generated_on" (default: today, UTC)
//   --source-date YYYY-MM-DD   value of "source_date" (default: the package's npm publish
//                              date from PUBLISH_DATES below; required for unknown versions)
//   --alias-report             print a text report about the package's model aliases and
//                              matching rules instead of the JSON
//
// Price numbers are read as literal text from the package's compiled data (dist/index.js)
// and converted by decimal string shifting, never through floating point arithmetic.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// npm publish dates (`npm view @pydantic/genai-prices time --json`); the package itself
// does not record when its prices were checked.
const PUBLISH_DATES = { '0.1.8': '2026-09-23' };

// package provider id -> spendstream provider name. Providers not listed are skipped.
const PROVIDERS = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  mistral: 'mistral',
  'x-ai': 'xai',
  deepseek: 'deepseek',
  groq: 'groq',
  together: 'together',
  fireworks: 'fireworks',
  cerebras: 'cerebras',
  aws: 'bedrock',
};

const DEFAULT_START = '2020-01-01';
const MAX_FRACTION_DIGITS = 9;
const DESCRIPTION =
  'spendstream seed model price catalog. Prices in USD per 1,000,000 tokens as exact decimal strings.';

// A trailing suffix the stream processor strips when resolving a dated model name.
const STRIP_SUFFIX = /(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-latest)$/;

// ---------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const opts = { pkgDir: null, generatedOn: null, sourceDate: null, aliasReport: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--generated-on') opts.generatedOn = argv[++i];
    else if (a === '--source-date') opts.sourceDate = argv[++i];
    else if (a === '--alias-report') opts.aliasReport = true;
    else if (a.startsWith('--')) fail(`unknown option ${a}`);
    else if (opts.pkgDir === null) opts.pkgDir = a;
    else fail(`unexpected argument ${a}`);
  }
  if (!opts.pkgDir) fail('usage: generate-model-prices.mjs <unpacked @pydantic/genai-prices dir> [--generated-on YYYY-MM-DD] [--source-date YYYY-MM-DD] [--alias-report]');
  for (const k of ['generatedOn', 'sourceDate']) {
    if (opts[k] !== null && !/^\d{4}-\d{2}-\d{2}$/.test(opts[k] ?? '')) fail(`--${k} must be YYYY-MM-DD`);
  }
  return opts;
}

function fail(msg) {
  process.stderr.write(msg + '\n');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------
// Reading the package's provider data literal, keeping number literals as text.

class Num {
  constructor(text) { this.text = text; }
}

function loadProviders(pkgDir) {
  const src = readFileSync(join(pkgDir, 'dist', 'index.js'), 'utf8');
  const m = /(?:^|[\s;,])(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*\[\s*\{\s*id:/m.exec(src);
  if (!m) fail('provider data literal not found in dist/index.js');
  let i = src.indexOf('[', m.index);

  const ws = () => { while (i < src.length && /\s/.test(src[i])) i++; };
  const err = (what) => fail(`parse error (${what}) at offset ${i}: ${JSON.stringify(src.slice(i, i + 60))}`);

  function str() {
    const q = src[i++];
    let out = '';
    for (;;) {
      if (i >= src.length) err('unterminated string');
      const c = src[i];
      if (c === q) { i++; return out; }
      if (c === '\\') {
        const e = src[i + 1];
        const simple = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' };
        if (e === 'u' && src[i + 2] === '{') {
          const end = src.indexOf('}', i);
          out += String.fromCodePoint(parseInt(src.slice(i + 3, end), 16));
          i = end + 1;
        } else if (e === 'u') {
          out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
          i += 6;
        } else if (e === 'x') {
          out += String.fromCharCode(parseInt(src.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (e === '\n') {
          i += 2;
        } else {
          out += e in simple ? simple[e] : e;
          i += 2;
        }
        continue;
      }
      if (q === '`' && c === '$' && src[i + 1] === '{') err('template expression');
      out += c;
      i++;
    }
  }

  function value() {
    ws();
    const c = src[i];
    if (c === '[') {
      i++;
      const arr = [];
      for (;;) {
        ws();
        if (src[i] === ']') { i++; return arr; }
        arr.push(value());
        ws();
        if (src[i] === ',') i++;
        else if (src[i] !== ']') err('expected , or ]');
      }
    }
    if (c === '{') {
      i++;
      const obj = {};
      for (;;) {
        ws();
        if (src[i] === '}') { i++; return obj; }
        let key;
        if (src[i] === '"' || src[i] === "'") key = str();
        else {
          const k = /^(?:[A-Za-z_$][\w$]*|\d+)/.exec(src.slice(i, i + 200));
          if (!k) err('bad key');
          key = k[0];
          i += key.length;
        }
        ws();
        if (src[i] !== ':') err('expected :');
        i++;
        obj[key] = value();
        ws();
        if (src[i] === ',') i++;
        else if (src[i] !== '}') err('expected , or }');
      }
    }
    if (c === '"' || c === "'" || c === '`') return str();
    if (c === '!' && (src[i + 1] === '0' || src[i + 1] === '1')) {
      const v = src[i + 1] === '0';
      i += 2;
      return v;
    }
    const n = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i, i + 64));
    if (n) { i += n[0].length; return new Num(n[0]); }
    for (const [kw, v] of [['null', null], ['true', true], ['false', false]]) {
      if (src.startsWith(kw, i) && !/[\w$]/.test(src[i + kw.length])) { i += kw.length; return v; }
    }
    err('unexpected token');
  }

  return value();
}

// ---------------------------------------------------------------------------------------
// Exact decimals

// Converts a JS numeric literal ("0.15", "5e-3", "3625e-6", "2e5") to the shortest exact
// plain decimal string by shifting digits. Returns null for negative values.
function toDecimal(text) {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) throw new Error(`not a number literal: ${text}`);
  if (m[1] === '-') return null;
  let digits = (m[2] || '') + (m[3] || '');
  let point = (m[2] || '').length + Number(m[4] || 0); // position of the decimal point in digits
  if (point < 0) { digits = '0'.repeat(-point) + digits; point = 0; }
  if (point > digits.length) { digits = digits + '0'.repeat(point - digits.length); }
  let int = digits.slice(0, point).replace(/^0+/, '') || '0';
  let frac = digits.slice(point).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

function fractionDigits(dec) {
  const p = dec.indexOf('.');
  return p < 0 ? 0 : dec.length - p - 1;
}

// ---------------------------------------------------------------------------------------
// Catalog

function priceOf(v, stats, key) {
  if (v === undefined || v === null) return { value: null, tiered: false };
  if (v instanceof Num) return { value: toDecimal(v.text), tiered: false };
  if (typeof v === 'object' && v.base instanceof Num && Array.isArray(v.tiers)) {
    // Tiered (e.g. prompt length > 200k): use the base, i.e. lowest, tier.
    return { value: toDecimal(v.base.text), tiered: v.tiers.length > 0 };
  }
  throw new Error(`unsupported price value for ${key}: ${JSON.stringify(v)}`);
}

function stripSuffix(name) {
  let prev;
  do { prev = name; name = name.replace(STRIP_SUFFIX, ''); } while (name !== prev);
  return name;
}

function matchLeaves(match, out = []) {
  if (match.or) match.or.forEach((x) => matchLeaves(x, out));
  else if (match.and) out.push({ and: match.and });
  else for (const [k, v] of Object.entries(match)) out.push({ [k]: v });
  return out;
}

function build(providers, pkgDir, opts) {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const sourceDate = opts.sourceDate ?? PUBLISH_DATES[pkg.version];
  if (!sourceDate) fail(`no known publish date for version ${pkg.version}: pass --source-date (npm view @pydantic/genai-prices time --json)`);
  const generatedOn = opts.generatedOn ?? new Date().toISOString().slice(0, 10);

  const entries = [];
  const notes = { tiered: [], history: [], dropped: [], skipped: [], timeOfDay: [], outputDefaulted: [], merged: [], futureDated: [], aliasesEmitted: [] };
  const modelsByProvider = new Map(); // provider -> Map(modelId -> {periods, model})

  for (const p of providers) {
    const provider = PROVIDERS[p.id];
    if (!provider) continue;
    const source = (p.pricing_urls && p.pricing_urls[0]) || 'npm @pydantic/genai-prices';
    const byId = new Map();
    modelsByProvider.set(provider, byId);

    for (const m of p.models) {
      const model = m.id.toLowerCase();
      // Price periods: plain prices, or conditional prices. Time-of-day conditions are
      // dropped (base price kept); start_date conditions become history periods.
      let raw;
      if (Array.isArray(m.prices)) {
        const tod = m.prices.filter((c) => c.constraint && c.constraint.type === 'time_of_date');
        if (tod.length) notes.timeOfDay.push(`${provider}/${model}`);
        raw = m.prices.filter((c) => !(c.constraint && c.constraint.type === 'time_of_date'));
        raw.forEach((c, idx) => {
          if (!c.constraint && idx > 0) throw new Error(`${p.id}/${m.id}: unconstrained price after constrained ones`);
          if (c.constraint && c.constraint.type !== 'start_date') throw new Error(`${p.id}/${m.id}: unknown constraint ${JSON.stringify(c.constraint)}`);
        });
        if (!raw.length) throw new Error(`${p.id}/${m.id}: only time-of-day prices`);
        raw = raw.map((c) => ({ start: c.constraint ? c.constraint.start_date : null, prices: c.prices }));
        for (let k = 1; k < raw.length; k++) {
          if (raw[k - 1].start !== null && raw[k - 1].start >= raw[k].start) throw new Error(`${p.id}/${m.id}: start dates not ascending`);
        }
      } else {
        raw = [{ start: null, prices: m.prices }];
      }

      const periods = [];
      let anyTiered = false;
      for (const r of raw) {
        const pr = r.prices || {};
        const fields = {
          input_per_mtok: priceOf(pr.input_mtok, notes, 'input_mtok'),
          output_per_mtok: priceOf(pr.output_mtok, notes, 'output_mtok'),
          cached_input_per_mtok: priceOf(pr.cache_read_mtok, notes, 'cache_read_mtok'),
          cache_write_per_mtok: priceOf(pr.cache_write_mtok, notes, 'cache_write_mtok'),
          reasoning_per_mtok: priceOf(pr.output_reasoning_mtok, notes, 'output_reasoning_mtok'),
        };
        if (Object.values(fields).some((f) => f.tiered)) anyTiered = true;
        const vals = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.value]));
        if (vals.input_per_mtok === null && vals.output_per_mtok === null) {
          const keys = Object.keys(pr).join(',') || 'no prices';
          notes.skipped.push(`${provider}/${model}${r.start ? '@' + r.start : ''} (${keys})`);
          continue;
        }
        if (vals.input_per_mtok === null) throw new Error(`${p.id}/${m.id}: output price without input price`);
        if (vals.output_per_mtok === null) {
          // Input-only pricing (embeddings): nothing is billed for output tokens.
          vals.output_per_mtok = '0';
          notes.outputDefaulted.push(`${provider}/${model}`);
        }
        periods.push({ start: r.start, vals });
      }
      if (!periods.length) continue;
      if (anyTiered) notes.tiered.push(`${provider}/${model}`);

      // Merge consecutive periods whose emitted prices are identical (a change that only
      // touched prices this catalog does not carry, e.g. web search).
      const merged = [];
      for (const per of periods) {
        const last = merged[merged.length - 1];
        if (last && JSON.stringify(last.vals) === JSON.stringify(per.vals)) {
          notes.merged.push(`${provider}/${model}@${per.start}`);
          continue;
        }
        merged.push(per);
      }

      const out = [];
      merged.forEach((per, idx) => {
        let start = per.start;
        if (idx === 0 && (start === null || start > DEFAULT_START)) start = DEFAULT_START;
        if (start === null) throw new Error(`${p.id}/${m.id}: missing start date`);
        if (start > generatedOn) notes.futureDated.push(`${provider}/${model}@${start}`);
        const entry = {
          provider,
          model,
          effective_from: `${start}T00:00:00Z`,
          ...per.vals,
          source,
          source_date: sourceDate,
        };
        const tooPrecise = Object.entries(per.vals).filter(([, v]) => v !== null && fractionDigits(v) > MAX_FRACTION_DIGITS);
        if (tooPrecise.length) {
          notes.dropped.push(`${provider}/${model}@${start} (${tooPrecise.map(([k, v]) => `${k}=${v}`).join(', ')})`);
          return;
        }
        out.push(entry);
      });
      if (out.length > 1) notes.history.push(`${provider}/${model}: ${out.map((e) => e.effective_from.slice(0, 10)).join(', ')}`);
      if (byId.has(model)) throw new Error(`duplicate model id ${provider}/${model}`);
      byId.set(model, { m, out });
      entries.push(...out);
    }
  }

  // Exact alternative ids that are dated snapshots: emitted only when stripping their date
  // would resolve them to a different entry with a different price.
  for (const [provider, byId] of modelsByProvider) {
    for (const [model, { m, out }] of byId) {
      for (const leaf of matchLeaves(m.match)) {
        if (!('equals' in leaf)) continue;
        const alias = leaf.equals.toLowerCase();
        if (alias === model || byId.has(alias)) continue;
        const base = stripSuffix(alias);
        if (base === alias || base === model || !byId.has(base)) continue;
        const other = byId.get(base).out;
        const samePrices = JSON.stringify(other.map(pricePart)) === JSON.stringify(out.map(pricePart));
        if (samePrices) continue;
        notes.aliasesEmitted.push(`${provider}/${alias} (prices of ${model}, not ${base})`);
        entries.push(...out.map((e) => ({ ...e, model: alias })));
      }
    }
  }

  entries.sort((a, b) => cmp(a.provider, b.provider) || cmp(a.model, b.model) || cmp(a.effective_from, b.effective_from));

  const catalog = {
    description: DESCRIPTION,
    generated_from: `npm ${pkg.name}@${pkg.version} (${pkg.license})`,
    generated_on: generatedOn,
    prices: entries,
  };
  return { catalog, notes, modelsByProvider };
}

function pricePart(e) {
  const { provider, model, source, source_date, ...rest } = e;
  return rest;
}

function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------
// Alias report: which ways of naming a model (per the package's match rules) would a
// "strip trailing -YYYY-MM-DD / -YYYYMMDD / @YYYYMMDD / -latest" rule not resolve.

function aliasReport(providers, built) {
  const lines = [];
  const { notes, modelsByProvider } = built;
  for (const [k, v] of Object.entries(notes)) {
    lines.push(`## ${k} (${v.length})`);
    v.forEach((x) => lines.push('  ' + x));
  }
  lines.push('## package ids that end in a strippable suffix (reachable by exact match only)');
  for (const [provider, byId] of modelsByProvider) {
    for (const model of byId.keys()) if (stripSuffix(model) !== model) lines.push(`  ${provider}/${model} -> strips to ${stripSuffix(model)}${byId.has(stripSuffix(model)) ? ' (another entry!)' : ''}`);
  }
  lines.push('## match leaves not resolved to their entry by exact match + suffix stripping');
  for (const [provider, byId] of modelsByProvider) {
    for (const [model, { m }] of byId) {
      for (const leaf of matchLeaves(m.match)) {
        const [kind, val] = Object.entries(leaf)[0];
        if (kind === 'equals') {
          const a = val.toLowerCase();
          if (a === model || stripSuffix(a) === model) continue;
          const hit = byId.has(a) ? a : byId.has(stripSuffix(a)) ? stripSuffix(a) : null;
          lines.push(`  ${provider}/${model}: equals ${val}${hit ? ` [resolves to OTHER entry ${hit}]` : ''}`);
        } else if (kind === 'regex') {
          lines.push(`  ${provider}/${model}: regex ${val}`);
        } else if (kind === 'and') {
          lines.push(`  ${provider}/${model}: and ${JSON.stringify(val)}`);
        } else {
          lines.push(`  ${provider}/${model}: ${kind} ${val}`);
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------

const opts = parseArgs(process.argv.slice(2));
const providers = loadProviders(opts.pkgDir);
const built = build(providers, opts.pkgDir, opts);
if (opts.aliasReport) process.stdout.write(aliasReport(providers, built));
else process.stdout.write(JSON.stringify(built.catalog, null, 2) + '\n');
