// A static file server for dist/ on 127.0.0.1 (random port), with the site's security
// headers, so the tests see the build exactly as a static host would serve it. It answers
// byte-range requests (as static hosts do) and serves the test model, when
// ROOFLINE_GEMMA_GGUF names it, at MODEL_PATH.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.webmanifest': 'application/manifest+json',
  '.png': 'image/png', '.gguf': 'application/octet-stream', '.tsv': 'text/tab-separated-values',
};

/** Where the test model is served, when ROOFLINE_GEMMA_GGUF names it. */
export const MODEL_PATH = '/test-models/gemma-3-270m-q4_k_m.gguf';

/** `bytes=a-b` of a file of `size` bytes, as [first, last], or null when unusable. */
function byteRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  const first = m[1] === '' ? Math.max(0, size - Number(m[2])) : Number(m[1]);
  const last = m[1] === '' || m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return first <= last ? [first, last] : null;
}

export async function serve(root) {
  const model = process.env.ROOFLINE_GEMMA_GGUF;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let file = path.normalize(path.join(root, decodeURIComponent(url.pathname)));
    if (model && url.pathname === MODEL_PATH) file = model;
    else if (!file.startsWith(path.resolve(root))) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) { res.writeHead(404).end('not found'); return; }
    const size = fs.statSync(file).size;
    const headers = { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache', 'accept-ranges': 'bytes' };
    let status = 200;
    let range = null;
    if (req.headers.range) {
      range = byteRange(req.headers.range, size);
      if (!range) { res.writeHead(416, { 'content-range': `bytes */${size}` }).end(); return; }
      status = 206;
      headers['content-range'] = `bytes ${range[0]}-${range[1]}/${size}`;
      headers['content-length'] = range[1] - range[0] + 1;
    }
    const stream = fs.createReadStream(file, range ? { start: range[0], end: range[1] } : {});
    stream.on('error', () => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    stream.once('open', () => {
      res.writeHead(status, headers);
      stream.pipe(res);
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}
