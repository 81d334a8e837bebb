export interface MailServerEnv {
  host: string;
  smtpPort: number;
  imapPort: number;
}

/**
 * The integration tests need a real mail server (GreenMail: SMTP + IMAP with IDLE). The test
 * runner passes where it is; without it the tests fail loudly instead of skipping (CONTRIBUTING.md: tests use the real components).
 */
export function mailServerFromEnv(): MailServerEnv {
  const host = process.env['MAIL_HOST'];
  const smtpPort = Number(process.env['SMTP_PORT']);
  const imapPort = Number(process.env['IMAP_PORT']);
  const missing = [
    host === undefined || host === '' ? 'MAIL_HOST' : null,
    Number.isInteger(smtpPort) && smtpPort > 0 ? null : 'SMTP_PORT',
    Number.isInteger(imapPort) && imapPort > 0 ? null : 'IMAP_PORT',
  ].filter((name): name is string => name !== null);
  if (host === undefined || missing.length > 0) {
    throw new Error(
      `libs/mail integration tests need a running GreenMail server: set ${missing.join(', ')} ` +
        '(the test harness in libs/testing starts one; by hand: java -Dgreenmail.setup.test.all -Dgreenmail.auth.disabled ' +
        '-jar greenmail-standalone.jar, then MAIL_HOST=127.0.0.1 SMTP_PORT=3025 IMAP_PORT=3143)',
    );
  }
  return { host, smtpPort, imapPort };
}
