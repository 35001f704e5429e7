// Safe Markdown → HTML for model output, which is untrusted.
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

/** Tags this renderer can produce (the tests check output against this list). */
export const ALLOWED_TAGS = new Set([
  'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'code', 'pre', 'ul', 'ol', 'li',
  'blockquote', 'a', 'br', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'div', 'span', 'button',
]);

const MAX_DEPTH = 8; // nested quotes/lists beyond this render as plain paragraphs
const MAX_DESTINATION = 2048; // longest link target looked at, bounding each search
const MAX_LANGUAGE = 32;

/** Escapes the five characters that matter in HTML text and attribute values. */
export function escapeHtml(text) {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    let rep;
    switch (text.charCodeAt(i)) {
      case 38: rep = '&amp;'; break;
      case 60: rep = '&lt;'; break;
      case 62: rep = '&gt;'; break;
      case 34: rep = '&quot;'; break;
      case 39: rep = '&#39;'; break;
      default: continue;
    }
    out += text.slice(last, i) + rep;
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** The URL if it may become a link (http, https, mailto), else null. */
export function safeUrl(url) {
  if (url.length === 0 || url.length > MAX_DESTINATION) return null;
  // Browsers ignore tabs/newlines and leading control characters in URLs, which is how
  // "java\tscript:" slips past naive checks; any such character disqualifies the URL.
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c <= 32 || c === 127) return null;
  }
  const lower = url.slice(0, 8).toLowerCase();
  if (lower.startsWith('https://') || lower.startsWith('http://')) return url;
  if (lower.startsWith('mailto:') && url.length > 7) return url;
  return null;
}

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

// ---------------------------------------------------------------- inlines
//
// The inline pass turns the text into a list of nodes: literal text (escaped only when
// serialized), ready-made safe HTML (code spans, autolinks, breaks) and delimiter runs
// for emphasis. Links and emphasis are then resolved with stacks, CommonMark style,
// each closer looking back only past delimiters not yet ruled out.

const PUNCTUATION = /[!-/:-@[-`{-~\u2000-\u206f\u3000-\u303f]/;

function isPunct(ch) { return ch !== undefined && PUNCTUATION.test(ch); }
function isSpace(ch) { return ch === undefined || ch === ' ' || ch === '\n' || /\s/.test(ch); }
function isAsciiPunct(ch) { return ch !== undefined && /[!-/:-@[-`{-~]/.test(ch); }

function renderInline(text) {
  const nodes = [];
  const brackets = []; // indexes of '[' text nodes
  // Characters that link-destination searches may still read. Failed searches for
  // "](…)" can overlap; this cap keeps their total linear in the input, far above
  // what real text needs (each real destination is read about once).
  const scan = { budget: 4 * text.length + 4096 };
  const backticks = new BacktickRuns(text);
  let buffer = '';
  const flush = () => { if (buffer) { nodes.push({ kind: 'text', text: buffer }); buffer = ''; } };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];

    if (ch === '\\' && isAsciiPunct(text[i + 1])) { buffer += text[i + 1]; i += 2; continue; }

    if (ch === '\n') {
      let end = buffer.length;
      while (end > 0 && (buffer[end - 1] === ' ' || buffer[end - 1] === '\t')) end--;
      buffer = buffer.slice(0, end);
      if (buffer.endsWith('\\')) buffer = buffer.slice(0, -1);
      flush();
      nodes.push({ kind: 'html', html: '<br>' });
      i++;
      while (text[i] === ' ') i++;
      continue;
    }

    if (ch === '`') {
      let n = i;
      while (text[n] === '`') n++;
      const run = n - i;
      const closer = backticks.next(run, n);
      if (closer < 0) { buffer += text.slice(i, n); i = n; continue; }
      let code = text.slice(n, closer).replace(/\n/g, ' ');
      if (code.length > 2 && code[0] === ' ' && code[code.length - 1] === ' ' && code.trim() !== '') code = code.slice(1, -1);
      flush();
      nodes.push({ kind: 'html', html: `<code>${escapeHtml(code)}</code>` });
      i = closer + run;
      continue;
    }

    if (ch === '<') {
      const auto = angleAutolink(text, i);
      if (auto) {
        flush();
        nodes.push({ kind: 'html', html: anchor(auto.href, escapeHtml(auto.label)), raw: text.slice(i, auto.end) });
        i = auto.end;
        continue;
      }
      buffer += ch;
      i++;
      continue;
    }

    if (ch === '[') {
      flush();
      brackets.push(nodes.length);
      nodes.push({ kind: 'text', text: '[', bracket: true, active: true });
      i++;
      continue;
    }

    if (ch === ']') {
      flush();
      const link = closeBracket(text, i, nodes, brackets, scan);
      if (link) { i = link; continue; }
      nodes.push({ kind: 'text', text: ']' });
      i++;
      continue;
    }

    if (ch === '*' || ch === '_') {
      let n = i;
      while (text[n] === ch) n++;
      const before = text[i - 1];
      const after = text[n];
      const leftFlanking = !isSpace(after) && (!isPunct(after) || isSpace(before) || isPunct(before));
      const rightFlanking = !isSpace(before) && (!isPunct(before) || isSpace(after) || isPunct(after));
      let canOpen = leftFlanking;
      let canClose = rightFlanking;
      if (ch === '_') {
        canOpen = leftFlanking && (!rightFlanking || isPunct(before));
        canClose = rightFlanking && (!leftFlanking || isPunct(after));
      }
      flush();
      nodes.push({ kind: 'delim', ch, count: n - i, canOpen, canClose, open: '', close: '' });
      i = n;
      continue;
    }

    if ((ch === 'h' || ch === 'H') && !/[A-Za-z0-9]/.test(text[i - 1] ?? '')) {
      const end = bareUrlEnd(text, i);
      if (end > i) {
        flush();
        nodes.push({ kind: 'url', text: text.slice(i, end) });
        i = end;
        continue;
      }
    }

    buffer += ch;
    i++;
  }
  flush();
  processEmphasis(nodes, 0);
  return serialize(nodes);
}

