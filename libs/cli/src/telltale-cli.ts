import { UsageError, classifyFiles, loadSentList, parseClassifyArgs } from './classify-reply.command';

const USAGE = `usage: telltale classify-reply --sent sent.json [--mailbox rep@org.com] [--active-window-days 30] a.eml [b.eml …]
  Prints one JSON object per file: {"file","kind","bounce","matchedMessageId","relation","returnDate","reasons"},
  or {"file","error"} for a file that is not a parseable message.`;

/** Runs one command; returns the exit code (0 ok, 1 some file failed, 2 usage). */
export async function runTelltaleCli(argv: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const [command, ...args] = argv;
  if (command !== 'classify-reply') {
    err(command === undefined || command === '--help' || command === 'help' ? USAGE : `telltale: unknown command ${command}\n${USAGE}`);
    return 2;
  }
  try {
    const options = parseClassifyArgs(args);
    const sent = await loadSentList(options.sent);
    let failed = false;
    for await (const line of classifyFiles(options.files, sent, { mailboxAddress: options.mailbox, activeWindowDays: options.windowDays })) {
      if ('error' in line) failed = true;
      out(JSON.stringify(line));
    }
    return failed ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`telltale: ${error.message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}
