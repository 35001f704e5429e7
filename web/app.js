// The web chat page: conversation list, chat, composer, settings. State lives here;
// the server keeps conversations (/api) and writes replies (/v1/chat/completions).

import { api, ApiError, needsSignIn } from './api.js';
import { streamChat } from './stream.js';
import { t, setLanguage, storedLanguage, language } from './i18n.js';
import { decorate, setIcon } from './icons.js';
import { initTheme, toggleTheme } from './theme.js';
import { copyText } from './clipboard.js';
import { messageElement, streamingElement, renderAssistantContent, editMessage } from './message-view.js';
import { conversationItem, conversationTitle } from './sidebar-view.js';

const $ = (id) => document.getElementById(id);
const MODEL_KEY = 'aqyl.model';
// Kept by reference: renderMessages() detaches it along with the messages.
let welcome = null;

const state = {
  models: [],
  conversations: [],
  /** The open conversation with its messages, or null for a new, unsaved chat. */
  current: null,
  /** Settings chosen before the first message creates the conversation. */
  draft: { system_prompt: null, temperature: null },
  /** { controller, conversation, article } while a reply streams. */
  streaming: null,
  /** Ids of replies stopped in this session, marked as such. */
  stopped: new Set(),
};

// ------------------------------------------------------------------ errors

function describe(error) {
  if (error instanceof ApiError && error.status === 0) return t('error.network');
  return t('error.generic', { message: error?.message ?? String(error) });
}

function showError(error) {
  $('error-text').textContent = typeof error === 'string' ? error : describe(error);
  $('error-banner').hidden = false;
}

function clearError() { $('error-banner').hidden = true; }

// ------------------------------------------------------------------ sidebar

async function refreshList() {
  const query = $('search').value.trim();
  try {
    state.conversations = await api.listConversations(query);
  } catch (error) {
    showError(error);
    return;
  }
  // The server names a conversation after its first message; show that name.
  const listed = state.conversations.find((c) => c.id === state.current?.id);
  if (listed && listed.title !== state.current.title) {
    state.current.title = listed.title;
    renderHeader();
  }
  renderList(query);
}

function renderList(query = $('search').value.trim()) {
  const list = $('conversation-list');
  list.replaceChildren(...state.conversations.map((c) => conversationItem(c, c.id === state.current?.id)));
  const empty = $('list-empty');
  empty.hidden = state.conversations.length > 0;
  empty.textContent = t(query ? 'sidebar.noMatches' : 'sidebar.empty');
}

function setDrawer(open) {
  document.body.classList.toggle('drawer-open', open);
  $('backdrop').hidden = !open;
  $('open-sidebar').setAttribute('aria-expanded', String(open));
  if (open) $('search').focus();
}

// ------------------------------------------------------------------ dialogs

/** Opens a <dialog> and resolves to the value of the button that closed it. */
function ask(dialog) {
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue), { once: true });
    dialog.returnValue = 'cancel';
    dialog.showModal();
  });
}

async function renameConversation(id) {
  const conversation = state.conversations.find((c) => c.id === id) ?? state.current;
  const input = $('rename-input');
  input.value = conversation?.title ?? '';
  const dialog = $('rename-dialog');
  setTimeout(() => input.select(), 0);
  if (await ask(dialog) !== 'save') return;
  const title = input.value.trim();
  try {
    const updated = await api.updateConversation(id, { title });
    if (state.current?.id === id) Object.assign(state.current, { title: updated.title });
    renderHeader();
    await refreshList();
  } catch (error) { showError(error); }
}

async function deleteConversation(id) {
  const conversation = state.conversations.find((c) => c.id === id);
  $('confirm-text').textContent = t('chat.deleteConfirm', { title: conversationTitle(conversation) });
  if (await ask($('confirm-dialog')) !== 'confirm') return;
  try {
    await api.deleteConversation(id);
    if (state.current?.id === id) newChat();
    await refreshList();
  } catch (error) { showError(error); }
}

