import { ErrorDomain, ErrorNumber, virError } from '../errors/index.js';
import type { ParsedCommand } from './command-def.js';
import { CommandFailed, type Session } from './session.js';
import type { XNode } from './xpath.js';

/**
 * XML as virsh shows it. Without `--xpath` a dumpxml command prints the driver's XML untouched. With it,
 * the document is read with blank text dropped and each selected node printed as libxml2 prints nodes
 * (double-quoted attributes, two-space indentation), one per line or, with `--wrap`, inside `<nodes>`.
 */
export async function dumpXml(s: Session, cmd: ParsedCommand, getXml: () => Promise<string>): Promise<boolean> {
  const xpath = cmd.value('xpath');
  // An empty --xpath fails quietly in virsh (vshCommandOptStringQuiet).
  if (xpath === '') throw new CommandFailed();
  const xml = await getXml();
  if (xpath === undefined) {
    s.print(xml);
    return true;
  }
  // The XPath engine and the XML parser are only loaded by the commands that use them.
  const [{ documentOf, evaluate, XPathSyntaxError, XPathTypeError, XPathUnknownFunction }, { parseXml }] = await Promise.all([
    import('./xpath.js'),
    import('../xml/index.js'),
  ]);
  const root = documentOf(parseXml(xml, { docName: 'domain', errorDomain: ErrorDomain.VIR_FROM_NONE }));
  let result;
  try {
    result = evaluate(xpath, root);
  } catch (err) {
    if (err instanceof XPathSyntaxError) {
      // libxml2 reports its own errors this way, with a caret under the offending place.
      s.io.stderr.write(`XPath error : ${err.message}\n${xpath}\n${' '.repeat(err.position)}^\n`);
      throw new CommandFailed();
    }
    if (err instanceof XPathUnknownFunction) {
      s.io.stderr.write(`xmlXPathCompOpEval: function ${err.functionName} not found\nXPath error : ${err.message}\n`);
      throw new CommandFailed();
    }
    if (err instanceof XPathTypeError) {
      s.io.stderr.write(`XPath error : ${err.message}\n`);
      throw new CommandFailed();
    }
    throw err;
  }
  if (!Array.isArray(result)) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_NONE, `Incorrect xpath '${xpath}'`);
  if (cmd.has('wrap')) s.print(`${serializeWrapped(result)}\n`);
  else for (const node of result) s.print(`${serializeNode(node, 0)}\n`);
  return true;
}

/** libxml2's escaping of text content. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** libxml2's escaping of an attribute value written between double quotes. */
function escapeAttr(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function attrsOf(node: XNode): string {
  return node.kind === 'element' ? node.attrs.map((a) => serializeNode(a, 0)).join('') : '';
}

/** xmlNodeDump with formatting: children on lines of their own unless an element holds text. */
function serializeNode(node: XNode, level: number): string {
  switch (node.kind) {
    case 'attribute':
      return ` ${node.name}="${escapeAttr(node.value)}"`;
    case 'text':
      return escapeText(node.value);
    case 'root':
      return node.children.map((c) => serializeNode(c, level)).join('\n');
    case 'element':
      return serializeElement(node.name, attrsOf(node), node.children, level);
  }
}

function serializeElement(name: string, attrs: string, children: readonly XNode[], level: number): string {
  if (children.length === 0) return `<${name}${attrs}/>`;
  if (children.some((c) => c.kind === 'text')) return `<${name}${attrs}>${children.map((c) => serializeNode(c, 0)).join('')}</${name}>`;
  const indent = '  '.repeat(level);
  const inner = children.map((c) => `${indent}  ${serializeNode(c, level + 1)}\n`).join('');
  return `<${name}${attrs}>\n${inner}${indent}</${name}>`;
}

/**
 * `--wrap`: copies of the nodes under a `<nodes>` element. As with libxml2's xmlAddChild, an attribute
 * becomes an attribute of `<nodes>` (a later one of the same name replacing an earlier one).
 */
function serializeWrapped(nodes: readonly XNode[]): string {
  const attrs = new Map<string, string>();
  const children: XNode[] = [];
  for (const node of nodes) {
    if (node.kind === 'attribute') {
      attrs.delete(node.name);
      attrs.set(node.name, node.value);
    } else {
      children.push(node);
    }
  }
  const attrText = [...attrs].map(([n, v]) => ` ${n}="${escapeAttr(v)}"`).join('');
  return serializeElement('nodes', attrText, children, 0);
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );
}

/** A start tag with its attributes re-quoted the way libxml2 writes them. */
function requoteTag(tag: string): string {
  return tag.replace(/(\s[^\s=]+)\s*=\s*(?:'([^']*)'|"([^"]*)")/g, (_, name: string, single?: string, double?: string) => {
    return `${name}="${escapeAttr(decodeEntities(single ?? double ?? ''))}"`;
  });
}

/**
 * virshMakeCloneXML: the volume's XML with the root's <name> set to `name`, as libxml2 prints the document
 * it parsed (same layout, double-quoted attributes, no final newline).
 */
export function renameVolumeXml(xml: string, name: string): string {
  let out = '';
  let depth = 0;
  let renamed = false;
  let i = 0;
  while (i < xml.length) {
    if (xml.startsWith('<?', i) || xml.startsWith('<!--', i)) {
      const close = xml.startsWith('<?', i) ? '?>' : '-->';
      const end = xml.indexOf(close, i) + close.length;
      // The declaration is not part of the root element's dump; comments are.
      if (close === '-->') out += xml.slice(i, end);
      i = end;
      continue;
    }
    if (xml[i] === '<') {
      const end = xml.indexOf('>', i) + 1;
      const tag = xml.slice(i, end);
      i = end;
      if (tag.startsWith('</')) {
        depth--;
        out += tag;
        continue;
      }
      out += requoteTag(tag);
      if (tag.endsWith('/>')) continue;
      if (depth === 1 && !renamed && /^<name[\s>]/.test(tag)) {
        const close = xml.indexOf('</name>', i);
        out += `${escapeText(name)}</name>`;
        i = close + '</name>'.length;
        renamed = true;
        continue;
      }
      depth++;
      continue;
    }
    const next = xml.indexOf('<', i);
    const text = xml.slice(i, next < 0 ? xml.length : next);
    out += escapeText(decodeEntities(text));
    i += text.length;
  }
  return out.replace(/\n+$/, '');
}
