// End-to-end check of the web chat in a real browser: headless Chromium driven over the
// DevTools protocol. Not part of `swift test` (it needs Chromium and a running server).
//
//   .build/debug/aqyl serve --port 8090 --data /tmp/webdata &
//   node --experimental-websocket scripts/web_smoke.mjs http://127.0.0.1:8090 /tmp/web-shots
//
// Start it on an empty --data directory. It sends a message, waits for streamed text to
// render through the Markdown renderer, stops the reply and checks what was stored,
// rates it, saves settings, renames, searches, regenerates, opens the phone drawer,
// switches language and theme, shows a server error, deletes, and saves screenshots
// (light/dark × desktop/phone). Any console error, uncaught exception or CSP violation
// fails the run.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.argv[2] ?? 'http://127.0.0.1:8090';
const out = process.argv[3] ?? '/tmp/web-shots';
const chromium = process.env.CHROMIUM ?? 'chromium';
const port = 9300 + Math.floor(Math.random() * 500);
mkdirSync(out, { recursive: true });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const problems = [];
let expectHttpError = false; // set while provoking a 400 on purpose

const browser = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
  `--remote-debugging-port=${port}`, `--user-data-dir=${mkdtempSync(join(tmpdir(), 'aqyl-smoke-'))}`, 'about:blank'],
{ stdio: 'ignore' });

async function json(path, method = 'GET') {
  for (let i = 0; i < 100; i++) {
    try { return await (await fetch(`http://127.0.0.1:${port}${path}`, { method })).json(); } catch { await sleep(100); }
  }
  throw new Error('Chromium did not start');
}

let socket;
let nextId = 1;
const pending = new Map();
function send(method, params = {}) {
  const id = nextId++;
  socket.send(JSON.stringify({ id, method, params }));
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
}

async function evaluate(expression) {
  const result = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (result.exceptionDetails) throw new Error(`${expression}: ${result.exceptionDetails.text}`);
  return result.result.value;
}

async function waitFor(expression, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await evaluate(expression)) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function screenshot(name) {
  await sleep(300);
  const { data } = await send('Page.captureScreenshot', { format: 'png' });
  writeFileSync(join(out, `${name}.png`), Buffer.from(data, 'base64'));
  console.log(`screenshot ${join(out, `${name}.png`)}`);
}

async function viewport(width, height, dark) {
  await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: width < 600 });
  await send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: dark ? 'dark' : 'light' }] });
}

async function load(url) {
  await send('Page.navigate', { url });
  await waitFor(`document.readyState === 'complete' && document.getElementById('model').options.length > 0`, 15000, 'page load');
  await sleep(300);
}

// Waits until the reply has streamed some text (then stops it, to keep the run short)
// or has already finished with `answers` assistant messages on the page. Returns the
// streamed HTML when it caught the reply mid-stream.
async function streamThenStop(what, answers) {
  const finished = `!document.querySelector('article.streaming') && document.getElementById('stop').hidden &&
    document.querySelectorAll('article.message.assistant').length === ${answers}`;
  await waitFor(`((document.querySelector('article.streaming .markdown')?.textContent.length ?? 0) > 10 &&
    !document.querySelector('article.streaming .typing')) || (${finished})`, 120000, what);
  const html = await evaluate(`document.querySelector('article.streaming .markdown')?.innerHTML ?? null`);
  if (html !== null) {
    await screenshot(`desktop-light-streaming`);
    await evaluate(`document.getElementById('stop').click()`);
  }
  await waitFor(finished, 30000, `${what}: end`);
  return html;
}

async function reload() {
  await send('Page.reload', { ignoreCache: true });
  await sleep(500);
  await waitFor(`document.readyState === 'complete' && document.getElementById('model').options.length > 0`, 15000, 'reload');
  await sleep(500);
}

async function noHorizontalScroll(label) {
  const overflow = await evaluate('document.documentElement.scrollWidth - window.innerWidth');
  if (overflow > 0) problems.push(`${label}: page scrolls horizontally by ${overflow}px`);
}

