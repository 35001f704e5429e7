// End-to-end check of the web chat in a real browser: headless Chromium driven over the
// DevTools protocol. Not part of `swift test` (it needs Chromium and a running server).
//
//   .build/debug/aqyl serve --port 8090 --data /tmp/webdata &
//   node --experimental-websocket scripts/web_smoke.mjs http://127.0.0.1:8090 /tmp/web-shots
//
// It sends a message, waits for streamed text to render through the Markdown renderer,
// stops the reply, checks that it was stored, opens the phone drawer, switches
// language and theme, and saves screenshots (light/dark × desktop/phone). Any console
// error, uncaught exception or CSP violation fails the run.
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
      if (!/favicon/.test(url ?? '')) problems.push(`log: ${text} ${url ?? ''}`);
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
  await waitFor(`(document.querySelector('article.streaming .markdown')?.textContent.length ?? 0) > 40 &&
    !document.querySelector('article.streaming .typing')`, 120000, 'streamed text');
  const streamedHtml = await evaluate(`document.querySelector('article.streaming .markdown').innerHTML`);
  console.log(`streamed so far: ${streamedHtml.slice(0, 200)}…`);
  await screenshot('desktop-light-streaming');
  await evaluate(`document.getElementById('stop').click()`);
  await waitFor(`!document.querySelector('article.streaming') && document.getElementById('stop').hidden`, 30000, 'stop');
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
  await load(await evaluate('location.href'));
  await waitFor(`document.querySelector('article.assistant [data-action="rate-up"]')?.getAttribute('aria-pressed') === 'true'`, 5000, 'rating after reload');

  // Dark, desktop.
  await viewport(1280, 800, true);
  await screenshot('desktop-dark-chat');

  // Phone: chat, then the drawer.
  await viewport(390, 844, false);
  await load(await evaluate('location.href'));
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