async function openSettings() {
  const source = state.current ?? state.draft;
  $('system-prompt').value = source.system_prompt ?? '';
  $('temperature').value = source.temperature ?? '';
  if (await ask($('settings-dialog')) !== 'save') return;
  const raw = $('temperature').value.trim();
  const temperature = raw === '' ? null : Number(raw);
  if (temperature !== null && !(temperature >= 0 && temperature <= 2)) {
    showError(t('error.temperature'));
    return;
  }
  const fields = { system_prompt: $('system-prompt').value.trim() || null, temperature };
  if (!state.current) {
    state.draft = fields;
    return;
  }
  try {
    const updated = await api.updateConversation(state.current.id, fields);
    Object.assign(state.current, { system_prompt: updated.system_prompt, temperature: updated.temperature });
  } catch (error) { showError(error); }
}

// ------------------------------------------------------------------ models

async function loadModels() {
  const select = $('model');
  try {
    state.models = await api.models();
  } catch (error) {
    showError(error);
    state.models = [];
  }
  select.replaceChildren();
  for (const id of state.models) {
    const option = document.createElement('option');
    option.value = id;
    option.textContent = id;
    select.append(option);
  }
  if (state.models.length === 0) {
    const option = document.createElement('option');
    option.value = '';
    option.dataset.i18n = 'model.none';
    option.textContent = t('model.none');
    select.append(option);
  }
  let remembered = null;
  try { remembered = localStorage.getItem(MODEL_KEY); } catch { /* none */ }
  if (remembered && state.models.includes(remembered)) select.value = remembered;
}

function selectedModel() { return $('model').value || null; }

async function modelChanged() {
  try { localStorage.setItem(MODEL_KEY, selectedModel() ?? ''); } catch { /* not remembered */ }
  if (!state.current) return;
  try {
    await api.updateConversation(state.current.id, { model: selectedModel() });
    state.current.model = selectedModel();
  } catch (error) { showError(error); }
}

// ------------------------------------------------------------------ chat

function renderHeader() {
  $('chat-title').textContent = state.current ? conversationTitle(state.current) : t('chat.new');
}

function renderMessages() {
  const container = $('messages');
  const messages = state.current?.messages ?? [];
  container.replaceChildren(welcome);
  welcome.hidden = messages.length > 0;
  for (const message of messages) {
    container.append(messageElement(message, {
      // The last answer can be regenerated; so can a last question that got none.
      canRegenerate: !state.streaming && message === messages.at(-1) && message.role !== 'system',
      stopped: state.stopped.has(message.id),
    }));
  }
  if (state.streaming && state.streaming.conversation === state.current) container.append(state.streaming.article);
  container.scrollTop = container.scrollHeight;
}

function setStreaming(streaming) {
  $('send').hidden = streaming;
  $('stop').hidden = !streaming;
  for (const button of document.querySelectorAll('.message-actions button')) button.disabled = streaming;
}

async function openConversation(id) {
  if (state.streaming) state.streaming.controller.abort();
  clearError();
  try {
    const conversation = await api.conversation(id);
    state.current = conversation;
    if (conversation.model && state.models.includes(conversation.model)) $('model').value = conversation.model;
  } catch (error) {
    showError(error);
    state.current = null;
    history.replaceState(null, '', location.pathname);
  }
  renderHeader();
  renderMessages();
  renderList();
  setDrawer(false);
}

function newChat() {
  if (state.streaming) state.streaming.controller.abort();
  state.current = null;
  state.draft = { system_prompt: null, temperature: null };
  if (location.hash) history.pushState(null, '', location.pathname);
  clearError();
  renderHeader();
  renderMessages();
  renderList();
  setDrawer(false);
  $('prompt').focus();
}

/** Sends a user message: creates the conversation if needed, stores the message, streams the reply. */
async function send(text) {
  if (state.streaming || !text.trim()) return;
  const model = selectedModel();
  if (!model) { showError(t('error.noModel')); return; }
  clearError();
  try {
    if (!state.current) {
      const created = await api.createConversation({ model, ...state.draft });
      state.current = { ...created, messages: created.messages ?? [] };
      history.pushState(null, '', `#/c/${encodeURIComponent(created.id)}`);
    }
    const conversation = state.current;
    const message = await api.addMessage(conversation.id, { role: 'user', content: text });
    conversation.messages.push(message);
    $('prompt').value = '';
    resizePrompt();
    renderMessages();
    refreshList();
    await generate(conversation);
  } catch (error) { showError(error); }
}

