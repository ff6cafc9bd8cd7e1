import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The golden libvirt 9.0 material (../shared/reference): beside the checkout, as CI lays it out, or where a
 * developer's machine keeps it; TSVIRT_REFERENCE overrides both. The real path, links resolved: tests hand it to
 * a libvirtd running as another user, which cannot pass through a private clone's folder (mktemp -d, mode 700)
 * to reach the link CI lays beside the checkout.
 */
function locate(): string {
  const candidates = [
    process.env.TSVIRT_REFERENCE,
    join(import.meta.dirname, '..', '..', 'shared', 'reference', 'libvirt-9.0'),
    '/work/shared/reference/libvirt-9.0',
  ];
  const found = candidates.find((dir) => dir && existsSync(join(dir, 'cases.tsv')));
  if (!found) throw new Error(`libvirt 9.0 reference material not found (looked in ${candidates.filter(Boolean).join(', ')})`);
  return realpathSync(found);
}

export const REFERENCE = locate();
