import sanitizeHtml from 'sanitize-html';

export const MAX_TEXT_LENGTH = 2000;

/**
 * Text as people wrote it, minus every HTML tag: sanitize-html parses the input as a browser would
 * (so `<scr<script>ipt>` and unclosed tags cannot sneak through), drops every tag and the content of
 * script/style, and escapes what is left. The escapes are undone afterwards so `a &amp; b` reads
 * `a & b`: the text is plain text in JSON, and whoever renders it as HTML escapes it then.
 */
export function sanitizeText(input: string): string {
  const stripped = sanitizeHtml(input, { allowedTags: [], allowedAttributes: {} });
  return stripped
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

/** The start of a text for an event or an e-mail line (the contracts' textPreview: 280 at most). */
export function preview(text: string, max = 280): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
