// The Markdown renderer against hostile model output. Run: node --test web/tests/
//
// The checks do not trust the renderer's own allowlist: the output is re-parsed here,
// and every tag, attribute and link target must be one this file expects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown, escapeHtml, safeUrl, codeLanguage } from '../markdown.js';

const TAGS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'code', 'pre', 'ul', 'ol', 'li',
  'blockquote', 'a', 'br', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'div', 'span', 'button']);
const ATTRIBUTES = {
  a: ['href', 'rel', 'target'], code: ['class'], th: ['class'], td: ['class'], ol: ['start'],
  div: ['class'], span: ['class'], button: ['type', 'class'],
};
const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function decode(text) {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]);
}

// Walks the HTML, asserting that it is made only of allowed tags with allowed, quoted
// attributes and escaped text. Returns the text content and the tags seen.
function inspect(html) {
  const tags = [];
  let text = '';
  let i = 0;
  const tagPattern = /^<(\/?)([a-z0-9]+)((?: [a-z-]+="[^"<>]*")*)>/;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const chunk = html.slice(i, lt < 0 ? html.length : lt);
    assert.ok(!chunk.includes('>'), `raw '>' in text: ${JSON.stringify(chunk.slice(0, 80))}`);
    // Every '&' starts one of the five entities the renderer writes.
    for (let k = chunk.indexOf('&'); k >= 0; k = chunk.indexOf('&', k + 1)) {
      assert.ok(/^&(amp|lt|gt|quot|#39);/.test(chunk.slice(k, k + 6)), `bare '&' in ${JSON.stringify(chunk.slice(k, k + 20))}`);
    }
    text += decode(chunk);
    if (lt < 0) break;
    const match = tagPattern.exec(html.slice(lt, lt + 4096));
    assert.ok(match, `malformed or unexpected markup at ${JSON.stringify(html.slice(lt, lt + 80))}`);
    const [whole, closing, name, attrText] = match;
    assert.ok(TAGS.has(name), `tag <${name}> is not allowed`);
    const attrs = {};
    for (const [, key, value] of attrText.matchAll(/ ([a-z-]+)="([^"]*)"/g)) {
      assert.ok(!/^on/.test(key), `event handler attribute ${key}`);
      assert.ok((ATTRIBUTES[name] ?? []).includes(key), `attribute ${key} not allowed on <${name}>`);
      attrs[key] = decode(value);
    }
    if (closing) assert.equal(attrText, '', 'closing tag with attributes');
    if (name === 'a' && !closing) {
      assert.match(attrs.href ?? '', /^(https?:\/\/|mailto:)/i, `href ${attrs.href}`);
      assert.equal(attrs.rel, 'noopener noreferrer');
      assert.equal(attrs.target, '_blank');
    }
    if (attrs.class !== undefined) assert.match(attrs.class, /^[a-z0-9+ -]+$/, `class ${attrs.class}`);
    if (attrs.start !== undefined) assert.match(attrs.start, /^[0-9]+$/);
    tags.push(closing + name);
    i = lt + whole.length;
  }
  return { text, tags };
}

function render(markdown) {
  const html = renderMarkdown(markdown);
  return { html, ...inspect(html) };
}

const hostile = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)><circle/></svg>',
  '<a href="javascript:alert(1)">x</a>',
  '<iframe src="//evil.example"></iframe>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&#60;script&#62; &amp; &#x3C;',
  '<style>body{display:none}</style>',
  '<!-- comment --><b onclick="x()">bold</b>',
  '<<script>script>alert(1)<</script>/script>',
];

test('raw HTML in the input is text, character for character', () => {
  for (const input of hostile) {
    const { text, tags } = render(input);
    assert.equal(text, input);
    assert.deepEqual(tags, ['p', '/p']);
  }
});

test('links keep only http, https and mailto targets', () => {
  const rejected = [
    '[x](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))',
    '[x](  javascript:alert(1))',
    '[x](java\tscript:alert(1))',
    '[x](vbscript:msgbox(1))',
    '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[x](DATA:image/svg+xml,<svg onload=alert(1)>)',
    '[x](/relative/path)',
    '[x](//evil.example/x)',
    '[x](" onmouseover="alert(1))',
    '<javascript:alert(1)>',
    '<data:text/html,<script>alert(1)</script>>',
    '![img](https://example.com/x.png)',
  ];
  for (const input of rejected) {
    const { html, text } = render(input);
    if (input.startsWith('![')) {
      assert.ok(!html.includes('<img'), html);
    } else {
      assert.ok(!html.includes('<a '), `${input} became a link: ${html}`);
      assert.equal(text, input.replace('\t', '\t'));
    }
  }
  const kept = {
    '[site](https://example.com/a?b=1&c=2)': 'https://example.com/a?b=1&c=2',
    '[s](HTTP://EXAMPLE.COM)': 'HTTP://EXAMPLE.COM',
    '[mail](mailto:someone@example.com)': 'mailto:someone@example.com',
    '<https://example.com/x>': 'https://example.com/x',
    'see https://example.com/path_(x). next': 'https://example.com/path_(x)',
  };
  for (const [input, href] of Object.entries(kept)) {
    const { html } = render(input);
    assert.ok(html.includes(`href="${escapeHtml(href)}"`), `${input} → ${html}`);
    assert.ok(html.includes('rel="noopener noreferrer" target="_blank"'));
  }
});

