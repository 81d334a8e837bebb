/** Where a component's endpoint came from. */
export type ComponentSource = 'env' | 'container' | 'local';

export type ComponentName = 'postgres' | 'kafka' | 'mail';

export interface MailServerEndpoint {
  host: string;
  smtpPort: number;
  imapPort: number;
}

export interface RunningInfrastructure {
  /** postgres://user:pass@127.0.0.1:port/telltale */
  databaseUrl: string;
  /** ['127.0.0.1:port'] */
  kafkaBrokers: string[];
  /** GreenMail (SMTP + IMAP with IDLE). */
  mail: MailServerEndpoint;
  sources: { postgres: ComponentSource; kafka: ComponentSource; mail: ComponentSource };
  /** Stops only what this call started, in reverse start order. Safe to call twice. */
  stop(): Promise<void>;
}

export type PortMode = 'fixed' | 'ephemeral';

export interface StartInfrastructureOptions {
  /** Absolute; e.g. <repo>/.data for `npm start`, a temp dir for tests. */
  dataDir: string;
  /** fixed: PG 55432, Kafka 19092 (controller 19093), SMTP 3025, IMAP 3143. */
  ports: PortMode;
  log: (line: string) => void;
  /** Environment to read DATABASE_URL etc. from; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Repository root holding deploy/local and .tools; found from this file's location by default. */
  repoRoot?: string;
}

/** A component that is up, with a way to stop whatever was started for it (a no-op for env). */
export interface StartedComponent<TEndpoint> {
  source: ComponentSource;
  endpoint: TEndpoint;
  stop(): Promise<void>;
}

export interface PostgresEndpoint {
  databaseUrl: string;
}

export interface KafkaEndpoint {
  brokers: string[];
}
