/** Images for the container source; kept at the versions the local (Maven/npm) source runs. */
export const CONTAINER_IMAGES = {
  postgres: 'postgres:17-alpine',
  kafka: 'apache/kafka:4.1.1',
  greenmail: 'greenmail/standalone:2.1.8',
} as const;
