// The job slots of a remote connection (domain create, save, restore, core dump; network start; storage volume
// create, clone, wipe). Each job runs the blocking libvirt procedure on the connection, which stays free for
// other calls meanwhile (one connection carries many calls at once). libvirt reports no progress through these
// procedures, so the jobs are unbounded and have no made-up percent; they are past their point of no return as
// soon as the call is sent (a cancel is accepted and the job completes), until progress through
// DOMAIN_GET_JOB_STATS and cancel through DOMAIN_ABORT_JOB are added here (see docs/remote.md).
import type { VirDomain } from '../../core/handles.js';
import { virConnectListAllDomainsFlags } from '../../core/enums.generated.js';
import { ErrorDomain, type VirError } from '../../errors/index.js';
import { JobType } from '../../jobs/job.js';
import type { JobSpec } from '../../jobs/job.js';
import type { remote_nonnull_domain } from '../../rpc/generated/remote-protocol.js';
import type { HypervisorDriver, JobStarter } from '../driver.js';
import type { ProcName, RemoteConnection } from './connection.js';
import { toWireDomain } from './wire.js';

type Spec = Omit<JobSpec, 'conn'>;

/** The spec of a remote job: unbounded (libvirt says nothing of the amount of work through these calls). */
export function remoteJobSpec(operation: string, label: string, errorDomain: ErrorDomain, extra: Partial<Spec> = {}): Spec {
  return { operation, label, type: JobType.UNBOUNDED, errorDomain, ...extra };
}

/** Starts a job whose work is one blocking REMOTE call; `then` turns the reply into the job's result. */
export function blockingCallJob<T>(
  rc: RemoteConnection,
  start: JobStarter,
  spec: Spec,
  proc: ProcName,
  args: unknown,
  then: (ret: any) => T,
) {
  return start(spec, async (control) => {
    control.commit();
    return then(await rc.call(proc, args));
  });
}

type DomainJobSlots = Pick<HypervisorDriver, 'domainCreate' | 'domainCreateXML' | 'domainSave' | 'domainRestore' | 'domainCoreDump'>;

export function remoteDomainJobs(rc: RemoteConnection): DomainJobSlots {
  const FROM = ErrorDomain.VIR_FROM_DOMAIN;
  const dom = (d: VirDomain) => toWireDomain(d);
  return {
    domainCreate: (d, flags, start) =>
      // CREATE_WITH_FLAGS answers with the started domain, whose new id every handle then reports.
      blockingCallJob(rc, start, remoteJobSpec('start', 'domain start', FROM, { domain: d }), 'DOMAIN_CREATE_WITH_FLAGS', { dom: dom(d), flags }, (r: { dom: remote_nonnull_domain }) => {
        rc.domains.fromWire(r.dom);
      }),
    domainCreateXML: (_c, xml, flags, start) =>
      blockingCallJob(rc, start, remoteJobSpec('start', 'domain create', FROM), 'DOMAIN_CREATE_XML', { xml_desc: xml, flags }, (r: { dom: remote_nonnull_domain }) =>
        rc.domains.fromWire(r.dom),
      ),
    domainSave: (d, to, dxml, flags, start) => {
      const spec = remoteJobSpec('save', 'domain save', FROM, { domain: d });
      if (dxml === null && flags === 0) return blockingCallJob(rc, start, spec, 'DOMAIN_SAVE', { dom: dom(d), to }, () => undefined);
      return blockingCallJob(rc, start, spec, 'DOMAIN_SAVE_FLAGS', { dom: dom(d), to, dxml, flags }, () => undefined);
    },
    domainRestore: (_c, from, dxml, flags, start) => {
      // RESTORE answers with nothing: the restored domain is the one its image names (asked before the
      // restore, while the image is certainly there), looked up once it runs. A daemon that cannot read
      // images (tsvirtd) is asked which domain became active instead.
      const spec = remoteJobSpec('restore', 'domain restore', FROM);
      return start(spec, async (control) => {
        control.commit();
        const named: string | VirError = dxml ? (xmlName(dxml) ?? '') : await imageDomainName(rc, from).catch((err: VirError) => err);
        const before = typeof named === 'string' ? null : await activeDomains(rc);
        if (dxml === null && flags === 0) await rc.call('DOMAIN_RESTORE', { from });
        else await rc.call('DOMAIN_RESTORE_FLAGS', { from, dxml, flags });
        if (typeof named === 'string') {
          const r = await rc.call<{ dom: remote_nonnull_domain }>('DOMAIN_LOOKUP_BY_NAME', { name: named });
          return rc.domains.fromWire(r.dom);
        }
        const started = (await activeDomains(rc)).filter((d) => !before!.some((b) => b.uuid.equals(d.uuid)));
        if (started.length !== 1) throw named;
        return rc.domains.fromWire(started[0]);
      });
    },
    domainCoreDump: (d, to, format, flags, start) => {
      const spec = remoteJobSpec('dump', 'domain core dump', FROM, { domain: d });
      if (format === 0) return blockingCallJob(rc, start, spec, 'DOMAIN_CORE_DUMP', { dom: dom(d), to, flags }, () => undefined);
      return blockingCallJob(rc, start, spec, 'DOMAIN_CORE_DUMP_WITH_FORMAT', { dom: dom(d), to, dumpformat: format, flags }, () => undefined);
    },
  };
}

async function activeDomains(rc: RemoteConnection): Promise<remote_nonnull_domain[]> {
  const r = await rc.call<{ domains: remote_nonnull_domain[] }>('CONNECT_LIST_ALL_DOMAINS', { need_results: 1, flags: virConnectListAllDomainsFlags.VIR_CONNECT_LIST_DOMAINS_ACTIVE });
  return r.domains;
}

/** The name of the domain a save image holds (DOMAIN_SAVE_IMAGE_GET_XML_DESC). */
async function imageDomainName(rc: RemoteConnection, file: string): Promise<string> {
  const { xml } = await rc.call<{ xml: string }>('DOMAIN_SAVE_IMAGE_GET_XML_DESC', { file, flags: 0 });
  return xmlName(xml) ?? '';
}

function xmlName(xml: string): string | null {
  const m = /<name>([^<]*)<\/name>/.exec(xml);
  return m ? unescapeXml(m[1].trim()) : null;
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
