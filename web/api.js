// The server calls the page makes: the /api store of conversations and /v1/models.
// Errors arrive as OpenAI error objects; their message is what the user sees.

/** A failed call, with the server's message (or a network failure: status 0). */
export class ApiError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** The message of an OpenAI-style error body, or a fallback naming the status. */
export async function errorMessage(response) {
  try {
    const body = await response.json();
    if (typeof body?.error?.message === 'string') return body.error.message;
  } catch { /* not JSON */ }
  return `HTTP ${response.status} ${response.statusText}`.trim();
}

async function call(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new ApiError(error.message, 0);
  }
  if (!response.ok) throw new ApiError(await errorMessage(response), response.status);
  return response.status === 204 ? null : response.json();
}

const id = (value) => encodeURIComponent(value);

export const api = {
  models: async () => (await call('GET', '/v1/models')).data.map((m) => m.id),
  listConversations: async (query) =>
    (await call('GET', `/api/conversations${query ? `?q=${encodeURIComponent(query)}` : ''}`)).data,
  createConversation: (fields) => call('POST', '/api/conversations', fields),
  conversation: (conversationId) => call('GET', `/api/conversations/${id(conversationId)}`),
  updateConversation: (conversationId, fields) => call('PATCH', `/api/conversations/${id(conversationId)}`, fields),
  deleteConversation: (conversationId) => call('DELETE', `/api/conversations/${id(conversationId)}`),
  addMessage: (conversationId, message) => call('POST', `/api/conversations/${id(conversationId)}/messages`, message),
  truncate: (conversationId, position) =>
    call('DELETE', `/api/conversations/${id(conversationId)}/messages?from=${position}`),
  rate: (messageId, rating) => call('POST', `/api/messages/${id(messageId)}/feedback`, { rating }),
  unrate: (messageId) => call('DELETE', `/api/messages/${id(messageId)}/feedback`),
};
