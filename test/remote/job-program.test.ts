// The remote driver asks at open whether the daemon serves tsvirt's job program: libvirtd answers "Cannot find
// program" (the connection keeps working, and its jobs are the REMOTE-procedure ones of jobs.ts, with local
// ids); tsvirtd answers, and jobs start in the daemon (their id is the daemon's).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as connectApi from '../../src/ts/api/connect.js';
import * as domainApi from '../../src/ts/api/domain.js';
import * as jobApi from '../../src/ts/api/job.js';
import { virJobStartFlags } from '../../src/ts/core/enums.generated.js';
import type { VirConnect } from '../../src/ts/core/handles.js';
import { hasJobProgram } from '../../src/ts/drivers/remote/daemon-jobs.js';
import { RpcClient } from '../../src/ts/rpc/client.js';
import { TSVIRT_JOB_PROGRAM } from '../../src/ts/rpc/generated/job-protocol.js';
import { ensureBuilt } from '../cli/harness.js';
import { startLibvirtd, type Libvirtd } from '../support/libvirtd.mjs';
import { startTsvirtd, type TsvirtdProcess } from './tsvirtd-process.js';

const open = async (uri: string) => (await connectApi.virConnectOpen(uri)) as VirConnect;

/** The job-program calls a connection makes while `body` runs, by procedure number. */
async function jobProgramCalls(body: () => Promise<void>): Promise<number[]> {
  const spy = vi.spyOn(RpcClient.prototype, 'call');
  try {
    await body();
    return spy.mock.calls.filter(([program]) => program.program === TSVIRT_JOB_PROGRAM).map(([, proc]) => proc);
  } finally {
    spy.mockRestore();
  }
}

describe('against libvirtd', () => {
  let daemon: Libvirtd;
  beforeAll(async () => {
    daemon = await startLibvirtd();
  }, 120_000);
  afterAll(async () => {
    await daemon?.stop();
  });

  it('the probe is refused ("Cannot find program"): no job program, the connection works on, jobs keep local ids', async () => {
    let conn!: VirConnect;
    const probes = await jobProgramCalls(async () => {
      conn = await open(daemon.uris.test);
    });
    expect(probes).toHaveLength(1); // asked once, at open
    try {
      expect(hasJobProgram(conn.drivers)).toBe(false);
      expect(conn.drivers.jobs).toBeUndefined();
      const doms = await domainApi.virConnectListAllDomains(conn, 0);
      expect(doms.map((d) => d.name)).toContain('test');
      // A job without the program: the REMOTE-procedure job of jobs.ts, an id of this process only.
      const job = await domainApi.virDomainCreateXMLJob(
        conn,
        "<domain type='test'><name>probe-fallback</name><memory>1024</memory><os><type>hvm</type></os></domain>",
        0,
      );
      expect(job.daemonId).toBeUndefined();
      expect(jobApi.virJobGetID(job)).toBe(job.id);
      expect(await jobApi.virJobWait(job)).toBe(1);
      await domainApi.virDomainDestroy(job.domain!);
      job.unref();
      for (const d of doms) d.unref();
      // No job table: finding jobs by id is not supported on libvirtd.
      expect(() => jobApi.virJobLookupByID(conn, 1)).toThrow(/not supported/);
    } finally {
      connectApi.virConnectClose(conn);
    }
  });
});

describe('against tsvirtd', () => {
  let dir: string;
  let daemon: TsvirtdProcess;
  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'wirejobs-probe-'));
    daemon = await startTsvirtd(join(dir, 'sock'), join(dir, 'state'));
  }, 120_000);
  afterAll(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the probe is answered: jobs start through the program and report the daemon\'s id', async () => {
    let conn!: VirConnect;
    await jobProgramCalls(async () => {
      conn = await open(`test+unix:///default?socket=${daemon.socket}`);
    });
    try {
      expect(hasJobProgram(conn.drivers)).toBe(true);
      let job!: Awaited<ReturnType<typeof domainApi.virDomainCreateXMLJob>>;
      const calls = await jobProgramCalls(async () => {
        job = await domainApi.virDomainCreateXMLJob(
          conn,
          "<domain type='test'><name>probe-program</name><memory>1024</memory><os><type>hvm</type></os></domain>",
          0,
        );
      });
      expect(calls[0]).toBe(2); // TSVIRT_JOB_PROC_DOMAIN_CREATE_XML
      expect(job.daemonId).toBeGreaterThan(0);
      expect(jobApi.virJobGetID(job)).toBe(job.daemonId);
      expect(await jobApi.virJobWait(job)).toBe(1);
      expect(job.domain?.name).toBe('probe-program');
      await domainApi.virDomainDestroy(job.domain!);
      job.unref();
    } finally {
      connectApi.virConnectClose(conn);
    }
  });
});

describe('VIR_JOB_START_CANCEL_ON_DISCONNECT on a local driver', () => {
  const FLAG = virJobStartFlags.VIR_JOB_START_CANCEL_ON_DISCONNECT;

  it('is accepted by the job forms beside their own flags, and taken out before the driver sees them', async () => {
    const conn = await open('test:///default');
    try {
      const job = await domainApi.virDomainCreateXMLJob(
        conn,
        "<domain type='test'><name>flag-local</name><memory>1024</memory><os><type>hvm</type></os></domain>",
        FLAG,
      );
      expect(await jobApi.virJobWait(job)).toBe(1);
      const dom = job.domain!.ref();
      job.unref();
      // virDomainCoreDumpJob's own flags are reserved: the job flag alone passes, another bit does not.
      const dump = await domainApi.virDomainCoreDumpJob(dom, '/dev/null', 0, FLAG);
      expect(await jobApi.virJobWait(dump)).toBe(1);
      dump.unref();
      expect(() => domainApi.virDomainCoreDumpJob(dom, '/dev/null', 0, FLAG | 2)).toThrow('unsupported flags (0x2) in function virDomainCoreDumpJob');
      // The blocking twins have no job flags: the bit is one of theirs, unknown to the driver.
      await expect(domainApi.virDomainCoreDump(dom, '/dev/null', FLAG)).rejects.toThrow(/unsupported flags \(0x40000000\)/);
      await domainApi.virDomainDestroy(dom);
      dom.unref();
    } finally {
      connectApi.virConnectClose(conn);
    }
  });
});
