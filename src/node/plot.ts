// Training curves written to SVG files (Node only); the SVG itself comes from src/nn/plot.ts.
import { writeFile } from 'node:fs/promises';
import type { EpochStats } from '../nn/fit.ts';
import { plotHistory } from '../nn/plot.ts';

export async function writePlot(
  path: string,
  history: readonly EpochStats[],
  title?: string,
): Promise<void> {
  await writeFile(path, plotHistory(history, title));
}
