const NO_NAMESPACES: ReadonlyMap<string, string> = new Map();

/**
 * One element of a parsed document: its name, attributes, child elements and text, and the line its start tag
 * begins on. Names are kept as written, prefix included (`test:runstate`).
 *
 * libvirt finds elements with XPath queries that name no namespace, so an element in a namespace (a declared
 * prefix, or a default `xmlns='...'` in scope) is invisible to a plain name such as `name`; a prefixed name
 * (`test:runstate`) finds it as written. The root is checked by its local name.
 */
export class XmlElement {
  readonly attrs = new Map<string, string>();
  readonly children: XmlElement[] = [];
  /** Text and child elements in document order; text() walks it. */
  private readonly content: (string | XmlElement)[] = [];
  /** Namespace declarations in scope: prefix ('' for the default namespace) to URI. */
  namespaces: ReadonlyMap<string, string> = NO_NAMESPACES;

  constructor(
    readonly name: string,
    readonly line: number,
  ) {}

  /** Takes the namespaces in scope from the parent, with this element's own `xmlns` attributes on top. */
  declareNamespaces(parent: XmlElement | undefined): void {
    const inherited = parent?.namespaces ?? NO_NAMESPACES;
    const own = [...this.attrs].filter(([attr]) => attr === 'xmlns' || attr.startsWith('xmlns:'));
    if (own.length === 0) {
      this.namespaces = inherited;
      return;
    }
    const scope = new Map(inherited);
    for (const [attr, uri] of own) scope.set(attr === 'xmlns' ? '' : attr.slice(6), uri);
    this.namespaces = scope;
  }

  /** The name without a declared prefix. */
  get localName(): string {
    const colon = this.name.indexOf(':');
    return colon > 0 && this.namespaces.has(this.name.slice(0, colon)) ? this.name.slice(colon + 1) : this.name;
  }

  /** Whether the element is in a namespace, where a query by a plain name does not find it. */
  get inNamespace(): boolean {
    return this.localName !== this.name || (this.namespaces.get('') ?? '') !== '';
  }

  attr(name: string): string | undefined {
    return this.attrs.get(name);
  }

  /** The first child element called `name`. */
  child(name: string): XmlElement | undefined {
    return this.children.find((c) => matches(c, name));
  }

  childrenNamed(name: string): XmlElement[] {
    return this.children.filter((c) => matches(c, name));
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

/** A plain name finds elements outside any namespace; a prefixed one finds the element written so. */
function matches(el: XmlElement, name: string): boolean {
  return el.name === name && (name.includes(':') || !el.inNamespace);
}
