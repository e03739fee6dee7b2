// dockerfilelint types only its `run`; these are the parsers it lints with (ported from Docker's own).
declare module 'dockerfilelint/lib/parser' {
  /** An instruction's arguments as words, the way Docker splits them (quotes, escapes). */
  export function words(rest: string): string[];
  /** ENV's `name=value` pairs; throws on a word without `=`. */
  export function nameVal(rest: string): Record<string, string>;
}

declare module 'dockerfilelint/lib/command_parser' {
  /** A RUN line's shell commands, split at `&&`, `||`, `;;` and `|&`. */
  export function split_commands(args: string): string[];
}
