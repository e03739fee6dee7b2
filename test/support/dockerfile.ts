import { words } from 'dockerfilelint/lib/parser';

/** One instruction: its keyword (upper case), its leading `--name=value` flags, the rest, its first line. */
export interface Instruction {
  keyword: string;
  flags: Record<string, string>;
  args: string;
  line: number;
}

/** A build stage: its FROM's image and `AS` name, and the instructions after it. */
export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Reads one instruction (`HEALTHCHECK --retries=3 CMD [...]`, or the `CMD [...]` inside it). */
export function readInstruction(text: string, line = 0): Instruction {
  const [keyword] = words(text);
  let args = text.slice(keyword.length).trim();
  const flags: Record<string, string> = {};
  while (args.startsWith('--')) {
    const [flag] = words(args);
    const [name, ...value] = flag.slice(2).split('=');
    flags[name] = value.join('=');
    args = args.slice(flag.length).trim();
  }
  return { keyword: keyword.toUpperCase(), flags, args, line };
}

/**
 * A Dockerfile's build stages, its lines read as dockerfilelint reads them: blank lines and comments
 * skipped, a line ending in a backslash joined to the next.
 */
export function readStages(dockerfile: string): Stage[] {
  const stages: Stage[] = [];
  let pending: { text: string; line: number } | undefined;
  dockerfile.split(/\r?\n/).forEach((raw, index) => {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const continues = text.endsWith('\\');
    pending = { text: `${pending?.text ?? ''} ${continues ? text.slice(0, -1) : text}`.trim(), line: pending?.line ?? index + 1 };
    if (continues) return;
    const instruction = readInstruction(pending.text, pending.line);
    pending = undefined;
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = words(instruction.args);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  });
  return stages;
}

/** The arguments of an exec-form instruction (`CMD ["node", "dist/main"]`). */
export const execForm = (args: string): string[] => JSON.parse(args) as string[];
