// Safe Markdown → HTML for model output, which is untrusted. This file parses blocks;
// markdown-inline.js parses the text inside them.
//
// The safety argument is structural, not a filter: every piece of input text goes
// through escapeHtml() before it reaches the output, and the only markup in the output
// is written by this file from a fixed set of tags and attributes. Raw HTML in the input
// is never passed through; it shows up as text. Link targets are kept only for http:,
// https: and mailto: URLs.
//
// The parser is a small CommonMark subset (paragraphs, headings, fenced code, lists,
// block quotes, tables, rules; code spans, emphasis, links, autolinks). It uses no regex
// with nested or adjacent unbounded quantifiers on input text, and every forward search
// is either cached or bounded, so time grows about linearly with the input.

import { escapeHtml, safeUrl } from './html-safety.js';
import { renderInline } from './markdown-inline.js';

/** Tags this renderer can produce (the tests check output against this list). */
export const ALLOWED_TAGS = new Set([
  'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'code', 'pre', 'ul', 'ol', 'li',
  'blockquote', 'a', 'br', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'div', 'span', 'button',
]);

const MAX_DEPTH = 8; // nested quotes/lists beyond this render as plain paragraphs
const MAX_LANGUAGE = 32;

export { escapeHtml, safeUrl };

/** A code fence's info string as a class-name-safe language ([a-z0-9+-]), or ''. */
export function codeLanguage(info) {
  const word = info.trim().split(/\s/, 1)[0] || '';
  let lang = '';
  // The leading run of allowed characters: "c++" stays, "\"><script>" becomes ''.
  for (const ch of word.toLowerCase()) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch === '+' || ch === '-')) break;
    lang += ch;
    if (lang.length >= MAX_LANGUAGE) break;
  }
  return lang;
}

/**
 * Renders Markdown to an HTML string that is safe to assign to innerHTML.
 * @param {string} source untrusted Markdown
 * @param {{copyLabel?: string}} [options] text for the code blocks' copy buttons
 */

export function renderMarkdown(source, options = {}) {
  const lines = String(source ?? '').replace(/\r\n?/g, '\n').split('\n');
  const context = { copyLabel: options.copyLabel ?? 'Copy' };
  return renderBlocks(lines, context, 0);
}

// ---------------------------------------------------------------- blocks

function indentOf(line) {
  let n = 0;
  while (n < line.length && line[n] === ' ') n++;
  return n;
}

function isBlank(line) { return line.trim() === ''; }

function fenceOpen(line) {
  const indent = indentOf(line);
  if (indent > 3) return null;
  const ch = line[indent];
  if (ch !== '`' && ch !== '~') return null;
  let n = indent;
  while (line[n] === ch) n++;
  const length = n - indent;
  if (length < 3) return null;
  const info = line.slice(n);
  if (ch === '`' && info.includes('`')) return null;
  return { ch, length, info, indent };
}

function fenceCloses(line, fence) {
  const indent = indentOf(line);
  if (indent > 3) return false;
  let n = indent;
  while (line[n] === fence.ch) n++;
  return n - indent >= fence.length && line.slice(n).trim() === '';
}

function headingOf(line) {
  const indent = indentOf(line);
  if (indent > 3) return null;
  let n = indent;
  while (line[n] === '#' && n - indent < 7) n++;
  const level = n - indent;
  if (level < 1 || level > 6) return null;
  if (n < line.length && line[n] !== ' ' && line[n] !== '\t') return null;
  let text = line.slice(n).trim();
  // An optional closing run of #s, when preceded by a space.
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end === 0) text = '';
  else if (end < text.length && (text[end - 1] === ' ' || text[end - 1] === '\t')) text = text.slice(0, end).trim();
  return { level, text };
}

function isRule(line) {
  if (indentOf(line) > 3) return false;
  let ch = null;
  let count = 0;
  for (const c of line) {
    if (c === ' ' || c === '\t') continue;
    if (c !== '-' && c !== '*' && c !== '_') return false;
    if (ch !== null && c !== ch) return false;
    ch = c;
    count++;
  }
  return count >= 3;
}

