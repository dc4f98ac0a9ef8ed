// Escaping for text that comes from a trace (comm names, symbols, paths): it is untrusted and must
// render as text in HTML and must not break Markdown tables or inject markup.

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML[c]);
}

/**
 * Markdown inline text (table cells, headings): newlines become spaces, HTML-significant characters
 * become entities, and the characters GitHub-flavoured Markdown interprets inside a line (emphasis,
 * code, links, strikethrough, table pipes) are backslash-escaped.
 */
export function escapeMd(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_\[\]|<>&~]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
}

/** Terminal output: drop control characters (escape sequences) from trace strings. */
export function escapeTerm(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
}
