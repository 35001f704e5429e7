// Inline Markdown (code spans, emphasis, links, autolinks, line breaks) → safe HTML.

import { escapeHtml, safeUrl, MAX_URL } from './html-safety.js';

// The inline pass turns the text into a list of nodes: literal text (escaped only when
// serialized), ready-made safe HTML (code spans, autolinks, breaks) and delimiter runs
// for emphasis. Links and emphasis are then resolved with stacks, CommonMark style,
// each closer looking back only past delimiters not yet ruled out.

const PUNCTUATION = /[!-/:-@[-`{-~\u2000-\u206f\u3000-\u303f]/;

function isPunct(ch) { return ch !== undefined && PUNCTUATION.test(ch); }
function isSpace(ch) { return ch === undefined || ch === ' ' || ch === '\n' || /\s/.test(ch); }
function isAsciiPunct(ch) { return ch !== undefined && /[!-/:-@[-`{-~]/.test(ch); }

/** One paragraph, heading or table cell of Markdown as HTML (escaped, allowlisted). */
export function renderInline(text) {
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
  const limit = Math.min(text.length, i + MAX_URL + 2);
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
  while (end < text.length && end - i < MAX_URL) {
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
  const limit = Math.min(text.length, i + MAX_URL, i + Math.max(0, scan.budget));
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
