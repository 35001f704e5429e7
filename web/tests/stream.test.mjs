// The SSE parser that reads /v1/chat/completions streams, with arbitrary chunking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSSEParser } from '../stream.js';

function parse(chunks) {
  const events = [];
  const parser = createSSEParser((data) => events.push(data));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

const stream = 'data: {"choices":[{"delta":{"role":"assistant"}}]}\n\n' +
  'data: {"choices":[{"delta":{"content":"Сә"}}]}\n\n' +
  ': keep-alive comment\n\n' +
  'data: {"choices":[{"delta":{"content":"лем"}}]}\n\n' +
  'data: [DONE]\n\n';

test('events come out whole however the bytes are split', () => {
  const whole = parse([stream]);
  assert.equal(whole.length, 4);
  assert.equal(whole.at(-1), '[DONE]');
  for (let size = 1; size < 12; size++) {
    const chunks = [];
    for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size));
    assert.deepEqual(parse(chunks), whole, `chunk size ${size}`);
  }
});

test('CRLF and CR line endings, multi-line data, fields other than data', () => {
  assert.deepEqual(parse(['data: a\r\n\r\ndata: b\r', '\n\r\n']), ['a', 'b']);
  assert.deepEqual(parse(['data: a\rdata: b\r\r']), ['a\nb']);
  assert.deepEqual(parse(['event: x\nid: 1\ndata:no-space\n\n']), ['no-space']);
  assert.deepEqual(parse(['data: {"error":{"message":"boom"}}\n\n']), ['{"error":{"message":"boom"}}']);
});

test('a final event without its blank line is still delivered', () => {
  assert.deepEqual(parse(['data: last']), ['last']);
  assert.deepEqual(parse(['']), []);
});