test('a quote in a link target cannot break out of the attribute', () => {
  for (const input of [
    '[x](https://a.example/"onmouseover="alert(1))',
    "[x](https://a.example/'onmouseover='alert(1))",
    '[x](https://a.example/"><script>alert(1)</script>)',
    'https://a.example/"onmouseover="alert(1)',
    '<https://a.example/"onfocus="alert(1)">',
  ]) {
    const { html } = render(input);
    assert.ok(!html.includes('<script'), html);
  }
});

test('code fences: language sanitized, content escaped, unterminated fences end at the input', () => {
  let out = render('```"><script>alert(1)</script>\nx < y\n```');
  assert.ok(!out.html.includes('language-'), out.html);
  assert.ok(out.html.includes('<code>x &lt; y</code>'), out.html);

  out = render('```JavaScript onload=alert(1)\nlet a = "<b>";\n```');
  assert.ok(out.html.includes('<code class="language-javascript">let a = &quot;&lt;b&gt;&quot;;</code>'), out.html);

  out = render('```c++\nint main() {}\n```');
  assert.ok(out.html.includes('class="language-c++"'));
  assert.ok(out.html.includes('<button type="button" class="copy-code">'));

  out = render('before\n\n```python\nprint("<script>")\n# never closed **not bold**');
  assert.ok(out.html.includes('print(&quot;&lt;script&gt;&quot;)\n# never closed **not bold**</code>'), out.html);
  assert.ok(!out.tags.includes('strong'));

  out = render('~~~\n```\nstill code\n~~~\nafter');
  assert.ok(out.html.includes('<code>```\nstill code</code>'), out.html);
  assert.ok(out.html.endsWith('<p>after</p>'));
});

test('code spans escape and are not parsed further', () => {
  const { html, text } = render('use `<script>` and `` a ` b `` and `*x*`');
  assert.ok(html.includes('<code>&lt;script&gt;</code>'));
  assert.ok(html.includes('<code>a ` b</code>'));
  assert.ok(html.includes('<code>*x*</code>'));
  assert.equal(text, 'use <script> and a ` b and *x*');
});

test('emphasis nests and stray delimiters stay text', () => {
  const cases = {
    '**bold** and *em*': '<p><strong>bold</strong> and <em>em</em></p>',
    '***both***': '<p><em><strong>both</strong></em></p>',
    '*a **b** c*': '<p><em>a <strong>b</strong> c</em></p>',
    '**a *b* c**': '<p><strong>a <em>b</em> c</strong></p>',
    '2 * 3 * 4': '<p>2 * 3 * 4</p>',
    'snake_case_name': '<p>snake_case_name</p>',
    '**unclosed *mixed': '<p>**unclosed *mixed</p>',
    '*[link](https://a.example)*': '<p><em><a href="https://a.example" rel="noopener noreferrer" target="_blank">link</a></em></p>',
    '[*a*](https://a.example)': '<p><a href="https://a.example" rel="noopener noreferrer" target="_blank"><em>a</em></a></p>',
    '\\*not em\\*': '<p>*not em*</p>',
  };
  for (const [input, expected] of Object.entries(cases)) assert.equal(render(input).html, expected, input);
});

test('blocks: headings, lists, quotes, rules, tables, line breaks', () => {
  assert.equal(render('# Title #\n## Sub').html, '<h1>Title</h1><h2>Sub</h2>');
  assert.equal(render('####### seven').html, '<p>####### seven</p>');
  assert.equal(render('- a\n- b\n  - c').html, '<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>');
  assert.equal(render('3. x\n4. y').html, '<ol start="3"><li>x</li><li>y</li></ol>');
  assert.equal(render('> quoted\n> **bold**').html, '<blockquote><p>quoted<br><strong>bold</strong></p></blockquote>');
  assert.equal(render('a\n\n---\n\nb').html, '<p>a</p><hr><p>b</p>');
  assert.equal(render('line one\nline two').html, '<p>line one<br>line two</p>');
  const table = render('| a | b |\n|:--|--:|\n| <i>1</i> | `2` |').html;
  assert.equal(table, '<div class="table-wrap"><table><thead><tr><th class="align-left">a</th><th class="align-right">b</th></tr></thead>' +
    '<tbody><tr><td class="align-left">&lt;i&gt;1&lt;/i&gt;</td><td class="align-right"><code>2</code></td></tr></tbody></table></div>');
});

