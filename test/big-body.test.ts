// A body too large for its route gets the 413 answer, not a reset connection.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createTestContext } from './helpers.ts';

/** Whether the server had read each refused body to its end when the connection closed. */
const readToEnd: boolean[] = [];
const ctx = await createTestContext({
  beforeReady: (app) =>
    void app.addHook('onResponse', async (request) => {
      if (request.url.startsWith('/api/v1/auth/login')) request.raw.once('close', () => readToEnd.push(request.raw.complete));
    }),
});
after(() => ctx.close());

test('a 50 MB body gets its 413 problem+json, and the server reads the rest before it closes: the client finishes sending without a reset', async () => {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (ctx.app.server.address() as { port: number }).port;
  const body = Buffer.alloc(50 * 1024 * 1024, 32);
  for (let round = 0; round < 3; round++) {
    const outcome = await new Promise<{ status: number; type: string; text: string; sent: boolean; error: string | null }>((resolve) => {
      let answer: { status: number; type: string; text: string } | null = null;
      let sent = false;
      let error: string | null = null;
      const settle = () => answer && (sent || error) && resolve({ ...answer, sent, error });
      const req = http.request({ host: '127.0.0.1', port, path: '/api/v1/auth/login', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          answer = { status: res.statusCode!, type: String(res.headers['content-type']), text };
          settle();
        });
      });
      req.on('finish', () => {
        sent = true;
        settle();
      });
      req.on('error', (e) => {
        error = e.message;
        if (!answer) resolve({ status: 0, type: '', text: '', sent, error });
        else settle();
      });
      req.end(body);
    });
    assert.equal(outcome.error, null, 'no reset while sending');
    assert.equal(outcome.sent, true);
    assert.equal(outcome.status, 413);
    assert.match(outcome.type, /application\/problem\+json/);
    assert.equal(JSON.parse(outcome.text).code, 'PAYLOAD_TOO_LARGE');
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  // The server read the rest of each body before it closed the connection (a reset otherwise, on a slower link).
  assert.deepEqual(readToEnd, [true, true, true]);
});
