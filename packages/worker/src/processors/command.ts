/**
 * Splits a command line from an environment variable into argv, honouring single and
 * double quotes and backslash escapes, so "python3 '/opt/Seed VR2/cli.py'" works
 * without ever involving a shell.
 */
export function splitCommand(line: string): string[] {
  const argv: string[] = [];
  let current = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) argv.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`expected a closing ${quote} quote, got end of line in ${JSON.stringify(line)}`);
  if (inWord) argv.push(current);
  if (argv.length === 0) throw new Error("expected a command, got only whitespace");
  return argv;
}