test('deep nesting is cut off, not recursed without bound', () => {
  const quotes = '>'.repeat(5000) + ' deep';
  inspect(renderMarkdown(quotes));
  const lists = Array.from({ length: 300 }, (_, i) => ' '.repeat(i * 2) + '- item').join('\n');
  inspect(renderMarkdown(lists));
});

test('text content round-trips for Kazakh and Russian', () => {
  const input = 'Сәлем, әлем! Қалайсыз? Привет, «мир» — 1 < 2 & 3 > 2';
  assert.equal(render(input).text, input);
});

test('helpers', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(safeUrl('https://a.example'), 'https://a.example');
  assert.equal(safeUrl('javascript:alert(1)'), null);
  assert.equal(safeUrl('\u0001https://a.example'), null);
  assert.equal(safeUrl('mailto:'), null);
  assert.equal(codeLanguage('Objective-C extra'), 'objective-c');
  assert.equal(codeLanguage('"><script>'), '');
});

// Inputs built to trigger quadratic or exponential behaviour in naive parsers.
const pathological = {
  stars: '*a'.repeat(50000),
  underscores: '_a '.repeat(40000),
  mixedDelimiters: '*_'.repeat(50000) + 'x' + '_*'.repeat(50000),
  openBrackets: '['.repeat(100000),
  linkOpeners: '[a]('.repeat(30000),
  unclosedDestinations: '[a](https://x.example/'.repeat(5000),
  backticks: '`'.repeat(1) + ' ``'.repeat(30000),
  backtickRuns: Array.from({ length: 400 }, (_, i) => '`'.repeat(i + 1) + ' x ').join(''),
  angles: '<'.repeat(100000),
  angleUrls: '<https://a'.repeat(20000),
  bareUrls: 'https://a.example/('.repeat(10000),
  trailingSpaces: (' '.repeat(20000) + 'x\n').repeat(5),
  headingHashes: '# ' + '# '.repeat(50000) + 'x',
  quotes: '> '.repeat(50000),
  listMarkers: '- '.repeat(50000),
  tableRows: '|a|b|\n|-|-|\n' + '|x|y|\n'.repeat(20000),
  pipes: '|'.repeat(100000) + '\n' + '-|'.repeat(50000),
  escapes: '\\'.repeat(100000),
  entities: '&lt;'.repeat(50000),
  fences: '```\n'.repeat(20000),
  manyLines: 'word *em* `code` [l](https://a.example)\n'.repeat(20000),
};

test('hostile long inputs finish quickly and stay safe', () => {
  for (const [name, input] of Object.entries(pathological)) {
    const started = performance.now();
    const html = renderMarkdown(input);
    const elapsed = performance.now() - started;
    // Linear work is well under a second here; quadratic work on 100k characters takes tens of seconds.
    assert.ok(elapsed < 4000, `${name}: ${elapsed.toFixed(0)} ms for ${input.length} chars`);
    inspect(html);
  }
});

// A seeded random mix of Markdown syntax and attack fragments; every output must pass.
test('random mixes of syntax and attack fragments stay safe', () => {
  const pieces = ['*', '**', '_', '`', '```', '\n', '\n\n', '[', ']', '(', ')', '<', '>', '"', "'", '&', '#', '- ', '1. ',
    '> ', '|', '---', '\\', ' ', 'javascript:', 'https://a.example/', 'mailto:x@y', 'data:', 'on', 'onerror=', 'alert(1)',
    '<script>', '</script>', '<img src=x onerror=alert(1)>', 'text', 'сәлем', '&lt;', '\t', '~~~'];
  let seed = 12345;
  const next = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed; };
  for (let round = 0; round < 3000; round++) {
    let input = '';
    const length = 1 + (next() % 40);
    for (let k = 0; k < length; k++) input += pieces[next() % pieces.length];
    let html;
    assert.doesNotThrow(() => { html = renderMarkdown(input); }, input);
    try {
      inspect(html);
    } catch (error) {
      error.message += `\ninput: ${JSON.stringify(input)}\nhtml: ${html}`;
      throw error;
    }
  }
});