// Where the backtick runs of each length start, found in one pass on first use, so
// that looking for a code span's closer never rescans the text.
class BacktickRuns {
  constructor(text) { this.text = text; this.starts = null; this.cursors = new Map(); }

  /** Start of the first run of exactly `length` backticks at or after `from`, or -1. */
  next(length, from) {
    if (this.starts === null) this.index();
    const starts = this.starts.get(length);
    if (!starts) return -1;
    // Callers ask with increasing `from`, so each length's cursor only moves forward.
    let k = this.cursors.get(length) ?? 0;
    while (k < starts.length && starts[k] < from) k++;
    this.cursors.set(length, k);
    return k < starts.length ? starts[k] : -1;
  }

  index() {
    this.starts = new Map();
    const text = this.text;
    for (let i = text.indexOf('`'); i >= 0; i = text.indexOf('`', i)) {
      let n = i;
      while (text[n] === '`') n++;
      const list = this.starts.get(n - i);
      if (list) list.push(i); else this.starts.set(n - i, [i]);
      i = n;
    }
  }
}

// "<https://example.com>" or "<mailto:a@b>" (bounded, no spaces inside).
function angleAutolink(text, i) {
  const limit = Math.min(text.length, i + MAX_DESTINATION + 2);
  for (let j = i + 1; j < limit; j++) {
    const c = text[j];
    if (c === '>') {
      const url = text.slice(i + 1, j);
      const href = safeUrl(url);
      return href ? { href, label: url, end: j + 1 } : null;
    }
    if (c === '<' || c === ' ' || c === '\n' || c === '\t') return null;
  }
  return null;
}

