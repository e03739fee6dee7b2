/** One attack of attacks.ts in a process of its own:  attacker.ts <attack name> <ws url> <seconds> */
import { performance } from 'node:perf_hooks';
import { ATTACKS } from './attacks';

const [name, url, seconds] = process.argv.slice(2);
const attack = ATTACKS.find((a) => a.name === name);
if (!attack) throw new Error(`no attack named ${name}`);
attack.run(url, performance.now() + Number(seconds) * 1000).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
