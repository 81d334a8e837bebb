import { FIXED_PORTS, type PortPlan } from './fixed-ports';
import { findFreePort } from './free-port';
import type { PortMode } from './infrastructure.types';

/** The ports every locally started component binds, fixed or picked fresh for this run. */
export async function planPorts(mode: PortMode): Promise<PortPlan> {
  if (mode === 'fixed') return { ...FIXED_PORTS };
  const picked = new Set<number>();
  const next = async (): Promise<number> => {
    // Ports are released before use, so two probes may return the same one: ask again.
    for (;;) {
      const port = await findFreePort();
      if (!picked.has(port)) {
        picked.add(port);
        return port;
      }
    }
  };
  return {
    postgres: await next(),
    kafka: await next(),
    kafkaController: await next(),
    smtp: await next(),
    imap: await next(),
  };
}