// A bare "http(s)://…" URL; trailing punctuation and unbalanced ')' stay outside it.
function bareUrlEnd(text, i) {
  const head = text.slice(i, i + 8).toLowerCase();
  let start;
  if (head.startsWith('https://')) start = i + 8;
  else if (head.startsWith('http://')) start = i + 7;
  else return i;
  let end = start;
  while (end < text.length && end - i < MAX_DESTINATION) {
    const c = text[end];
    if (c === ' ' || c === '\n' || c === '\t' || c === '<' || c === '>' || c === '"' || c === '`') break;
    end++;
  }
  while (end > start && /[.,:;!?'*_]/.test(text[end - 1])) end--;
  // Drop closing parentheses that have no opening one inside the URL.
  let opens = 0;
  let closes = 0;
  for (let k = start; k < end; k++) {
    if (text[k] === '(') opens++;
    else if (text[k] === ')') closes++;
  }
  while (end > start && text[end - 1] === ')' && closes > opens) { end--; closes--; }
  return end > start ? end : i;
}

// At "]": if "](destination)" follows and the most recent "[" is active, turn the nodes
// between into a link. Returns the index after ")" or 0.
function closeBracket(text, i, nodes, brackets, scan) {
  if (brackets.length === 0) return 0;
  const openerIndex = brackets.pop();
  const opener = nodes[openerIndex];
  if (!opener.active || text[i + 1] !== '(') return 0;
  const dest = linkDestination(text, i + 2, scan);
  if (!dest) return 0;
  const href = safeUrl(dest.url);
  if (!href) return 0;
  processEmphasis(nodes, openerIndex + 1);
  opener.kind = 'html';
  opener.html = `<a href="${escapeHtml(href)}" rel="noopener noreferrer" target="_blank">`;
  for (let k = openerIndex + 1; k < nodes.length; k++) {
    const node = nodes[k];
    node.inLink = true;
    // An autolink inside link text would nest <a> in <a>: it becomes text.
    if (node.raw !== undefined) { node.kind = 'text'; node.text = node.raw; }
  }
  nodes.push({ kind: 'html', html: '</a>' });
  // No links inside links: earlier "[" can no longer open one.
  for (const b of brackets) nodes[b].active = false;
  return dest.end;
}

// "(url)", "(<url>)" or "(url "title")"; the title is ignored. Every character read
// is charged to scan.budget.
function linkDestination(text, i, scan) {
  const limit = Math.min(text.length, i + MAX_DESTINATION, i + Math.max(0, scan.budget));
  const charge = (j) => { scan.budget -= j - i; };
  let j = i;
  while (j < limit && text[j] === ' ') j++;
  let url;
  if (text[j] === '<') {
    const start = j + 1;
    j = start;
    while (j < limit && text[j] !== '>' && text[j] !== '<' && text[j] !== '\n') j++;
    if (text[j] !== '>' || j >= limit) { charge(j); return null; }
    url = text.slice(start, j);
    j++;
  } else {
    const start = j;
    let depth = 0;
    while (j < limit) {
      const c = text[j];
      if (c === ' ' || c === '\n' || c === '\t') break;
      if (c === '\\' && isAsciiPunct(text[j + 1])) { j += 2; continue; }
      if (c === '(') depth++;
      if (c === ')') { if (depth === 0) break; depth--; }
      j++;
    }
    url = text.slice(start, j).replace(/\\([!-/:-@[-`{-~])/g, '$1');
  }
  while (j < limit && text[j] === ' ') j++;
  if (text[j] === '"') {
    j++;
    while (j < limit && text[j] !== '"') j++;
    if (j >= limit) { charge(j); return null; }
    j++;
    while (j < limit && text[j] === ' ') j++;
  }
  charge(j);
  if (j >= limit || text[j] !== ')') return null;
  return { url, end: j + 1 };
}

// CommonMark's "process emphasis" over nodes[from...], with a per-character bottom so a
// failed look-back is never repeated.
function processEmphasis(nodes, from) {
  const stack = [];
  const bottom = { '*': 0, '_': 0 };
  for (let k = from; k < nodes.length; k++) {
    const node = nodes[k];
    if (node.kind !== 'delim' || node.count === 0) continue;
    if (node.canClose) {
      let s = stack.length - 1;
      while (node.count > 0 && s >= bottom[node.ch]) {
        const opener = stack[s];
        if (opener.ch === node.ch && opener.count > 0) {
          const use = opener.count >= 2 && node.count >= 2 ? 2 : 1;
          const tag = use === 2 ? 'strong' : 'em';
          opener.count -= use;
          node.count -= use;
          opener.open = `<${tag}>` + opener.open;
          node.close += `</${tag}>`;
          stack.length = opener.count > 0 ? s + 1 : s; // openers in between can no longer match
          for (const c in bottom) bottom[c] = Math.min(bottom[c], stack.length);
          s = stack.length - 1;
          continue;
        }
        s--;
      }
      // Nothing below here can close this character any more.
      if (node.count > 0) bottom[node.ch] = stack.length;
    }
    if (node.count > 0 && node.canOpen) stack.push(node);
  }
  for (const node of nodes.slice(from)) {
    if (node.kind === 'delim') { node.canOpen = false; node.canClose = false; }
  }
}

function anchor(href, labelHtml) {
  return `<a href="${escapeHtml(href)}" rel="noopener noreferrer" target="_blank">${labelHtml}</a>`;
}

function serialize(nodes) {
  let html = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'text': html += escapeHtml(node.text); break;
      case 'html': html += node.html; break;
      case 'url': {
        const href = node.inLink ? null : safeUrl(node.text);
        html += href ? anchor(href, escapeHtml(node.text)) : escapeHtml(node.text);
        break;
      }
      case 'delim':
        // Unmatched characters of a run are text: after the tags it closed, before
        // the tags it opened.
        html += node.close + node.ch.repeat(node.count) + node.open;
        break;
    }
  }
  return html;
}
