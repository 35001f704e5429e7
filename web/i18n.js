// Every piece of UI text, in Kazakh (the default), Russian and English.
//
// Markup holds keys only: data-i18n (text), data-i18n-aria (aria-label and title),
// data-i18n-placeholder. Scripts call t(key, values). A node test checks that every key
// used anywhere exists in all three tables.

export const LANGUAGES = ['kk', 'ru', 'en'];
export const DEFAULT_LANGUAGE = 'kk';
const STORAGE_KEY = 'aqyl.language';

export const TABLES = {
  kk: {
    'app.name': 'Aqyl',
    'app.title': 'Aqyl — чат',
    'sidebar.label': 'Әңгімелер тізімі',
    'sidebar.conversations': 'Әңгімелер',
    'sidebar.open': 'Мәзірді ашу',
    'sidebar.close': 'Мәзірді жабу',
    'sidebar.empty': 'Әзірше әңгіме жоқ',
    'sidebar.noMatches': 'Ештеңе табылмады',
    'chat.new': 'Жаңа чат',
    'chat.untitled': 'Атаусыз әңгіме',
    'chat.messages': 'Хабарламалар',
    'chat.rename': 'Атын өзгерту',
    'chat.delete': 'Жою',
    'chat.deleteConfirm': '«{title}» әңгімесі жойылсын ба? Мұны қайтару мүмкін емес.',
    'search.label': 'Әңгімелерден іздеу',
    'search.placeholder': 'Іздеу…',
    'nav.stats': 'Статистика',
    'language.label': 'Тіл',
    'language.kk': 'Қазақша',
    'language.ru': 'Русский',
    'language.en': 'English',
    'theme.toggle': 'Қараңғы режим',
    'model.label': 'Модель',
    'model.none': 'Модель жоқ',
    'welcome.title': 'Сәлем! Немен көмектесе аламын?',
    'welcome.hint': 'Сұрағыңызды төмендегі жолға жазыңыз.',
    'composer.label': 'Хабарлама',
    'composer.placeholder': 'Хабарлама жазыңыз…',
    'composer.send': 'Жіберу',
    'composer.stop': 'Тоқтату',
    'composer.hint': 'Enter — жіберу, Shift+Enter — жаңа жол',
    'message.you': 'Сіз',
    'message.assistant': 'Көмекші',
    'message.system': 'Жүйе',
    'message.copy': 'Көшіру',
    'message.copied': 'Көшірілді',
    'message.edit': 'Өңдеу',
    'message.regenerate': 'Қайта жасау',
    'message.good': 'Жақсы жауап',
    'message.bad': 'Нашар жауап',
    'message.stopped': 'Тоқтатылды',
    'message.thinking': 'Жауап жазылып жатыр…',
    'edit.send': 'Сақтап, жіберу',
    'settings.title': 'Әңгіме баптаулары',
    'settings.systemPrompt': 'Жүйелік нұсқау',
    'settings.systemPromptPlaceholder': 'Мысалы: Қысқа әрі нақты жауап бер.',
    'settings.temperature': 'Температура',
    'settings.default': 'Әдепкі',
    'settings.temperatureHint': '0-ден 2-ге дейін. Төмен мән — дәлірек, жоғары мән — еркінірек жауап.',
    'rename.title': 'Әңгіменің атын өзгерту',
    'rename.label': 'Атауы',
    'signin.title': 'Кіру',
    'signin.hint': 'Бұл чатты пайдалану үшін операторыңыз берген API кілтін енгізіңіз.',
    'signin.key': 'API кілті',
    'signin.submit': 'Кіру',
    'signin.failed': 'Кілт қабылданбады.',
    'action.save': 'Сақтау',
    'action.cancel': 'Болдырмау',
    'action.delete': 'Жою',
    'error.dismiss': 'Жабу',
    'error.network': 'Серверге қосылу мүмкін болмады.',
    'error.generic': 'Қате: {message}',
    'error.temperature': 'Температура 0 мен 2 аралығында болуы керек.',
    'error.noModel': 'Сервер ешбір модель ұсынбайды.',
  },
  ru: {
    'app.name': 'Aqyl',
    'app.title': 'Aqyl — чат',
    'sidebar.label': 'Список разговоров',
    'sidebar.conversations': 'Разговоры',
    'sidebar.open': 'Открыть меню',
    'sidebar.close': 'Закрыть меню',
    'sidebar.empty': 'Пока нет разговоров',
    'sidebar.noMatches': 'Ничего не найдено',
    'chat.new': 'Новый чат',
    'chat.untitled': 'Без названия',
    'chat.messages': 'Сообщения',
    'chat.rename': 'Переименовать',
    'chat.delete': 'Удалить',
    'chat.deleteConfirm': 'Удалить разговор «{title}»? Это действие нельзя отменить.',
    'search.label': 'Поиск по разговорам',
    'search.placeholder': 'Поиск…',
    'nav.stats': 'Статистика',
    'language.label': 'Язык',
    'language.kk': 'Қазақша',
    'language.ru': 'Русский',
    'language.en': 'English',
    'theme.toggle': 'Тёмная тема',
    'model.label': 'Модель',
    'model.none': 'Нет моделей',
    'welcome.title': 'Здравствуйте! Чем могу помочь?',
    'welcome.hint': 'Напишите вопрос в поле ниже.',
    'composer.label': 'Сообщение',
    'composer.placeholder': 'Напишите сообщение…',
    'composer.send': 'Отправить',
    'composer.stop': 'Остановить',
    'composer.hint': 'Enter — отправить, Shift+Enter — новая строка',
    'message.you': 'Вы',
    'message.assistant': 'Ассистент',
    'message.system': 'Система',
    'message.copy': 'Копировать',
    'message.copied': 'Скопировано',
    'message.edit': 'Изменить',
    'message.regenerate': 'Сгенерировать заново',
    'message.good': 'Хороший ответ',
    'message.bad': 'Плохой ответ',
    'message.stopped': 'Остановлено',
    'message.thinking': 'Пишет ответ…',
    'edit.send': 'Сохранить и отправить',
    'settings.title': 'Настройки разговора',
    'settings.systemPrompt': 'Системная инструкция',
    'settings.systemPromptPlaceholder': 'Например: Отвечай кратко и по делу.',
    'settings.temperature': 'Температура',
    'settings.default': 'По умолчанию',
    'settings.temperatureHint': 'От 0 до 2. Меньше — точнее, больше — свободнее.',
    'rename.title': 'Переименовать разговор',
    'rename.label': 'Название',
    'signin.title': 'Вход',
    'signin.hint': 'Чтобы пользоваться этим чатом, введите API-ключ от вашего оператора.',
    'signin.key': 'API-ключ',
    'signin.submit': 'Войти',
    'signin.failed': 'Ключ не принят.',
    'action.save': 'Сохранить',
    'action.cancel': 'Отмена',
    'action.delete': 'Удалить',
    'error.dismiss': 'Закрыть',
    'error.network': 'Не удалось связаться с сервером.',
    'error.generic': 'Ошибка: {message}',
    'error.temperature': 'Температура должна быть от 0 до 2.',
    'error.noModel': 'Сервер не предоставляет ни одной модели.',
  },
  en: {
    'app.name': 'Aqyl',
    'app.title': 'Aqyl — chat',
    'sidebar.label': 'Conversation list',
    'sidebar.conversations': 'Conversations',
    'sidebar.open': 'Open menu',
    'sidebar.close': 'Close menu',
    'sidebar.empty': 'No conversations yet',
    'sidebar.noMatches': 'Nothing found',
    'chat.new': 'New chat',
    'chat.untitled': 'Untitled',
    'chat.messages': 'Messages',
    'chat.rename': 'Rename',
    'chat.delete': 'Delete',
    'chat.deleteConfirm': 'Delete the conversation “{title}”? This cannot be undone.',
    'search.label': 'Search conversations',
    'search.placeholder': 'Search…',
    'nav.stats': 'Statistics',
    'language.label': 'Language',
    'language.kk': 'Қазақша',
    'language.ru': 'Русский',
    'language.en': 'English',
    'theme.toggle': 'Dark mode',
    'model.label': 'Model',
    'model.none': 'No models',
    'welcome.title': 'Hello! How can I help?',
    'welcome.hint': 'Type your question in the box below.',
    'composer.label': 'Message',
    'composer.placeholder': 'Write a message…',
    'composer.send': 'Send',
    'composer.stop': 'Stop',
    'composer.hint': 'Enter to send, Shift+Enter for a new line',
    'message.you': 'You',
    'message.assistant': 'Assistant',
    'message.system': 'System',
    'message.copy': 'Copy',
    'message.copied': 'Copied',
    'message.edit': 'Edit',
    'message.regenerate': 'Regenerate',
    'message.good': 'Good answer',
    'message.bad': 'Bad answer',
    'message.stopped': 'Stopped',
    'message.thinking': 'Writing an answer…',
    'edit.send': 'Save and send',
    'settings.title': 'Conversation settings',
    'settings.systemPrompt': 'System prompt',
    'settings.systemPromptPlaceholder': 'For example: Answer briefly and to the point.',
    'settings.temperature': 'Temperature',
    'settings.default': 'Default',
    'settings.temperatureHint': 'From 0 to 2. Lower is more precise, higher is freer.',
    'rename.title': 'Rename conversation',
    'rename.label': 'Title',
    'signin.title': 'Sign in',
    'signin.hint': 'To use this chat, enter the API key your operator gave you.',
    'signin.key': 'API key',
    'signin.submit': 'Sign in',
    'signin.failed': 'The key was not accepted.',
    'action.save': 'Save',
    'action.cancel': 'Cancel',
    'action.delete': 'Delete',
    'error.dismiss': 'Dismiss',
    'error.network': 'Could not reach the server.',
    'error.generic': 'Error: {message}',
    'error.temperature': 'The temperature must be between 0 and 2.',
    'error.noModel': 'The server offers no model.',
  },
};

let current = DEFAULT_LANGUAGE;

/** The remembered language, or Kazakh. */
export function storedLanguage(storage = globalThis.localStorage) {
  try {
    const saved = storage?.getItem(STORAGE_KEY);
    return LANGUAGES.includes(saved) ? saved : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE; // storage disabled (private mode, sandbox)
  }
}

export function language() { return current; }

/** The text for `key` in the current language, with {name} placeholders filled. */
export function t(key, values = {}) {
  const text = TABLES[current][key] ?? TABLES[DEFAULT_LANGUAGE][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** Switches language, remembers it, and re-translates the document. */
export function setLanguage(lang, root = globalThis.document) {
  current = LANGUAGES.includes(lang) ? lang : DEFAULT_LANGUAGE;
  try { globalThis.localStorage?.setItem(STORAGE_KEY, current); } catch { /* not remembered */ }
  if (root) {
    root.documentElement.lang = current;
    translate(root);
  }
}

/** Fills every data-i18n* attribute under `root` (text only: never HTML). */
export function translate(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) {
    const text = t(el.dataset.i18nAria);
    el.setAttribute('aria-label', text);
    el.title = text;
  }
}
