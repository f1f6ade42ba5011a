// The independent side of NotifierIT's signature check: verifies requests the notifier sent with the
// Standard Webhooks reference library (npm standardwebhooks). argv[2]: a JSON file
//   {"secret": "whsec_...", "requests": [{"headers": {"webhook-id": ..., ...}, "body": "<exact body>"}]}
// Prints one line per request: "ok" or "fail <message>".
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(process.env.WEBHOOK_MODULES + '/node_modules/');
const { Webhook } = require('standardwebhooks');

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const wh = new Webhook(input.secret);
for (const r of input.requests) {
  try {
    wh.verify(r.body, r.headers);
    console.log('ok');
  } catch (e) {
    console.log('fail ' + String(e.message).replace(/\n/g, ' '));
  }
}
