// The behaviour contract (docs/contract.md) on Node.js's own HTTP server: node:http, or
// node:https with --certfile. One npm package, for GET /ws only: ws (package.json; npm ci
// here); without it /ws is not served and stderr says why.
//
//   node examples/node-server/server.js --host 127.0.0.1 --port 0 [--certfile F [--keyfile F]]
//                                       [--stop-on-stdin-eof]
//
// Prints "LISTENING <host> <port>" once it accepts connections and serves until SIGTERM or
// SIGINT (or the end of stdin, with --stop-on-stdin-eof), then exits with status 0.
//
// A thin adapter, as the Python ones in harness/servers/ are: node:http parses requests,
// decodes chunked request content, frames responses (Content-Length, chunked, or close for
// HTTP/1.0), leaves out the content of HEAD, 204 and 304 responses, and manages keep-alive.
// This file only routes and hands over bodies; it sets Content-Length where the contract
// says the length is known, because node:http leaves that field to the application.
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MAX_DELAY_MS = 60000;
const STREAM_PIECE_BYTES = 4096;
const DEFAULT_CHUNK_BYTES = 1024;
const MAX_DRIP_BYTES = 1000;
const DEFAULT_DRIP_INTERVAL_MS = 100;
const REDIRECT_CODES = [301, 302, 303, 307, 308]; // harness/contract.py: REDIRECT_CODES
const DEFAULT_REDIRECT_TO = '/echo';
const LOCATION = /^[!-~]{1,2048}$/; // visible ASCII only, as harness/contract.py's _LOCATION
const WEBSOCKET_PATH = '/ws'; // harness/contract.py: WEBSOCKET_PATH
const WEBSOCKET_SUBPROTOCOL = 'interop.echo'; // harness/contract.py: WEBSOCKET_SUBPROTOCOL
const SHUTDOWN_GRACE_MS = 2000; // as harness/deadlines.py: SERVER_SHUTDOWN_GRACE (in-flight requests get this long)

// The contract's routes (harness/contract.py: _ROUTES); the whole path must match.
const ROUTES = [
  ['echo', /^\/echo$/],
  ['status', /^\/status\/([0-9]{3})$/],
  ['bytes', /^\/bytes\/([0-9]{1,9})$/],
  ['stream', /^\/stream\/([0-9]{1,9})$/],
  ['chunked', /^\/chunked\/([0-9]{1,9})$/],
  ['drip', /^\/drip\/([0-9]{1,4})$/],
  ['delay', /^\/delay\/([0-9]{1,6})$/],
  ['close', /^\/close$/],
  ['conn', /^\/conn$/],
  ['health', /^\/health$/],
  ['redirect', /^\/redirect\/([0-9]{3})$/],
];

// The options that take a value, and where parseArgs keeps it.
const VALUE_OPTIONS = {
  '--host': 'host',
  '--port': 'port',
  '--certfile': 'certfile',
  '--keyfile': 'keyfile',
};

