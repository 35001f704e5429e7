// Streaming chat completions: POST /v1/chat/completions with stream:true and read the
// server-sent events as they arrive.

import { ApiError, errorMessage } from './api.js';

/**
 * An incremental SSE parser: feed it decoded text in any chunking; it calls
 * onData(payload) once per event with the event's data lines joined by "\n".
 */
export function createSSEParser(onData) {
  let pending = '';
  let data = [];
  const line = (text) => {
    if (text === '') {
      if (data.length) onData(data.join('\n'));
      data = [];
    } else if (text.startsWith('data:')) {
      data.push(text.slice(text[5] === ' ' ? 6 : 5));
    } // comments (":") and other fields (event, id, retry) are not used
  };
  return {
    push(chunk) {
      pending += chunk;
      let newline;
      while ((newline = pending.search(/\r\n|\r|\n/)) >= 0) {
        // A lone "\r" at the end may be half of "\r\n": wait for the next chunk.
        if (pending[newline] === '\r' && newline === pending.length - 1) break;
        const width = pending.startsWith('\r\n', newline) ? 2 : 1;
        line(pending.slice(0, newline));
        pending = pending.slice(newline + width);
      }
    },
    end() {
      if (pending) line(pending);
      pending = '';
      line('');
    },
  };
}

/**
 * Streams one reply. Calls onDelta(textSoFar) as text arrives and resolves to
 * { content, stopped }; stopped is true when `signal` aborted the request.
 * Rejects with ApiError for HTTP errors and for an error event in the stream.
 */
export async function streamChat({ model, messages, temperature, signal, onDelta, conversationId }) {
  const body = { model, messages, stream: true };
  if (typeof temperature === 'number') body.temperature = temperature;
  let content = '';
  let failure = null;
  let finished = false;
  const parser = createSSEParser((payload) => {
    if (finished || failure) return;
    if (payload === '[DONE]') { finished = true; return; }
    let event;
    try { event = JSON.parse(payload); } catch { return; }
    if (event.error) { failure = new ApiError(event.error.message ?? String(event.error), 200); return; }
    const piece = event.choices?.[0]?.delta?.content;
    if (typeof piece === 'string' && piece) {
      content += piece;
      onDelta(content);
    }
  });
  try {
    const response = await fetch('/v1/chat/completions', {
      method: 'POST',
      // X-Aqyl-Client marks a request sent by this page's script (the usage statistics
      // exclude no-JS clients); X-Aqyl-Conversation lets them count conversations.
      headers: {
        'Content-Type': 'application/json',
        Accept: 'text/event-stream',
        'X-Aqyl-Client': 'web-chat',
        ...(conversationId ? { 'X-Aqyl-Conversation': conversationId } : {}),
      },
      body: JSON.stringify(body),
      signal,
      credentials: 'same-origin',
    });
    if (!response.ok) throw new ApiError(await errorMessage(response), response.status);
    const reader = response.body.getReader();
    const decoder = new TextDecoder(); // stream mode keeps multi-byte letters split across chunks whole
    while (!finished && !failure) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
    parser.end();
    if (!finished) reader.cancel().catch(() => {});
  } catch (error) {
    if (error?.name === 'AbortError') return { content, stopped: true };
    if (error instanceof ApiError) throw error;
    throw new ApiError(error.message, 0);
  }
  if (failure) {
    failure.partial = content;
    throw failure;
  }
  return { content, stopped: false };
}