try {
  const target = await json('/json/new?about:blank', 'PUT');
  socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = reject; });
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id && pending.has(message.id)) {
      const { resolve, reject, method } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(`${method}: ${message.error.message}`)); else resolve(message.result);
    } else if (message.method === 'Runtime.exceptionThrown') {
      problems.push(`exception: ${message.params.exceptionDetails.exception?.description ?? message.params.exceptionDetails.text}`);
    } else if (message.method === 'Runtime.consoleAPICalled' && message.params.type === 'error') {
      problems.push(`console.error: ${message.params.args.map((a) => a.value ?? a.description).join(' ')}`);
    } else if (message.method === 'Log.entryAdded' && message.params.entry.level === 'error') {
      // CSP violations and failed loads land here.
      const { text, url } = message.params.entry;
      const deliberate = expectHttpError && /status of 400/.test(text);
      if (!deliberate) problems.push(`log: ${text} ${url ?? ''}`);
    }
  };
  await send('Page.enable');
  await send('Runtime.enable');
  await send('Log.enable');

  // Desktop, light: empty chat, then a streamed reply.
  await viewport(1280, 800, false);
  await load(`${base}/`);
  await screenshot('desktop-light-empty');
  await evaluate(`(() => {
    const prompt = document.getElementById('prompt');
    prompt.value = 'Write a short Markdown list of three Kazakh cities, with **bold** names.';
    document.getElementById('composer').requestSubmit();
  })()`);
  const streamedHtml = await streamThenStop('streamed text', 1);
  console.log(`streamed: ${streamedHtml === null ? '(finished before it could be stopped)' : streamedHtml.slice(0, 200)}`);
  const stored = await evaluate(`(async () => {
    const id = location.hash.split('/')[2];
    const conversation = await (await fetch('/api/conversations/' + id)).json();
    return conversation.messages.map((m) => m.role + ':' + m.content.length).join(',');
  })()`);
  console.log(`stored messages: ${stored}`);
  if (!/^user:\d+,assistant:[1-9]\d*$/.test(stored)) problems.push(`unexpected stored messages: ${stored}`);
  await screenshot('desktop-light-chat');

  // Thumbs up is stored and reflected after a reload.
  await evaluate(`document.querySelector('article.assistant [data-action="rate-up"]').click()`);
  await waitFor(`document.querySelector('article.assistant [data-action="rate-up"]').getAttribute('aria-pressed') === 'true'`, 5000, 'rating');
  await reload();
  await waitFor(`document.querySelector('article.assistant [data-action="rate-up"]')?.getAttribute('aria-pressed') === 'true'`, 5000, 'rating after reload');

  // Settings, rename and search go through their dialogs and /api.
  const conversation = `(async () => (await fetch('/api/conversations/' + location.hash.split('/')[2])).json())()`;
  await evaluate(`document.getElementById('settings-button').click()`);
  await evaluate(`(() => {
    document.getElementById('system-prompt').value = 'Жауапты қазақша бер.';
    document.getElementById('temperature').value = '0.3';
    document.querySelector('#settings-dialog button[value=save]').click();
  })()`);
  await waitFor(`${conversation}.then((c) => c.temperature === 0.3 && c.system_prompt === 'Жауапты қазақша бер.')`, 5000, 'settings saved');
  await evaluate(`document.querySelector('.conversation-item.active [data-action=rename]').click()`);
  await evaluate(`(() => {
    document.getElementById('rename-input').value = 'Қалалар тізімі';
    document.querySelector('#rename-dialog button[value=save]').click();
  })()`);
  await waitFor(`document.getElementById('chat-title').textContent === 'Қалалар тізімі' &&
    document.querySelector('.conversation-item.active a').textContent === 'Қалалар тізімі'`, 5000, 'rename');
  await evaluate(`(() => { const s = document.getElementById('search'); s.value = 'ҚАЛАЛАР'; s.dispatchEvent(new Event('input')); })()`);
  await waitFor(`document.querySelectorAll('.conversation-item').length === 1`, 5000, 'search match');
  await evaluate(`(() => { const s = document.getElementById('search'); s.value = 'жоқ-сөз'; s.dispatchEvent(new Event('input')); })()`);
  await waitFor(`document.querySelectorAll('.conversation-item').length === 0 && !document.getElementById('list-empty').hidden`, 5000, 'search miss');
  await evaluate(`(() => { const s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new Event('input')); })()`);
  await waitFor(`document.querySelectorAll('.conversation-item').length === 1`, 5000, 'search cleared');

  // Regenerate replaces the last answer (stopped early again to keep the run short).
  const before = await evaluate(`${conversation}.then((c) => c.messages.at(-1).id)`);
  await evaluate(`document.querySelector('article.assistant [data-action=regenerate]').click()`);
  await waitFor(`!document.querySelector('article[data-id="${before}"]')`, 10000, 'old answer removed');
  await streamThenStop('regenerated text', 1);
  const after = await evaluate(`${conversation}.then((c) => c.messages.length + ':' + c.messages.at(-1).id)`);
  if (after === `2:${before}` || !after.startsWith('2:')) problems.push(`regenerate did not replace the answer: ${before} → ${after}`);

  // Editing the question drops everything after it and asks again.
  await evaluate(`document.querySelector('article.user [data-action=edit]').click()`);
  await evaluate(`(() => {
    const editor = document.querySelector('article.user form.editor');
    editor.querySelector('textarea').value = 'Астана туралы бір сөйлем жаз.';
    editor.requestSubmit();
  })()`);
  await waitFor(`document.querySelector('article.user .plain')?.textContent.startsWith('Астана')`, 10000, 'edited question');
  await streamThenStop('text after edit', 1);
  const edited = await evaluate(`${conversation}.then((c) => c.messages.map((m) => m.role + ':' + m.content.slice(0, 12)).join('|'))`);
  console.log(`after edit: ${edited}`);
  if (!/^user:Астана турал\|assistant:/.test(edited) || edited.split('|').length !== 2) problems.push(`edit and resend: ${edited}`);

  // Dark, desktop.
  await viewport(1280, 800, true);
  await screenshot('desktop-dark-chat');

  // Phone: chat, then the drawer.
  await viewport(390, 844, false);
  await reload();
  await noHorizontalScroll('phone chat');
  await screenshot('phone-light-chat');
  await evaluate(`document.getElementById('open-sidebar').click()`);
  await waitFor(`document.body.classList.contains('drawer-open')`, 2000, 'drawer');
  await screenshot('phone-light-drawer');
  await evaluate(`document.getElementById('backdrop').click()`);
  await viewport(360, 740, true);
  await noHorizontalScroll('phone 360 dark');
  await screenshot('phone-dark-chat');

  // Language switch follows into <html lang> and the placeholders.
  await evaluate(`(() => { const s = document.getElementById('language'); s.value = 'ru'; s.dispatchEvent(new Event('change')); })()`);
  const lang = await evaluate(`document.documentElement.lang + '|' + document.getElementById('prompt').placeholder`);
  console.log(`after switching to Russian: ${lang}`);
  if (!lang.startsWith('ru|Напишите')) problems.push(`language switch: ${lang}`);
  await screenshot('phone-dark-russian');
  await evaluate(`(() => { const s = document.getElementById('language'); s.value = 'kk'; s.dispatchEvent(new Event('change')); })()`);

  // A server error (a prompt longer than the context) shows its message.
  await viewport(1280, 800, false);
  expectHttpError = true;
  await evaluate(`(() => {
    document.getElementById('prompt').value = 'сөз '.repeat(30000);
    document.getElementById('composer').requestSubmit();
  })()`);
  await waitFor(`!document.getElementById('error-banner').hidden`, 60000, 'error banner');
  const shown = await evaluate(`document.getElementById('error-text').textContent`);
  console.log(`error shown: ${shown.slice(0, 160)}`);
  if (!/context length/.test(shown)) problems.push(`unexpected error text: ${shown}`);
  await screenshot('desktop-light-error');

  // Deleting asks first, then the conversation is gone.
  await evaluate(`document.querySelector('.conversation-item.active [data-action=delete]').click()`);
  await waitFor(`document.getElementById('confirm-dialog').open`, 2000, 'confirm dialog');
  await screenshot('desktop-light-confirm-delete');
  await evaluate(`document.querySelector('#confirm-dialog button[value=confirm]').click()`);
  await waitFor(`document.querySelectorAll('.conversation-item').length === 0 && location.hash === ''`, 5000, 'delete');
} catch (error) {
  problems.push(error.message);
} finally {
  socket?.close();
  browser.kill();
}

if (problems.length) {
  console.error(`FAILED:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('web smoke test passed');
