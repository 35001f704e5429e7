// The server calls the page makes: the /api store of conversations and /v1/models.
// Errors arrive as OpenAI error objects; their message is what the user sees.

/** A failed call, with the server's message (or a network failure: status 0). */
export class ApiError extends Error {
  constructor(message, status = 0, code = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** The message and code of an OpenAI-style error body, or a fallback naming the status. */
async function errorDetails(response) {
  try {
    const body = await response.json();
    if (typeof body?.error?.message === 'string') return { message: body.error.message, code: body.error.code ?? null };
  } catch { /* not JSON */ }
  return { message: `HTTP ${response.status} ${response.statusText}`.trim(), code: null };
}

/** The message of an OpenAI-style error body, or a fallback naming the status. */
export async function errorMessage(response) {
  return (await errorDetails(response)).message;
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
  if (!response.ok) {
    const { message, code } = await errorDetails(response);
    throw new ApiError(message, response.status, code);
  }
  return response.status === 204 ? null : response.json();
}

const id = (value) => encodeURIComponent(value);

/** The server asks this browser to sign in with an API key (`aqyl serve --web-chat key`). */
export const needsSignIn = (error) => error instanceof ApiError && error.code === 'web_sign_in_required';

export const api = {
  signIn: (apiKey) => call('POST', '/api/session', { api_key: apiKey }),
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
