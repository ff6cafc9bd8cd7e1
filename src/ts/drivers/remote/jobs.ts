// The job slots of a remote connection (domain create, save, restore, core dump; network start; storage volume
// create, clone, wipe). Each job runs the blocking libvirt procedure on the connection, which stays free for
// other calls meanwhile (one connection carries many calls at once; call-slots.ts keeps the daemon's
// per-client request limit from starving them). What libvirt can observe and abort, the job observes and
// aborts; what it cannot, the job says so:
// - save and core dump: bounded jobs whose progress is the daemon's own figures (job-watch.ts polls
//   DOMAIN_GET_JOB_STATS, job-stats.ts reads them); a cancel sends DOMAIN_ABORT_JOB, and the job ends CANCELLED
//   only if libvirt's call then fails aborted (as it also does when another client aborts the domain's job).
//   If the call succeeds anyway (the abort came too late), the job COMPLETED and keeps why the cancel failed
//   (cancelError).
// - a memory-only dump: observed, but libvirt cannot abort it: cancel is refused with libvirt's reason.
// - restore, domain start, network start, volume create/clone/wipe: libvirt reports no progress and has no
//   abort for them, so the jobs are unbounded (no percent) and a cancel is refused once the call was sent.
// A job waiting for a call slot has sent nothing yet: cancelling it ends it CANCELLED at once.
import type { VirDomain } from '../../core/handles.js';
import { virConnectListAllDomainsFlags, virDomainCoreDumpFlags } from '../../core/enums.generated.js';
import { ErrorDomain, ErrorNumber, VirError, virError } from '../../errors/index.js';
import { JobType } from '../../jobs/job.js';
import type { JobControl, JobSpec } from '../../jobs/job.js';
import type { remote_nonnull_domain } from '../../rpc/generated/remote-protocol.js';
import type { HypervisorDriver, JobStarter } from '../driver.js';
import { callSlotsOf } from './call-slots.js';
import type { ProcName, RemoteConnection } from './connection.js';
import { progressOf } from './job-stats.js';
import { jobWatchOf, jobWatchDefaults } from './job-watch.js';
import { toWireDomain } from './wire.js';

type Spec = Omit<JobSpec, 'conn'>;

/** The spec of a remote job libvirt reports nothing of: unbounded. */
export function remoteJobSpec(operation: string, label: string, errorDomain: ErrorDomain, extra: Partial<Spec> = {}): Spec {
  return { operation, label, type: JobType.UNBOUNDED, errorDomain, ...extra };
}

/** Why a job whose libvirt procedure has no abort refuses a cancel once the call is out. */
export function noAbortReason(label: string): string {
  return `${label} cannot be aborted: libvirt has no abort for it once it started`;
}

/**
 * Runs `call` holding one of the connection's slots for long calls. A job that finds a slot free takes it at
 * once, in the tick it starts (so a refusal of cancel holds from the moment the caller has the job); one that
 * waits can be cancelled meanwhile, which ends it without calling. `refuse`: the reason a cancel is refused
 * once the call is out (libvirt cannot abort it).
 */
function withSlot<T>(rc: RemoteConnection, control: JobControl, refuse: string | undefined, call: () => Promise<T>): Promise<T> {
  const slots = callSlotsOf(rc);
  const run = async (release: () => void) => {
    try {
      control.signal.throwIfAborted();
      if (refuse) control.refuseCancel(refuse);
      return await call();
    } finally {
      release();
    }
  };
  const now = slots.tryAcquire();
  return now ? run(now) : slots.acquire(control.signal).then(run);
}

/**
 * Starts a job whose work is one blocking REMOTE call that libvirt can neither observe nor abort; `then` turns
 * the reply into the job's result.
 */
export function blockingCallJob<T>(
  rc: RemoteConnection,
  start: JobStarter,
  spec: Spec,
  proc: ProcName,
  args: unknown,
  then: (ret: any) => T | Promise<T>,
) {
  return start(spec, (control) => withSlot(rc, control, noAbortReason(spec.label), async () => then(await rc.call(proc, args))));
}

/** How often an abort that found no job yet (the call has not begun its job on the daemon) is tried again. */
const ABORT_RETRY_MS = 100;

