/**
 * Reading a password for `--password-stdin`: piped input is read whole (one trailing line break
 * dropped, as `echo` adds one); on a terminal the password is asked for without echo, twice, so the
 * printed `admin create … --password-stdin` also works typed into a shell. Never from the command
 * line, where other users could read it in the process list.
 */
import { AppError } from '../errors/app-error.ts';

/** Reads one line from the terminal without echoing it; Ctrl-C or Ctrl-D aborts. */
function askHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  return new Promise((resolve, reject) => {
    let text = '';
    stdin.setRawMode(true); // before the question, so nothing typed after it is echoed
    stderr.write(question);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004')
          return done(new AppError('validation_failed', { detail: 'no password given' }));
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else if (ch >= ' ') text += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * The password for `--password-stdin`.
 *
 * @example
 * const password = await readPassword(); // `echo "$PW" | gatekeeper admin create …` or typed twice
 */
export async function readPassword(): Promise<string> {
  let text: string;
  if (process.stdin.isTTY) {
    text = await askHidden('Password: ');
    if (text.length > 0 && (await askHidden('Repeat the password: ')) !== text)
      throw new AppError('validation_failed', { detail: 'the two passwords differ' });
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    text = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  if (text.length === 0) throw new AppError('validation_failed', { detail: 'no password on standard input' });
  return text;
}
