// Uploads one file with tus-js-client, the official JavaScript tus client, under Node: the
// way a browser or Node program would upload evidence to the bureau, and the client of the
// upload benchmark's reference pair.
//
//   node scripts/tus-peers/upload.mjs --endpoint URL --file PATH --evidence-id ID
//        [--token TOKEN] [--chunk-size BYTES] [--report-seconds]
//
// The token (else the environment variable TUS_TOKEN) goes as `Authorization: Bearer ...` on
// every request; the evidence id as the `evidence_id` metadata. Chunks are 8 MiB unless told.
// On success it prints the upload's URL and exits 0; on failure it prints the error to stderr
// and exits 1 (2 for a wrong command line). With --report-seconds it also prints a second line,
// `seconds S`: the upload's own time, from its first request to its last answer, without
// Node's start-up (so the benchmark compares uploads, not process starts).
//
// Checked by hand against the official Node server:
//   node scripts/tus-peers/serve.mjs --port 0 --dir /tmp/tus-files   # prints: port 41234
//   head -c 20000000 /dev/urandom > /tmp/rec.mp4
//   node scripts/tus-peers/upload.mjs --endpoint http://127.0.0.1:41234/files/ --file /tmp/rec.mp4 --evidence-id E1 --token t0k
//   cmp /tmp/rec.mp4 /tmp/tus-files/<the id at the end of the printed URL>

import { createReadStream, statSync } from 'node:fs'
import { parseArgs } from 'node:util'

import { Upload } from 'tus-js-client'

const EIGHT_MIB = 8 * 1024 * 1024

function usage(message) {
  console.error(`upload.mjs: ${message}`)
  console.error(
    'usage: node upload.mjs --endpoint URL --file PATH --evidence-id ID [--token TOKEN] [--chunk-size BYTES] [--report-seconds]',
  )
  process.exit(2)
}

let values
try {
  ;({ values } = parseArgs({
    options: {
      endpoint: { type: 'string' },
      file: { type: 'string' },
      'evidence-id': { type: 'string' },
      token: { type: 'string' },
      'chunk-size': { type: 'string', default: String(EIGHT_MIB) },
      'report-seconds': { type: 'boolean', default: false },
    },
  }))
} catch (error) {
  usage(error.message)
}
for (const name of ['endpoint', 'file', 'evidence-id']) {
  if (!values[name]) usage(`--${name} is required`)
}
const chunkSize = Number(values['chunk-size'])
if (!Number.isInteger(chunkSize) || chunkSize <= 0) usage('--chunk-size must be a positive number of bytes')

let size
try {
  size = statSync(values.file).size
} catch (error) {
  console.error(`upload.mjs: cannot read ${values.file}: ${error.message}`)
  process.exit(1)
}

const token = values.token ?? process.env.TUS_TOKEN
const headers = token ? { Authorization: `Bearer ${token}` } : {}

// A stream with its size given: the client reads the file chunk by chunk, never whole.
const upload = new Upload(createReadStream(values.file), {
  endpoint: values.endpoint,
  uploadSize: size,
  chunkSize,
  headers,
  metadata: { evidence_id: values['evidence-id'] },
  // A few quick retries for a dropped connection; a refusal (4xx) is not retried.
  retryDelays: [0, 500, 2000],
  onError(error) {
    console.error(`upload.mjs: the upload of ${values.file} failed: ${error.message}`)
    process.exit(1)
  },
  onSuccess() {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    console.log(upload.url)
    if (values['report-seconds']) console.log(`seconds ${seconds}`)
    process.exit(0)
  },
})
const started = process.hrtime.bigint()
upload.start()
