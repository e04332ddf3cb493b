// jax-js as the page runs it: build.ts bundles this twice, once as it is (jax-js starts its
// worker pool, one Web Worker per navigator.hardwareConcurrency, when the page is cross-origin
// isolated) and once with `Worker` defined away (no pool: one thread). Same W2/W3 code as Node's.
export { defaultDevice, init } from '@jax-js/jax';
export { jaxW2, jaxW3 } from '../peers/jaxjs-work.ts';
