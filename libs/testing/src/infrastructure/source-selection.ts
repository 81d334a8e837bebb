import type { ComponentName, ComponentSource } from './infrastructure.types';

/**
 * TELLTALE_INFRASTRUCTURE: `auto` (default) uses containers when a runtime answers, else local
 * processes; `container` or `local` forces one for every component the environment does not give.
 */
export type ProvisioningPreference = 'auto' | 'container' | 'local';

export function parseProvisioningPreference(value: string | undefined): ProvisioningPreference {
  const normalized = (value ?? '').trim().toLowerCase();
  if (normalized === '' || normalized === 'auto') return 'auto';
  if (normalized === 'container' || normalized === 'local') return normalized;
  throw new Error(`TELLTALE_INFRASTRUCTURE must be auto, container or local; got "${value ?? ''}"`);
}

/** Whether the container runtime must be probed at all: only when something needs provisioning. */
export function needsContainerProbe(
  fromEnv: Readonly<Record<ComponentName, boolean>>,
  preference: ProvisioningPreference,
): boolean {
  if (preference === 'local') return false;
  return !(fromEnv.postgres && fromEnv.kafka && fromEnv.mail);
}

/** Env wins per component; otherwise a container when possible (or forced), else a local process. */
export function chooseSource(
  fromEnv: boolean,
  preference: ProvisioningPreference,
  containerRuntimeAvailable: boolean,
): ComponentSource {
  if (fromEnv) return 'env';
  switch (preference) {
    case 'local':
      return 'local';
    case 'container':
      if (!containerRuntimeAvailable) {
        throw new Error('TELLTALE_INFRASTRUCTURE=container but no container runtime answered');
      }
      return 'container';
    case 'auto':
      return containerRuntimeAvailable ? 'container' : 'local';
  }
}
