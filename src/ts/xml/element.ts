/**
 * One element of a parsed document: its name, attributes, child elements and text, and the line its start tag
 * begins on. Names are kept as written, prefix included (`test:runstate`).
 */
export class XmlElement {
  readonly attrs = new Map<string, string>();
  readonly children: XmlElement[] = [];
  /** Text and child elements in document order; text() walks it. */
  private readonly content: (string | XmlElement)[] = [];

  constructor(
    readonly name: string,
    readonly line: number,
  ) {}

  attr(name: string): string | undefined {
    return this.attrs.get(name);
  }

  /** The first child element called `name`. */
  child(name: string): XmlElement | undefined {
    return this.children.find((c) => c.name === name);
  }

  childrenNamed(name: string): XmlElement[] {
    return this.children.filter((c) => c.name === name);
  }

  /** The text of the element and all its descendants, in order (XPath's string value, which libvirt reads). */
  text(): string {
    let out = '';
    for (const part of this.content) out += typeof part === 'string' ? part : part.text();
    return out;
  }

  /** The text of a child element, or undefined when there is no such child. */
  childText(name: string): string | undefined {
    return this.child(name)?.text();
  }

  /** Appends text; the parser calls this, possibly several times for one run of text. */
  appendText(text: string): void {
    if (text === '') return;
    const last = this.content.length - 1;
    if (last >= 0 && typeof this.content[last] === 'string') this.content[last] += text;
    else this.content.push(text);
  }

  appendChild(child: XmlElement): void {
    this.children.push(child);
    this.content.push(child);
  }
}
