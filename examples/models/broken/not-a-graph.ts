// Broken on purpose (CLI tests): the default export is a plain object, not a graph.
export default { layers: [2, 3, 1], activation: 'sigmoid' };
