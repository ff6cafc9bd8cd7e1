/**
 * Splits a command line into words the way virsh does (vshCommandStringGetArg): blanks separate words,
 * `;` and newlines separate commands, a word starting with `#` comments out the rest of the line, single
 * quotes are literal, double quotes group with `\` escapes, and a `\` outside single quotes escapes the next
 * character (backslash-newline vanishes). Words are produced one at a time so that a later syntax error
 * is only reported once the parser has accepted everything before it, as virsh reports it.
 */
export type Token =
  | { readonly kind: 'word'; readonly text: string }
  /** End of one command (`;`, newline or comment) with more input to come. */
  | { readonly kind: 'next' }
  | { readonly kind: 'end' }
  | { readonly kind: 'error'; readonly message: string };

export interface TokenSource {
  next(): Token;
}

export class StringTokens implements TokenSource {
  private pos = 0;

  constructor(private readonly line: string) {}

  next(): Token {
    const s = this.line;
    let p = this.pos;
    while (s[p] === ' ' || s[p] === '\t' || (s[p] === '\\' && s[p + 1] === '\n')) p += s[p] === '\\' ? 2 : 1;
    if (p >= s.length) {
      this.pos = p;
      return { kind: 'end' };
    }
    if (s[p] === ';' || s[p] === '\n') {
      this.pos = p + 1;
      return { kind: 'next' };
    }
    if (s[p] === '#') {
      while (p < s.length && s[p] !== '\n') p++;
      this.pos = p < s.length ? p + 1 : p;
      return { kind: 'next' };
    }
    let single = false;
    let double = false;
    let word = '';
    while (p < s.length) {
      const c = s[p]!;
      if (!single && !double && (c === ' ' || c === '\t' || c === ';' || c === '\n')) break;
      if (!double && c === "'") {
        single = !single;
        p++;
        continue;
      }
      if (!single && c === '\\') {
        p++;
        if (p >= s.length) return { kind: 'error', message: 'dangling \\' };
        if (s[p] === '\n') {
          p++;
          continue;
        }
      } else if (!single && c === '"') {
        double = !double;
        p++;
        continue;
      }
      word += s[p];
      p++;
    }
    // An unterminated single quote runs to the end of the line; virsh only objects to a missing `"`.
    if (double) return { kind: 'error', message: 'missing "' };
    this.pos = p;
    return { kind: 'word', text: word };
  }
}

/** Command-line arguments after the global options: each one is a word, and nothing separates commands. */
export class ArgvTokens implements TokenSource {
  private pos = 0;

  constructor(private readonly args: readonly string[]) {}

  next(): Token {
    if (this.pos >= this.args.length) return { kind: 'end' };
    return { kind: 'word', text: this.args[this.pos++]! };
  }
}
