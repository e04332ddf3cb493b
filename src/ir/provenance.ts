// Chain-rule provenance text: a VJP's doc template with the forward node's names filled in.
import type { Node, Provenance } from './node.ts';

/** Fill `{out}` and `{0}`, `{1}`… with names of the forward node and its inputs. */
export function formatStep(prov: Provenance, nameOf: (n: Node) => string): string {
  const f = prov.forward;
  return prov.step.replace(/\{(out|\d+|i)\}/g, (_m, key: string) => {
    if (key === 'out') return nameOf(f);
    if (key === 'i') return 'each input';
    const x = f.inputs[Number(key)];
    return x ? nameOf(x) : key;
  });
}
