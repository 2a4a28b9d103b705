'use strict';
/*
 * Preloaded (`node --require`) into the processes the load benchmark measures (the bot from
 * dist/, the floor bot): answers the bench's { type: 'memory' } IPC message with
 * process.memoryUsage() as it is, and again after a full garbage collection (with --expose-gc).
 * It adds nothing else to the process, except that it ends the process when the bench goes
 * away (the IPC channel closes), so a failed run leaves no server behind.
 */
process.on('message', (message) => {
  if (!message || message.type !== 'memory') return;
  const now = process.memoryUsage();
  let afterGc;
  if (typeof global.gc === 'function') {
    global.gc();
    afterGc = process.memoryUsage();
  }
  process.send({ type: 'memory', now, afterGc });
});

process.on('disconnect', () => process.exit(1));