/** Streams a reply to the conversation as it stands, then stores it (partial if stopped). */
async function generate(conversation) {
  const model = selectedModel();
  const chat = [];
  if (conversation.system_prompt) chat.push({ role: 'system', content: conversation.system_prompt });
  for (const m of conversation.messages) chat.push({ role: m.role, content: m.content });

  const controller = new AbortController();
  const view = streamingElement();
  state.streaming = { controller, conversation, article: view.article };
  setStreaming(true);
  $('messages').append(view.article);
  view.article.scrollIntoView({ block: 'end' });

  let pending = null;
  const onDelta = (text) => {
    pending = text;
    requestAnimationFrame(() => {
      if (pending === null) return;
      const container = $('messages');
      const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
      renderAssistantContent(view.body, pending);
      pending = null;
      if (atBottom) container.scrollTop = container.scrollHeight;
    });
  };

  let result;
  let failure = null;
  try {
    result = await streamChat({
      model, messages: chat, temperature: conversation.temperature ?? undefined, signal: controller.signal, onDelta,
      conversationId: conversation.id,
    });
  } catch (error) {
    failure = error;
    result = { content: error.partial ?? '', stopped: false };
  }
  pending = null;
  state.streaming = null;
  setStreaming(false);

  if (result.content) {
    try {
      const saved = await api.addMessage(conversation.id, { role: 'assistant', content: result.content, model });
      conversation.messages.push(saved);
      if (result.stopped) state.stopped.add(saved.id);
    } catch (error) { failure ??= error; }
  }
  if (state.current === conversation) renderMessages();
  else view.article.remove();
  if (failure) showError(failure);
  refreshList();
}

/** Replaces the last answer, or answers a last question that has none (stopped early, failed). */
async function regenerate() {
  const conversation = state.current;
  const last = conversation?.messages.at(-1);
  if (!last || last.role === 'system' || state.streaming) return;
  clearError();
  try {
    if (last.role === 'assistant') {
      await api.truncate(conversation.id, last.position);
      conversation.messages = conversation.messages.filter((m) => m.position < last.position);
    }
    renderMessages();
    await generate(conversation);
  } catch (error) { showError(error); }
}

async function editAndResend(message, article) {
  if (state.streaming) return;
  const text = await editMessage(article, message.content);
  if (text === null) return;
  const conversation = state.current;
  try {
    await api.truncate(conversation.id, message.position);
    conversation.messages = conversation.messages.filter((m) => m.position < message.position);
    const stored = await api.addMessage(conversation.id, { role: 'user', content: text });
    conversation.messages.push(stored);
    renderMessages();
    await generate(conversation);
  } catch (error) { showError(error); }
}

/** Thumbs up/down; pressing the active one again withdraws it. Updates only that message's buttons. */
async function rate(message, rating, article) {
  try {
    if (message.feedback?.rating === rating) {
      await api.unrate(message.id);
      message.feedback = null;
    } else {
      const feedback = await api.rate(message.id, rating);
      message.feedback = { rating: feedback.rating, comment: feedback.comment };
    }
    const current = message.feedback?.rating ?? 0;
    article.querySelector('[data-action="rate-up"]')?.setAttribute('aria-pressed', String(current === 1));
    article.querySelector('[data-action="rate-down"]')?.setAttribute('aria-pressed', String(current === -1));
  } catch (error) { showError(error); }
}

async function copyWithFeedback(button, text) {
  const copied = await copyText(text);
  if (!copied) return;
  const label = button.getAttribute('aria-label');
  button.classList.add('copied');
  button.setAttribute('aria-label', t('message.copied'));
  if (button.classList.contains('copy-code')) button.textContent = t('message.copied');
  setTimeout(() => {
    button.classList.remove('copied');
    button.setAttribute('aria-label', label ?? t('message.copy'));
    if (button.classList.contains('copy-code')) button.textContent = t('message.copy');
  }, 1500);
}

// ------------------------------------------------------------------ wiring

