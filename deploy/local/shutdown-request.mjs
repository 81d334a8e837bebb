// How start.mjs, test.mjs and bench.mjs learn that they should stop: a signal, or the process that
// started them going away.
//
// `npm start` runs the script with `sh -c`, and run.sh execs node, so the chain is npm → sh → node
// unless the script itself starts with `exec` (then npm → node). npm passes SIGINT and SIGTERM
// to its child only. A shell in between does not pass them on: dash keeps waiting for node on
// SIGINT, and dies on SIGTERM, leaving node behind with nobody to stop it. Hence the
// `exec` in package.json's scripts, and, for a parent that dies anyway (SIGTERM through a shell,
// SIGKILL to npm), the watch on our parent below.

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const PARENT_CHECK_MS = 500;

/**
 * Calls `handler(reason)` for every SIGINT, SIGTERM and SIGHUP (reason: the signal name), and once
 * when our parent process exits (reason: 'parent-exit'; we were re-parented, so nobody is left to
 * signal us or to wait for us).
 */
export function onShutdownRequest(handler) {
  for (const signal of SIGNALS) process.on(signal, () => handler(signal));
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    handler('parent-exit');
  }, PARENT_CHECK_MS);
  watch.unref();
}
