/** One attack of attacks.ts in a process of its own, its own figures sent back over IPC:  attacker.ts <attack name> <ws url> <http url> <seconds> */
import { performance } from 'node:perf_hooks';
import { ATTACKS } from './attacks';

const [name, wsUrl, httpUrl, seconds] = process.argv.slice(2);
const attack = ATTACKS.find((a) => a.name === name);
if (!attack) throw new Error(`no attack named ${name}`);
attack.run({ wsUrl, httpUrl }, performance.now() + Number(seconds) * 1000).then(
  (figures) => {
    if (process.send) process.send(figures ?? {}, () => process.exit(0));
    else process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
