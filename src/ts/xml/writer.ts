/** An attribute list in output order; attributes whose value is undefined are left out. */
export type XmlAttrs = ReadonlyArray<readonly [name: string, value: string | number | bigint | undefined]>;

/** Escapes text for element content or a single-quoted attribute, the five characters libvirt escapes. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };

/**
 * Writes XML the way libvirt formats its definitions: two spaces of indent per level, attributes in single
 * quotes, one element per line, a newline after every line.
 */
export class XmlWriter {
  private out = '';

  constructor(private depth = 0) {}

  /** A start tag on its own line; what follows is indented until close(). */
  open(name: string, attrs: XmlAttrs = []): this {
    this.line(`<${name}${formatAttrs(attrs)}>`);
    this.depth++;
    return this;
  }

  close(name: string): this {
    this.depth--;
    this.line(`</${name}>`);
    return this;
  }

  /** `<name attrs/>`. */
  empty(name: string, attrs: XmlAttrs = []): this {
    this.line(`<${name}${formatAttrs(attrs)}/>`);
    return this;
  }

  /** `<name attrs>text</name>` on one line; nothing at all when text is undefined. */
  text(name: string, text: string | number | bigint | undefined, attrs: XmlAttrs = []): this {
    if (text !== undefined) this.line(`<${name}${formatAttrs(attrs)}>${escapeXml(String(text))}</${name}>`);
    return this;
  }

  /**
   * An element whose children `fill` writes: open and close tags around them, or `<name attrs/>` when it
   * writes none (libvirt's rule for elements such as <graphics> or <address>).
   */
  block(name: string, attrs: XmlAttrs, fill: (w: XmlWriter) => void): this {
    const inner = new XmlWriter(this.depth + 1);
    fill(inner);
    if (inner.out === '') return this.empty(name, attrs);
    this.line(`<${name}${formatAttrs(attrs)}>`);
    this.out += inner.out;
    return this.line(`</${name}>`);
  }

  toString(): string {
    return this.out;
  }

  private line(text: string): this {
    this.out += '  '.repeat(this.depth) + text + '\n';
    return this;
  }
}

function formatAttrs(attrs: XmlAttrs): string {
  let out = '';
  for (const [name, value] of attrs) if (value !== undefined) out += ` ${name}='${escapeXml(String(value))}'`;
  return out;
}
