import { hostname } from 'node:os';
import type { DomainRef } from '../../core/handles.js';
import { ErrorDomain, ErrorNumber, virError } from '../../errors/index.js';
import type { HypervisorDriver, NodeInfo } from '../driver.js';
import { checkFlags } from '../../core/flags.js';
import { hostNodeInfo } from './node-info.js';

const FROM = ErrorDomain.VIR_FROM_DOMAIN;
/** virConnectListAllDomains accepts every filter libvirt defines (bits 0..15); no domain matches any. */
const LIST_ALL_DOMAINS_FILTERS = 0xffff;

/**
 * The hypervisor side of a `tsvirt:` connection: the host, described as libvirt describes it, and no
 * domains. These connections exist for their storage; lists of domains are empty and lookups fail the way
 * they fail for a name that is not defined.
 */
export class DirHypervisor implements HypervisorDriver {
  readonly name = 'TSVIRT';

  connectGetType(): string {
    return 'TSVIRT';
  }

  connectGetHostname(): string {
    return hostname();
  }

  /** A local connection: nothing crosses a network. */
  connectIsSecure(): boolean {
    return true;
  }

  connectIsEncrypted(): boolean {
    return false;
  }

  nodeGetInfo(): NodeInfo {
    return hostNodeInfo();
  }

  connectListAllDomains(_conn: unknown, flags: number): DomainRef[] {
    checkFlags(flags, LIST_ALL_DOMAINS_FILTERS, 'tsvirtConnectListAllDomains', FROM);
    return [];
  }

  connectNumOfDomains(): number {
    return 0;
  }

  connectListDomains(): number[] {
    return [];
  }

  connectNumOfDefinedDomains(): number {
    return 0;
  }

  connectListDefinedDomains(): string[] {
    return [];
  }

  domainLookupByName(_conn: unknown, name: string): DomainRef {
    throw virError(ErrorNumber.VIR_ERR_NO_DOMAIN, FROM, `no domain with matching name '${name}'`);
  }

  domainLookupByID(_conn: unknown, id: number): DomainRef {
    throw virError(ErrorNumber.VIR_ERR_NO_DOMAIN, FROM, `no domain with matching id ${id}`);
  }

  domainLookupByUUID(_conn: unknown, uuid: string): DomainRef {
    throw virError(ErrorNumber.VIR_ERR_NO_DOMAIN, FROM, `no domain with matching uuid '${uuid}'`);
  }
}