function quoteContent(line) {
  const indent = indentOf(line);
  if (indent > 3 || line[indent] !== '>') return null;
  let rest = line.slice(indent + 1);
  if (rest[0] === ' ') rest = rest.slice(1);
  return rest;
}

// A list item marker: "- ", "* ", "+ ", "1. ", "1) ". Returns the content column too.
function listItemOf(line) {
  const indent = indentOf(line);
  if (indent > 3) return null;
  let n = indent;
  let ordered = false;
  let start = 1;
  const c = line[n];
  if (c === '-' || c === '*' || c === '+') {
    n++;
  } else {
    let digits = '';
    while (n < line.length && line[n] >= '0' && line[n] <= '9' && digits.length < 9) digits += line[n++];
    if (digits === '' || (line[n] !== '.' && line[n] !== ')')) return null;
    n++;
    ordered = true;
    start = parseInt(digits, 10);
  }
  if (n < line.length && line[n] !== ' ' && line[n] !== '\t') return null;
  let content = n;
  while (content < line.length && content - n < 4 && line[content] === ' ') content++;
  if (content === line.length) content = n + 1; // empty item
  return { ordered, start, marker: ordered ? line[n - 1] : c, column: content, text: line.slice(content) };
}

function tableCells(line) {
  let text = line.trim();
  if (text.startsWith('|')) text = text.slice(1);
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1);
  const cells = [];
  let cell = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && text[i + 1] === '|') { cell += '|'; i++; continue; }
    if (text[i] === '|') { cells.push(cell.trim()); cell = ''; continue; }
    cell += text[i];
  }
  cells.push(cell.trim());
  return cells;
}

function tableAlignments(line) {
  if (!line.includes('-') || !line.includes('|')) return null;
  const cells = tableCells(line);
  const aligns = [];
  for (const cell of cells) {
    if (!/^:?-+:?$/.test(cell)) return null; // one bounded character class run: linear
    const left = cell.startsWith(':');
    const right = cell.endsWith(':');
    aligns.push(left && right ? 'center' : right ? 'right' : left ? 'left' : '');
  }
  return aligns;
}

// Whether a line would start a block other than a paragraph (so it ends a paragraph).
function startsBlock(line) {
  return fenceOpen(line) !== null || headingOf(line) !== null || isRule(line) ||
    quoteContent(line) !== null || listItemOf(line) !== null;
}

// A header row followed by a delimiter row; models often write one right under a sentence.
function startsTable(lines, i) {
  return lines[i].includes('|') && i + 1 < lines.length && tableAlignments(lines[i + 1]) !== null;
}

function renderBlocks(lines, context, depth) {
  let html = '';
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) { i++; continue; }

    const fence = fenceOpen(line);
    if (fence) {
      const body = [];
      i++;
      // An unterminated fence runs to the end of the input, as in CommonMark.
      while (i < lines.length && !fenceCloses(lines[i], fence)) {
        let l = lines[i];
        let strip = 0;
        while (strip < fence.indent && l[strip] === ' ') strip++;
        body.push(l.slice(strip));
        i++;
      }
      i++;
      html += codeBlock(body.join('\n'), codeLanguage(fence.info), context);
      continue;
    }

    const heading = headingOf(line);
    if (heading) {
      html += `<h${heading.level}>${renderInline(heading.text)}</h${heading.level}>`;
      i++;
      continue;
    }

    if (isRule(line)) { html += '<hr>'; i++; continue; }

    if (quoteContent(line) !== null && depth < MAX_DEPTH) {
      const inner = [];
      while (i < lines.length && !isBlank(lines[i])) {
        const q = quoteContent(lines[i]);
        if (q !== null) inner.push(q);
        else if (inner.length && !startsBlock(lines[i])) inner.push(lines[i]); // lazy continuation
        else break;
        i++;
      }
      html += `<blockquote>${renderBlocks(inner, context, depth + 1)}</blockquote>`;
      continue;
    }

    const item = listItemOf(line);
    if (item && depth < MAX_DEPTH) {
      const parsed = parseList(lines, i, item);
      i = parsed.next;
      html += renderList(parsed, context, depth);
      continue;
    }

    if (line.includes('|') && i + 1 < lines.length) {
      const aligns = tableAlignments(lines[i + 1]);
      const header = tableCells(line);
      if (aligns && aligns.length === header.length) {
        const rows = [];
        i += 2;
        while (i < lines.length && !isBlank(lines[i]) && lines[i].includes('|') && !startsBlock(lines[i])) {
          rows.push(tableCells(lines[i]));
          i++;
        }
        html += renderTable(header, aligns, rows);
        continue;
      }
    }

    // Paragraph: up to a blank line or the start of another block.
    const para = [line.trim()];
    i++;
    while (i < lines.length && !isBlank(lines[i]) && !startsBlock(lines[i]) && !startsTable(lines, i)) {
      para.push(lines[i].trim());
      i++;
    }
    html += `<p>${renderInline(para.join('\n'))}</p>`;
  }
  return html;
}

