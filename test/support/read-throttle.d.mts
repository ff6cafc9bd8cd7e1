// Types for read-throttle.mjs.
export function withReadThrottle(file: string, bps: number, fn: () => Promise<void>): Promise<boolean>;
