// Which URIs the local drivers serve, apart from the drivers themselves: drivers/builtin.ts registers the drivers,
// and builtin-on-demand.ts (the shell's list) asks the same questions before it loads a driver's code.

const onThisHost = (uri: URL) => uri.host === '' || uri.host === 'localhost';

/** libvirt's mock hypervisor: `test:///default` or `test:///ABSOLUTE/PATH.xml`. */
export const isTestUri = (uri: URL): boolean => uri.protocol === 'test:' && onThisHost(uri);

/** tsvirt's directory storage driver: `tsvirt:///session`, `tsvirt:///embed?root=DIR`. */
export const isTsvirtUri = (uri: URL): boolean => uri.protocol === 'tsvirt:' && onThisHost(uri);