function resizePrompt() {
  const field = $('prompt');
  field.style.height = 'auto'; // CSSOM, which the style-src policy allows (unlike style="")
  field.style.height = `${Math.min(field.scrollHeight, 240)}px`;
}

function onMessagesClick(event) {
  const codeButton = event.target.closest('.copy-code');
  if (codeButton) {
    const code = codeButton.closest('.code-block')?.querySelector('code');
    if (code) copyWithFeedback(codeButton, code.textContent);
    return;
  }
  const button = event.target.closest('button[data-action]');
  if (!button || button.disabled) return;
  const article = button.closest('article.message');
  const message = state.current?.messages.find((m) => m.id === article?.dataset.id);
  if (!message) return;
  switch (button.dataset.action) {
    case 'copy': copyWithFeedback(button, message.content); break;
    case 'edit': editAndResend(message, article); break;
    case 'regenerate': regenerate(); break;
    case 'rate-up': rate(message, 1, article); break;
    case 'rate-down': rate(message, -1, article); break;
  }
}

function onListClick(event) {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const id = button.closest('li')?.dataset.id;
  if (button.dataset.action === 'rename') renameConversation(id);
  if (button.dataset.action === 'delete') deleteConversation(id);
}

function route() {
  const match = /^#\/c\/([0-9a-f-]{36})$/.exec(location.hash);
  if (match) {
    if (state.current?.id !== match[1]) openConversation(match[1]);
  } else if (state.current) {
    newChat();
  }
}

function applyLanguage(lang) {
  setLanguage(lang, document);
  $('language').value = language();
  renderHeader();
  renderList();
  renderMessages();
}

function wire() {
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    send($('prompt').value);
  });
  $('prompt').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('prompt').addEventListener('input', resizePrompt);
  $('stop').addEventListener('click', () => state.streaming?.controller.abort());
  $('new-chat').addEventListener('click', newChat);
  $('settings-button').addEventListener('click', openSettings);
  $('model').addEventListener('change', modelChanged);
  $('messages').addEventListener('click', onMessagesClick);
  $('conversation-list').addEventListener('click', onListClick);
  $('error-close').addEventListener('click', clearError);
  $('open-sidebar').addEventListener('click', () => setDrawer(true));
  $('close-sidebar').addEventListener('click', () => setDrawer(false));
  $('backdrop').addEventListener('click', () => setDrawer(false));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && document.body.classList.contains('drawer-open')) setDrawer(false);
  });
  let searchTimer = null;
  $('search').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(refreshList, 250);
  });
  $('language').addEventListener('change', (event) => applyLanguage(event.target.value));
  const themeChanged = (dark) => {
    const button = $('theme-toggle');
    button.setAttribute('aria-pressed', String(dark));
    setIcon(button, dark ? 'sun' : 'moon');
  };
  $('theme-toggle').addEventListener('click', () => toggleTheme(themeChanged));
  initTheme(themeChanged);
  window.addEventListener('hashchange', route);
  window.addEventListener('popstate', route);
}

/**
 * Under `--web-chat key` the server wants an API key once: ask for it until one is
 * accepted. The key goes to the server only; the browser keeps the signed cookie it
 * gets back, never the key.
 */
async function signInIfNeeded() {
  try {
    await api.listConversations('');
    return;
  } catch (error) {
    if (!needsSignIn(error)) return;
  }
  const dialog = $('signin-dialog');
  const input = $('signin-key');
  const message = $('signin-error');
  for (;;) {
    input.value = '';
    setTimeout(() => input.focus(), 0);
    await ask(dialog);
    const key = input.value.trim();
    if (!key) continue;
    try {
      await api.signIn(key);
      return;
    } catch (error) {
      message.textContent = error.status === 401 ? t('signin.failed') : error.message;
      message.hidden = false;
    }
  }
}

async function start() {
  welcome = $('welcome');
  decorate(document);
  setLanguage(storedLanguage(), document);
  $('language').value = language();
  wire();
  renderHeader();
  await signInIfNeeded();
  await loadModels();
  await refreshList();
  route();
  if (!state.current) $('prompt').focus();
}

start();
