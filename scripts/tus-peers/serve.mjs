// The official Node tus server (@tus/server with @tus/file-store) on loopback: the peer the
// upload clients are checked against, and the reference the evidence upload benchmark
// measures the bureau beside.
//
//   node scripts/tus-peers/serve.mjs --port PORT --dir FOLDER [--host 127.0.0.1]
//
// Uploads are served under /files/ and kept in FOLDER. With --port 0 the system picks a free
// port. When it is ready the server prints one line, `port N`, and serves until SIGTERM or
// SIGINT.
//
// Checked by hand with both clients (see the top of upload.mjs and upload.py):
//   node scripts/tus-peers/serve.mjs --port 0 --dir /tmp/tus-files   # prints: port 41234
//   head -c 20000000 /dev/urandom > /tmp/rec.mp4
//   node scripts/tus-peers/upload.mjs --endpoint http://127.0.0.1:41234/files/ --file /tmp/rec.mp4 --evidence-id E1
//   python3 scripts/tus-peers/upload.py --endpoint http://127.0.0.1:41234/files/ --file /tmp/rec.mp4 --evidence-id E1
//   cmp /tmp/rec.mp4 /tmp/tus-files/<the id at the end of the printed URL>

import { mkdirSync } from 'node:fs'
import { parseArgs } from 'node:util'

import { FileStore } from '@tus/file-store'
import { Server } from '@tus/server'

function fail(message) {
  console.error(`serve.mjs: ${message}`)
  console.error('usage: node serve.mjs --port PORT --dir FOLDER [--host 127.0.0.1]')
  process.exit(2)
}

let values
try {
  ;({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      dir: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  }))
} catch (error) {
  fail(error.message)
}
const port = Number(values.port)
if (values.port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
  fail('--port must be a port number (0 lets the system choose)')
}
if (!values.dir) {
  fail('--dir must name the folder to keep uploads in')
}
mkdirSync(values.dir, { recursive: true })

const server = new Server({
  path: '/files',
  datastore: new FileStore({ directory: values.dir }),
})
const listener = server.listen({ host: values.host, port })
listener.on('error', (error) => {
  console.error(`serve.mjs: cannot listen on ${values.host}:${port}: ${error.message}`)
  process.exit(1)
})
listener.on('listening', () => {
  // The parent reads this line to learn the port; nothing else goes to stdout.
  console.log(`port ${listener.address().port}`)
})
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => listener.close(() => process.exit(0)))
}