/**
 * Starts a job whose work is a blocking call that runs as a domain job on the daemon: progress from the
 * domain's job figures, cancel as DOMAIN_ABORT_JOB (or refused with `refuse`, when libvirt cannot abort it).
 */
export function observedDomainJob(
  rc: RemoteConnection,
  start: JobStarter,
  spec: Spec,
  dom: VirDomain,
  proc: ProcName,
  args: unknown,
  refuse?: string,
) {
  return start({ ...spec, type: JobType.BOUNDED, domain: dom }, (control) =>
    withSlot(rc, control, refuse, async (): Promise<void> => {
      let callDone = false;
      let abortError: VirError | null = null;
      const unwatch = jobWatchOf(rc).watch(dom, (stats) => {
        const p = progressOf(stats);
        if (p) control.progress(p.processed, p.total);
      });
      const abort = async () => {
        // An abort that finds no job may have come before the call began its job on the daemon: try again
        // until the call ends (then the job ends as the call says).
        for (;;) {
          try {
            await rc.call('DOMAIN_ABORT_JOB', { dom: toWireDomain(dom) });
            abortError = null;
            return;
          } catch (err) {
            abortError = err instanceof VirError ? err : null;
            if (callDone || !rc.alive || abortError?.code !== ErrorNumber.VIR_ERR_OPERATION_INVALID) return;
          }
          await new Promise((resolve) => setTimeout(resolve, Math.min(ABORT_RETRY_MS, jobWatchDefaults.intervalMs)));
          if (callDone) return;
        }
      };
      const onAbort = () => void abort();
      control.signal.addEventListener('abort', onAbort, { once: true });
      try {
        await rc.call(proc, args);
        callDone = true;
        if (control.signal.aborted) {
          // The daemon finished the job before (or despite) the abort: the work is done, so is the job.
          control.commit();
          control.cancelFailed(
            abortError ??
              virError(ErrorNumber.VIR_ERR_OPERATION_INVALID, spec.errorDomain, `${spec.label} job: it completed before the abort took effect`),
          );
        }
      } catch (err) {
        // Aborted by another client (virsh domjobabort, virDomainAbortJob): cancelled all the same.
        if (err instanceof VirError && err.code === ErrorNumber.VIR_ERR_OPERATION_ABORTED) control.cancelledElsewhere();
        throw err;
      } finally {
        callDone = true;
        control.signal.removeEventListener('abort', onAbort);
        unwatch();
      }
    }),
  );
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
      const spec = remoteJobSpec('save', 'domain save', FROM);
      return dxml === null && flags === 0
        ? observedDomainJob(rc, start, spec, d, 'DOMAIN_SAVE', { dom: dom(d), to })
        : observedDomainJob(rc, start, spec, d, 'DOMAIN_SAVE_FLAGS', { dom: dom(d), to, dxml, flags });
    },
    domainRestore: (_c, from, dxml, flags, start) => {
      // RESTORE answers with nothing: the restored domain is the one its image names (asked before the
      // restore, while the image is certainly there), looked up once it runs. A daemon that cannot read
      // images (tsvirtd) is asked which domain became active instead. libvirt shows no job while it restores
      // (no figures, nothing to abort): the job is unbounded and refuses a cancel once sent.
      const spec = remoteJobSpec('restore', 'domain restore', FROM);
      return start(spec, (control) =>
        withSlot(rc, control, noAbortReason(spec.label), async () => {
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
        }),
      );
    },
    domainCoreDump: (d, to, format, flags, start) => {
      const spec = remoteJobSpec('dump', 'domain core dump', FROM);
      // libvirt's own answer to an abort of a memory-only dump, known before asking.
      const refuse = flags & virDomainCoreDumpFlags.VIR_DUMP_MEMORY_ONLY ? 'cannot abort memory-only dump' : undefined;
      return format === 0
        ? observedDomainJob(rc, start, spec, d, 'DOMAIN_CORE_DUMP', { dom: dom(d), to, flags }, refuse)
        : observedDomainJob(rc, start, spec, d, 'DOMAIN_CORE_DUMP_WITH_FORMAT', { dom: dom(d), to, dumpformat: format, flags }, refuse);
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
