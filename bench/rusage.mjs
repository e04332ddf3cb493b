// Preloaded into a spawned `gradc compile` (W4): when the process exits, write its CPU time and
// peak RSS as JSON to the file GRADC_RUSAGE names (a parent cannot read a child's rusage in Node).
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const u = process.resourceUsage();
  const usage = { cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssMB: u.maxRSS / 1024 };
  if (process.env.GRADC_RUSAGE) writeFileSync(process.env.GRADC_RUSAGE, JSON.stringify(usage));
});
