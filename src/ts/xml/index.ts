export { XmlElement } from './element.js';
export { parseXml, type ParseXmlOptions } from './parser.js';
export { XmlWriter, escapeXml } from './writer.js';
