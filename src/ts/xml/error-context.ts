import { codePointAt, unitLength, utf8Length, utf8Width } from './chars.js';

/**
 * The text libvirt shows for a libxml2 well-formedness error: where, what, the source line and a caret.
 *
 *   (domain_definition):4: Opening and ending tag mismatch: memory line 3 and domain
 *   </domain>
 *   ---------^
 *
 * libvirt works on the raw UTF-8 bytes, so the caret column counts bytes, a tab in the line stays a tab in the
 * pointer line (so the caret lines up), and an error sitting on a line break is shown on the line before it.
 * An empty source line is printed as "(null)", because libvirt hands a NULL string to printf there.
 *
 * `source` is null for text that is not a file or document of its own (an entity's replacement text): libvirt
 * then says "at line N" instead of naming the document.
 */
export function formatXmlErrorDetail(
  text: string,
  pos: number,
  line: number,
  message: string,
  source: string | null,
): string {
  // Walk back to the start of the line the way libvirt does, treating the end of the text as C's NUL.
  const at = (i: number): number => (i < text.length ? text.charCodeAt(i) : 0);
  let start = Math.min(pos, text.length);
  while (start > 0 && at(start) === 0x0a) start--;
  while (start > 0 && at(start) !== 0x0a) start--;
  if (at(start) === 0x0a) start++;

  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  const content = text.slice(start, end);
  // libvirt's column is unsigned: an error on a line break at the very start wraps to 'the whole line'.
  const column = pos >= start ? utf8Length(text.slice(start, pos)) : Infinity;

  let pointer = '';
  let bytes = 0;
  for (let i = 0; i < content.length && bytes < column; ) {
    const c = codePointAt(content, i);
    const width = utf8Width(c);
    const mark = c === 0x09 ? '\t' : '-';
    for (let b = 0; b < width && bytes < column; b++, bytes++) pointer += mark;
    i += unitLength(c);
  }
  pointer += '^';

  const where = source === null ? `at line ${line}` : `${source}:${line}`;
  return `${where}: ${message}\n${content === '' ? '(null)' : content}\n${pointer}`;
}
