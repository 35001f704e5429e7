// DOM for the conversation list. Titles are set as textContent.

import { iconButton } from './icons.js';
import { t } from './i18n.js';

export function conversationTitle(conversation) {
  return conversation?.title || t('chat.untitled');
}

/** One conversation in the sidebar: a link to #/c/ID plus rename and delete buttons. */
export function conversationItem(conversation, active) {
  const item = document.createElement('li');
  item.className = 'conversation-item';
  item.dataset.id = conversation.id;
  const link = document.createElement('a');
  link.href = `#/c/${encodeURIComponent(conversation.id)}`;
  link.className = 'conversation-link';
  link.textContent = conversationTitle(conversation);
  if (active) {
    item.classList.add('active');
    link.setAttribute('aria-current', 'page');
  }
  const actions = document.createElement('span');
  actions.className = 'item-actions';
  actions.append(iconButton('rename', 'edit', 'chat.rename'), iconButton('delete', 'trash', 'chat.delete'));
  item.append(link, actions);
  return item;
}
