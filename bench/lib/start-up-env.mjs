// The environment start-up benches run their processes in. Bare Node's start-up is the baseline of the tsvirsh
// targets, and it depends on the environment: with NODE_EXTRA_CA_CERTS set (this workplace's machines set it to
// the system bundle), Node parses every certificate in that file before running a line, ~40 ms here, which
// doubles `node -e 0` and flatters every ratio against it. The benches take it out, as on a machine that does
// not set it, and say so (docs/benchmarks.md, "Bare Node's own start-up").

/** `env` without NODE_EXTRA_CA_CERTS. */
export function startUpEnv(env = process.env) {
  const { NODE_EXTRA_CA_CERTS: _extra, ...rest } = env;
  return rest;
}

/** What the benches' reports say when the variable was set here, or null. */
export const EXTRA_CA_CERTS_NOTE = process.env.NODE_EXTRA_CA_CERTS
  ? `NODE_EXTRA_CA_CERTS (${process.env.NODE_EXTRA_CA_CERTS}) is left out of every timed process: it makes Node parse those certificates at each start`
  : null;
