// DOM for chat messages. User text is set as textContent; assistant text goes through
// renderMarkdown, the only HTML this page ever assigns with innerHTML.

import { renderMarkdown } from './markdown.js';
import { iconButton as actionButton } from './icons.js';
import { t } from './i18n.js';

/** Fills an assistant bubble with rendered Markdown. */
export function renderAssistantContent(container, text) {
  container.innerHTML = renderMarkdown(text, { copyLabel: t('message.copy') });
}

/**
 * One message as an <article>.
 * @param {object} message a stored message (id, position, role, content, feedback)
 * @param {{canRegenerate: boolean, stopped: boolean}} options
 */
export function messageElement(message, { canRegenerate = false, stopped = false } = {}) {
  const article = document.createElement('article');
  article.className = `message ${message.role}`;
  article.dataset.id = message.id;
  article.dataset.position = String(message.position);

  const who = document.createElement('h3');
  who.className = 'visually-hidden';
  who.textContent = t(message.role === 'user' ? 'message.you' : message.role === 'system' ? 'message.system' : 'message.assistant');
  article.append(who);

  const bubble = document.createElement('div');
  bubble.className = 'bubble';
  const body = document.createElement('div');
  if (message.role === 'assistant') {
    body.className = 'markdown';
    renderAssistantContent(body, message.content);
  } else {
    body.className = 'plain';
    body.textContent = message.content;
  }
  bubble.append(body);
  article.append(bubble);

  const actions = document.createElement('div');
  actions.className = 'message-actions';
  if (message.role === 'user') {
    actions.append(actionButton('edit', 'edit', 'message.edit'), actionButton('copy', 'copy', 'message.copy'));
    if (canRegenerate) actions.append(actionButton('regenerate', 'refresh', 'message.regenerate'));
  } else if (message.role === 'assistant') {
    const rating = message.feedback?.rating ?? 0;
    actions.append(
      actionButton('copy', 'copy', 'message.copy'),
      actionButton('rate-up', 'thumbUp', 'message.good', rating === 1),
      actionButton('rate-down', 'thumbDown', 'message.bad', rating === -1),
    );
    if (canRegenerate) actions.append(actionButton('regenerate', 'refresh', 'message.regenerate'));
    if (stopped) {
      const note = document.createElement('span');
      note.className = 'note';
      note.dataset.i18n = 'message.stopped';
      note.textContent = t('message.stopped');
      actions.append(note);
    }
  }
  if (actions.childElementCount) article.append(actions);
  return article;
}

/** The assistant message being streamed: a bubble that shows a typing hint until text arrives. */
export function streamingElement() {
  const article = document.createElement('article');
  article.className = 'message assistant streaming';
  const bubble = document.createElement('div');
  bubble.className = 'bubble';
  const body = document.createElement('div');
  body.className = 'markdown';
  const hint = document.createElement('p');
  hint.className = 'typing';
  hint.dataset.i18n = 'message.thinking';
  hint.textContent = t('message.thinking');
  body.append(hint);
  bubble.append(body);
  article.append(bubble);
  return { article, body };
}

/** Swaps a user message's bubble for an editor; resolves to the new text or null. */
export function editMessage(article, text) {
  return new Promise((resolve) => {
    const bubble = article.querySelector('.bubble');
    const actions = article.querySelector('.message-actions');
    const editor = document.createElement('form');
    editor.className = 'editor';
    const field = document.createElement('textarea');
    field.value = text;
    field.rows = Math.min(12, Math.max(3, text.split('\n').length + 1));
    field.setAttribute('aria-label', t('message.edit'));
    const buttons = document.createElement('div');
    buttons.className = 'dialog-buttons';
    const save = document.createElement('button');
    save.type = 'submit';
    save.className = 'primary';
    save.textContent = t('edit.send');
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'secondary';
    cancel.textContent = t('action.cancel');
    buttons.append(save, cancel);
    editor.append(field, buttons);
    bubble.hidden = true;
    if (actions) actions.hidden = true;
    article.append(editor);
    field.focus();

    const finish = (value) => {
      editor.remove();
      bubble.hidden = false;
      if (actions) actions.hidden = false;
      resolve(value);
    };
    editor.addEventListener('submit', (event) => {
      event.preventDefault();
      finish(field.value.trim() ? field.value : null);
    });
    cancel.addEventListener('click', () => finish(null));
    field.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') finish(null);
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        editor.requestSubmit();
      }
    });
  });
}
