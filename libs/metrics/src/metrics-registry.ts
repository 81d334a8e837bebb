import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type Metric } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

/**
 * A service's own metrics: one registry per service runtime (several services share a process in
 * the end-to-end tests, and each must see only its own numbers). Instruments are created with the
 * helpers below, which return the one already registered under that name, so several consumers or
 * relays of one service count into the same series.
 */
export function createMetricsRegistry(): Registry {
  return new Registry();
}

let processRegistry: Registry | null = null;

/**
 * prom-client's default process metrics (CPU, memory, event-loop delay, GC, handles), once per
 * process: each collector set installs its own GC observer and event-loop monitor, which a test
 * process starting many runtimes would otherwise pile up.
 */
export function processMetricsRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

function getOrCreate<M extends Metric, C extends { name: string }>(registry: Registry, config: C, kind: abstract new (...args: never[]) => M, create: (config: C & { registers: Registry[] }) => M): M {
  const existing = registry.getSingleMetric(config.name);
  if (existing === undefined) return create({ ...config, registers: [registry] });
  if (!(existing instanceof kind)) throw new Error(`metric ${config.name} is already registered as another type`);
  return existing;
}

export function counter<L extends string>(registry: Registry, config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
  return getOrCreate(registry, config, Counter<L>, (c) => new Counter<L>(c));
}

export function gauge<L extends string>(registry: Registry, config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
  return getOrCreate(registry, config, Gauge<L>, (c) => new Gauge<L>(c));
}

export function histogram<L extends string>(registry: Registry, config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
  return getOrCreate(registry, config, Histogram<L>, (c) => new Histogram<L>(c));
}

/** Seconds since `startedAt` (a `performance.now()` reading), for histograms. */
export function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}