function codeBlock(code, lang, context) {
  const label = escapeHtml(context.copyLabel);
  const langClass = lang ? ` class="language-${lang}"` : '';
  const langTag = lang ? `<span class="code-lang">${lang}</span>` : '<span class="code-lang"></span>';
  return `<div class="code-block"><div class="code-head">${langTag}` +
    `<button type="button" class="copy-code">${label}</button></div>` +
    `<pre><code${langClass}>${escapeHtml(code)}</code></pre></div>`;
}

function parseList(lines, start, first) {
  const items = [];
  let i = start;
  let item = first;
  let loose = false;
  while (item) {
    const body = [item.text];
    i++;
    let sawBlank = false;
    while (i < lines.length) {
      const l = lines[i];
      if (isBlank(l)) { sawBlank = true; body.push(''); i++; continue; }
      const indent = indentOf(l);
      if (indent >= item.column) {
        if (sawBlank) loose = true; // a blank line inside an item
        body.push(l.slice(item.column));
        sawBlank = false;
        i++;
        continue;
      }
      if (sawBlank) break;
      const next = listItemOf(l);
      if (next || startsBlock(l)) break;
      body.push(l.trim()); // lazy continuation of the item's paragraph
      i++;
    }
    while (body.length && body[body.length - 1] === '') body.pop();
    items.push(body);
    const next = i < lines.length ? listItemOf(lines[i]) : null;
    if (next && next.ordered === first.ordered && next.marker === first.marker) {
      if (sawBlank) loose = true; // a blank line between items
      item = next;
    } else {
      item = null;
    }
  }
  return { ordered: first.ordered, start: first.start, items, loose, next: i };
}

function renderList(list, context, depth) {
  let html = '';
  for (const body of list.items) {
    let inner = renderBlocks(body, context, depth + 1);
    // A tight item that is one paragraph shows without the <p> margin.
    if (!list.loose && inner.startsWith('<p>')) {
      const end = inner.indexOf('</p>');
      inner = inner.slice(3, end) + inner.slice(end + 4);
    }
    html += `<li>${inner}</li>`;
  }
  if (!list.ordered) return `<ul>${html}</ul>`;
  const start = list.start !== 1 ? ` start="${list.start}"` : '';
  return `<ol${start}>${html}</ol>`;
}

function renderTable(header, aligns, rows) {
  const cell = (tag, text, index) => {
    const align = aligns[index] ? ` class="align-${aligns[index]}"` : '';
    return `<${tag}${align}>${renderInline(text)}</${tag}>`;
  };
  let html = '<div class="table-wrap"><table><thead><tr>';
  header.forEach((text, index) => { html += cell('th', text, index); });
  html += '</tr></thead><tbody>';
  for (const row of rows) {
    html += '<tr>';
    for (let index = 0; index < header.length; index++) html += cell('td', row[index] ?? '', index);
    html += '</tr>';
  }
  return html + '</tbody></table></div>';
}
