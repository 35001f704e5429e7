// Escaping and URL checks shared by the Markdown renderer. Everything from the input
// passes through escapeHtml() before it reaches the output.

/** Longest URL considered for a link, which also bounds every forward search for one. */
export const MAX_URL = 2048;

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
  if (url.length === 0 || url.length > MAX_URL) return null;
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
