// Confluent's own JavaScript serdes against spendstream's topics: proves that what AvroSerde writes is
// readable by Confluent's AvroDeserializer, and that what Confluent's AvroSerializer writes is readable
// by AvroSerde. Run by ConfluentInteropIT (schemas/src/test/java/.../serde), not by hand.
//
//   node confluent-interop.mjs consume <topic> <count>   prints <count> decoded records as JSON lines
//   node confluent-interop.mjs produce <topic> <count>   writes <count> UsageEvents (see usageEvent below)
//
// Environment:
//   INTEROP_MODULES    directory whose node_modules holds @confluentinc/schemaregistry and kafkajs
//   INTEROP_BOOTSTRAP  Kafka bootstrap servers, comma-separated
//   INTEROP_REGISTRY   Confluent-API base URL of the schema registry
//   INTEROP_BASE_TIME  (produce) epoch millis of the first event's timestamp
//
// stdout carries only the records (consume); every log line goes to stderr.
import { createRequire } from 'node:module';
import path from 'node:path';

const [mode, topic, countArg] = process.argv.slice(2);
const count = Number(countArg);
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};

// The packages live in a cache outside the repository: resolve them from there.
const require = createRequire(path.join(env('INTEROP_MODULES'), 'package.json'));
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistryClient, SerdeType, AvroSerializer, AvroDeserializer } = require('@confluentinc/schemaregistry');

const kafka = new Kafka({
  clientId: 'confluent-interop',
  brokers: env('INTEROP_BOOTSTRAP').split(','),
  logLevel: logLevel.WARN,
  logCreator: () => ({ namespace, label, log }) => console.error(`[kafkajs ${label}] ${namespace}: ${log.message}`),
});
const registry = new SchemaRegistryClient({ baseURLs: [env('INTEROP_REGISTRY')] });

// Give up rather than hang; unref'd so it does not keep a finished run alive.
setTimeout(() => {
  console.error(`timed out in ${mode} of ${topic}`);
  process.exit(2);
}, 90_000).unref();

// Event i as the Java test expects it. avsc knows no timestamp-millis logical type unless one is
// configured, so timestamps are plain epoch-millis numbers (longs are JS numbers). Nullable unions
// are unwrapped (null or the value); the metadata map's union of string/long/double/boolean is
// ambiguous for JS values, so avsc wants it wrapped: {"long": 2}.
function usageEvent(i, baseTime) {
  const failed = i % 5 === 0;
  return {
    event_id: `node-${i}`,
    event_id_assigned: i % 2 === 0,
    org_id: `org-${i % 3}`,
    timestamp: baseTime + i * 1000,
    received_at: baseTime + i * 1000 + 250,
    feature: 'chat',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    input_tokens: 1000 + i,
    output_tokens: 10 * i,
    cached_input_tokens: i,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    client_cost_usd_nanos: i % 2 === 0 ? 1_000_000 + i : null,
    latency_ms: i % 3 === 0 ? null : 100 + i,
    status: failed ? 'ERROR' : 'OK',
    error_code: failed ? 'rate_limited' : null,
    user_id: null,
    session_id: `session-${i}`,
    tags: { env: 'test', n: String(i) },
    metadata: { retries: { long: i }, temperature: { double: 0.5 }, streamed: { boolean: true }, region: { string: 'eu' } },
    api_key_id: i % 2 === 0 ? `key-${i}` : null,
  };
}

async function produce() {
  // useLatestVersion: use the schema the registry has as latest for <topic>-value (the test registered
  // spendstream's UsageEvent there) instead of deriving one from the JS object.
  const serializer = new AvroSerializer(registry, SerdeType.VALUE, { useLatestVersion: true });
  const baseTime = Number(env('INTEROP_BASE_TIME'));
  const messages = [];
  for (let i = 0; i < count; i++) {
    const event = usageEvent(i, baseTime);
    messages.push({ key: event.org_id, value: await serializer.serialize(topic, event) });
  }
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
  console.error(`produced ${count} records to ${topic}`);
}

async function consume() {
  const deserializer = new AvroDeserializer(registry, SerdeType.VALUE, {});
  const consumer = kafka.consumer({ groupId: `confluent-interop-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  try {
    await new Promise((resolve, reject) => {
      consumer.run({
        eachMessage: async ({ message }) => {
          try {
            // Confluent wire format: the schema id comes from the payload's 5-byte prefix.
            const value = await deserializer.deserialize(topic, message.value);
            process.stdout.write(JSON.stringify({ key: message.key?.toString(), value }) + '\n');
            if (++seen >= count) resolve();
          } catch (e) {
            reject(e); // fail on the first bad record instead of letting kafkajs retry it
          }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  console.error(`consumed ${seen} records from ${topic}`);
}

const run = { produce, consume }[mode];
if (!run || !topic || !(count > 0)) {
  console.error('usage: confluent-interop.mjs consume|produce <topic> <count>');
  process.exit(64);
}
run().catch((e) => {
  console.error(e);
  process.exit(1);
});
