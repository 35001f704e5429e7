// Translation tables are complete, and the page's markup holds no text of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { TABLES, LANGUAGES, DEFAULT_LANGUAGE, t, storedLanguage } from '../i18n.js';

const web = fileURLToPath(new URL('..', import.meta.url));
const html = readFileSync(join(web, 'index.html'), 'utf8');
const scripts = readdirSync(web).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(web, f), 'utf8'));

test('every language has exactly the same keys, none empty', () => {
  assert.deepEqual(LANGUAGES, ['kk', 'ru', 'en']);
  assert.equal(DEFAULT_LANGUAGE, 'kk');
  const reference = Object.keys(TABLES.kk).sort();
  for (const lang of LANGUAGES) {
    assert.deepEqual(Object.keys(TABLES[lang]).sort(), reference, `${lang} keys`);
    for (const [key, text] of Object.entries(TABLES[lang])) assert.ok(text.trim(), `${lang}.${key} is empty`);
  }
});

test('every key used in markup and scripts exists', () => {
  const used = new Set();
  for (const [, key] of html.matchAll(/data-i18n(?:-aria|-placeholder)?="([^"]+)"/g)) used.add(key);
  for (const source of scripts) {
    for (const [, key] of source.matchAll(/\bt\('([a-zA-Z.]+)'/g)) used.add(key);
    for (const [, key] of source.matchAll(/(?:i18n|i18nAria)\s*=\s*'([a-zA-Z.]+)'/g)) used.add(key);
    for (const [, key] of source.matchAll(/(?:actionButton|iconButton)\([^)]*'([a-z]+\.[a-zA-Z]+)'/g)) used.add(key);
  }
  assert.ok(used.size > 30, `found only ${used.size} keys`);
  for (const key of used) assert.ok(key in TABLES.kk, `missing key ${key}`);
});

test('the markup has no text outside the tables and no inline script or style', () => {
  const body = html.replace(/<!--[\s\S]*?-->/g, '');
  const text = body.replace(/<[^>]*>/g, '').trim();
  assert.equal(text, '', `literal text in index.html: ${JSON.stringify(text.slice(0, 80))}`);
  assert.ok(!/style=/.test(body) && !/<style/.test(body), 'inline style');
  assert.ok(!/\son[a-z]+=/.test(body), 'inline event handler');
  for (const [, attrs, inner] of body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(attrs, /src="\/assets\//);
    assert.equal(inner, '');
  }
  assert.match(body, /<html lang="kk">/);
});

test('placeholders are filled and unknown languages fall back to Kazakh', () => {
  assert.equal(t('chat.deleteConfirm', { title: 'X' }).includes('X'), true);
  const storage = (value) => ({ getItem: () => value });
  assert.equal(storedLanguage(storage('ru')), 'ru');
  assert.equal(storedLanguage(storage('de')), 'kk');
  assert.equal(storedLanguage(storage(null)), 'kk');
  assert.equal(storedLanguage({ getItem: () => { throw new Error('denied'); } }), 'kk');
});
