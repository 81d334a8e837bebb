/**
 * For short-lived development and test servers on small machines (CI has 2 cores): the C1 compiler
 * alone and the serial collector start the JVM with far less CPU and memory than the server
 * defaults, and the throughput they give up is irrelevant at test load.
 */
export const JVM_STARTUP_OPTIONS: readonly string[] = [
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];
