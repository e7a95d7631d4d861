// Turns one bench/run.sh run folder into the results file:
//   npx tsx bench/report/write-results.ts <bench/.work/run-...> [bench/RESULTS.md] [notes.md]
// The optional notes file (profiling findings written by people) is appended as its own section.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resultsMarkdown } from './markdown.js';
import { readRunDir } from './measurements.js';

const [runDir, out = 'bench/RESULTS.md', notesFile] = process.argv.slice(2);
if (!runDir) {
  process.stderr.write('usage: write-results.ts <run folder> [results file] [notes file]\n');
  process.exit(5);
}
const notes = notesFile && existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : undefined;
writeFileSync(out, resultsMarkdown({ ...readRunDir(runDir), ...(notes ? { notes } : {}) }));
process.stderr.write(`wrote ${out}\n`);