function usage(message) {
  process.stderr.write(`server.js: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { host: '127.0.0.1', port: 0, certfile: null, keyfile: null, stopOnEof: false };
  for (let i = 0; i < argv.length; i++) {
    const option = argv[i];
    if (option === '--stop-on-stdin-eof') {
      args.stopOnEof = true;
      continue;
    }
    const key = VALUE_OPTIONS[option];
    if (key === undefined || i + 1 >= argv.length) {
      usage(`unknown option or missing value: ${option}`);
    }
    args[key] = argv[++i];
  }
  if (!/^[0-9]+$/.test(String(args.port))) usage(`--port must be a number, got ${args.port}`);
  args.port = Number(args.port);
  if (args.keyfile && !args.certfile) usage('--keyfile needs --certfile');
  return args;
}

// The path and query of a request-target, as harness/servers/stdlib.py takes them with
// urllib.parse.urlsplit: origin-form splits at "?" (RFC 9112 §3.2.1); absolute-form routes by
// the URI's path (§3.2.2); a fragment is not part of either.
function splitTarget(target) {
  let rest = target.split('#', 1)[0];
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*/.exec(rest);
  if (absolute) rest = rest.slice(absolute[0].length);
  const mark = rest.indexOf('?');
  return mark < 0 ? [rest, ''] : [rest.slice(0, mark), rest.slice(mark + 1)];
}

function unquote(text) {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

// An integer query parameter within [low, high]; null when present but invalid. The last
// non-empty value counts, as with Python's urllib.parse.parse_qs (harness/contract.py).
function queryInt(query, name, fallback, low, high) {
  let value = null;
  for (const part of query.split('&')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    const found = unquote(part.slice(equals + 1));
    if (unquote(part.slice(0, equals)) === name && found !== '') value = found;
  }
  if (value === null) return fallback;
  const number = Number(value);
  return /^[0-9]+$/.test(value) && number >= low && number <= high ? number : null;
}

// The last value of a query parameter, blank ones too; null when absent.
function queryValue(query, name) {
  let value = null;
  for (const part of query.split('&')) {
    const equals = part.indexOf('=');
    const key = equals < 0 ? part : part.slice(0, equals);
    if (unquote(key) === name) value = equals < 0 ? '' : unquote(part.slice(equals + 1));
  }
  return value;
}

// The contract route of a path and query (harness/contract.py: route()).
function route(path, query) {
  for (const [name, pattern] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    const number = match[1] === undefined ? 0 : Number(match[1]);
    if (['bytes', 'stream', 'chunked'].includes(name) && number > MAX_BODY_BYTES) break;
    if (name === 'delay' && number > MAX_DELAY_MS) break;
    if (name === 'status' && (number < 200 || number > 599)) break;
    if (name === 'chunked') {
      const size = queryInt(query, 'size', DEFAULT_CHUNK_BYTES, 1, MAX_BODY_BYTES);
      return size ? { name, number, piece: size } : { name: 'not-found' };
    }
    if (name === 'drip') {
      const interval = queryInt(query, 'interval_ms', DEFAULT_DRIP_INTERVAL_MS, 0, 10000);
      if (number > MAX_DRIP_BYTES || interval === null || number * interval > MAX_DELAY_MS) break;
      return { name, number, intervalMs: interval };
    }
    if (name === 'redirect') {
      const location = queryValue(query, 'to') ?? DEFAULT_REDIRECT_TO;
      if (!REDIRECT_CODES.includes(number) || !LOCATION.test(location)) break;
      return { name, number, location };
    }
    return { name, number, piece: STREAM_PIECE_BYTES };
  }
  return { name: 'not-found' };
}

// Octet i is i mod 256 (harness/contract.py: deterministic_bytes).
function deterministicBytes(n) {
  const data = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) data[i] = i % 256;
  return data;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Resolves when the response can take more data, or is gone (the client left).
function drained(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

// A known-length answer: node:http sends the fields set here and frames the body by the
// Content-Length given, except where it leaves content out by itself (HEAD, 204, 304).
function respond(res, status, contentType, body, extra = {}) {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  // 204 and 304 carry no Content-Length (RFC 9110 §8.6, §15.4.5; docs/contract.md).
  if (status !== 204 && status !== 304) res.setHeader('Content-Length', body.length);
  for (const [name, value] of Object.entries(extra)) res.setHeader(name, value);
  res.end(body);
}

// A body of unknown length, handed over piece by piece: no Content-Length, so node:http
// chooses the framing itself (chunked for HTTP/1.1, close-delimited for HTTP/1.0).
async function stream(res, found) {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/octet-stream');
  // The head goes out before any of the body: the length is unknown to node:http even when
  // there are no pieces (an end() without writes before it would be framed as empty).
  res.flushHeaders();
  const data = deterministicBytes(found.number);
  for (let start = 0; start < data.length && !res.destroyed; start += found.piece) {
    if (!res.write(data.subarray(start, start + found.piece))) await drained(res);
  }
  res.end();
}

async function drip(res, found) {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', found.number);
  res.flushHeaders(); // "Content-Length: n at once" (docs/contract.md, GET /drip)
  const data = deterministicBytes(found.number);
  for (let i = 0; i < data.length && !res.destroyed; i++) {
    await sleep(found.intervalMs);
    res.write(data.subarray(i, i + 1));
  }
  res.end();
}

function echoDocument(req, body) {
  const [path] = req.url.split('?', 1);
  const mark = req.url.indexOf('?');
  // rawHeaders is how node:http reports the fields to the application as received: name
  // case, order and repeated lines kept. Strings carry the octets as ISO-8859-1, as the
  // contract's JSON wants.
  const headers = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  }
  return Buffer.from(
    JSON.stringify({
      method: req.method,
      target: req.url,
      path,
      query: mark < 0 ? '' : req.url.slice(mark + 1),
      http_version: `HTTP/${req.httpVersion}`,
      headers,
      body_length: body.length,
      body_base64: body.toString('base64'),
    }),
  );
}

async function handle(req, res) {
  const [path, query] = splitTarget(req.url);
  const found = route(path, query);
  switch (found.name) {
    case 'echo': {
      // node:http hands over the content decoded from chunked framing, if it was chunked.
      const pieces = [];
      for await (const piece of req) pieces.push(piece);
      respond(res, 200, 'application/json', echoDocument(req, Buffer.concat(pieces)));
      return;
    }
    case 'status':
      // The usual body, whatever the code: node:http decides which statuses have none.
      respond(res, found.number, 'text/plain', Buffer.from(`status ${found.number}\n`));
      return;
    case 'bytes':
      respond(res, 200, 'application/octet-stream', deterministicBytes(found.number));
      return;
    case 'stream':
    case 'chunked':
      await stream(res, found);
      return;
    case 'drip':
      await drip(res, found);
      return;
    case 'delay':
      await sleep(found.number);
      respond(res, 200, 'text/plain', Buffer.from(`delayed ${found.number} ms\n`));
      return;
    case 'close':
      // The application sets the field; closing after it is node:http's reaction.
      respond(res, 200, 'text/plain', Buffer.from('closing\n'), { Connection: 'close' });
      return;
    case 'conn': {
      const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
      respond(res, 200, 'application/json', Buffer.from(JSON.stringify({ peer })));
      return;
    }
    case 'health':
      respond(res, 200, 'text/plain', Buffer.from('ok\n'));
      return;
    case 'redirect':
      respond(res, found.number, 'text/plain', Buffer.from(`status ${found.number}\n`), {
        Location: found.location,
      });
      return;
    default:
      respond(res, 404, 'text/plain', Buffer.from('not found\n'));
  }
}

function application(req, res) {
  // A client that leaves mid-request makes node:http emit 'error' on both streams; that
  // ends this exchange, not the server.
  req.on('error', () => {});
  res.on('error', () => {});
  handle(req, res).catch((error) => {
    process.stderr.write(`server.js: ${req.method} ${req.url}: ${error.message}\n`);
    res.destroy();
  });
}

function createServer(args) {
  if (!args.certfile) return http.createServer(application);
  // Without --keyfile the key is in the certificate file (docs/contract.md, --certfile).
  const options = {
    cert: fs.readFileSync(args.certfile),
    key: fs.readFileSync(args.keyfile || args.certfile),
  };
  return https.createServer(options, application);
}

// ws's WebSocketServer, or why there is none (node_modules/ws absent: npm ci was not run).
function loadWebSocketServer() {
  try {
    return { WebSocketServer: require('ws').WebSocketServer, missing: null };
  } catch (error) {
    return { WebSocketServer: null, missing: error.message.split('\n', 1)[0] };
  }
}

// GET /ws (docs/contract.md, "GET /ws"): ws does the opening handshake (its handleUpgrade
// checks the request and answers 101 or an error); the handler only echoes each message as
// it came, and names the contract's subprotocol only when the client offered it.
function serveWebSocket(server) {
  const { WebSocketServer, missing } = loadWebSocketServer();
  if (WebSocketServer === null) {
    process.stderr.write(`server.js: ${WEBSOCKET_PATH} not served: ${missing}\n`);
    return;
  }
  const sockets = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has(WEBSOCKET_SUBPROTOCOL) ? WEBSOCKET_SUBPROTOCOL : false),
  });
  sockets.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  // node:http hands every request asking for an upgrade to this listener, not to the
  // routes; one for another path is closed unanswered (ws's README, "Multiple servers
  // sharing a single HTTP/S server").
  server.on('upgrade', (request, socket, head) => {
    if (splitTarget(request.url)[0] !== WEBSOCKET_PATH) {
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  let server;
  try {
    server = createServer(args);
  } catch (error) {
    // A key that does not match the certificate, or an unreadable file: no server.
    process.stderr.write(`server.js: cannot serve HTTPS: ${error.message}\n`);
    process.exit(1);
  }
  serveWebSocket(server);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // close() stops accepting and closes idle keep-alive connections; requests in flight
    // get SHUTDOWN_GRACE_MS to finish.
    server.close(() => process.exit(0));
    setTimeout(() => {
      server.closeAllConnections();
      process.exit(0);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (args.stopOnEof) {
    // The launcher holds stdin open and never writes: its end means the harness is gone.
    process.stdin.on('end', stop);
    process.stdin.resume();
  }
  server.on('error', (error) => {
    process.stderr.write(`server.js: ${error.message}\n`);
    process.exit(1);
  });
  server.listen(args.port, args.host, () => {
    const { address, port } = server.address();
    process.stdout.write(`LISTENING ${address} ${port}\n`);
  });
}

main();
