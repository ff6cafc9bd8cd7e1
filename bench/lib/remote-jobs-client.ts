// What bench/remote-jobs.mjs needs of tsvirt, bundled as one module (one copy of the driver's state).
export { connect } from '../../src/ts/index.js';
export { callSlotDefaults } from '../../src/ts/drivers/remote/call-slots.js';
export { jobWatchDefaults, pollingLoops } from '../../src/ts/drivers/remote/job-watch.js';
