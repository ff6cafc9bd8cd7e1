/**
 * What the running jobs of one state root are doing, as libvirt's storage driver tracks it per volume and
 * per pool: a volume being built (its name is taken though no file has it yet), a volume in use (the source
 * of a clone, a volume being wiped), and a pool's count of asynchronous jobs (which keep it from being
 * stopped). Shared by every connection of this process to the same root.
 */
export interface Claims {
  /** Pools the job works in. */
  pools: string[];
  /** Path of the volume the job builds. */
  builds?: string;
  /** Paths of the volumes the job reads or overwrites. */
  uses?: string[];
}

export class Activity {
  private readonly building = new Set<string>();
  private readonly using = new Map<string, number>();
  private readonly poolJobs = new Map<string, number>();

  isBuilding(path: string): boolean {
    return this.building.has(path);
  }

  isInUse(path: string): boolean {
    return this.using.has(path);
  }

  hasJobs(pool: string): boolean {
    return this.poolJobs.has(pool);
  }

  /** Takes the claims and returns the function that gives them back (once; later calls do nothing). */
  claim(claims: Claims): () => void {
    for (const pool of claims.pools) bump(this.poolJobs, pool, 1);
    if (claims.builds) this.building.add(claims.builds);
    for (const path of claims.uses ?? []) bump(this.using, path, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const pool of claims.pools) bump(this.poolJobs, pool, -1);
      if (claims.builds) this.building.delete(claims.builds);
      for (const path of claims.uses ?? []) bump(this.using, path, -1);
    };
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
