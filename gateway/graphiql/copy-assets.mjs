// Copies GraphiQL's browser files (listed in assets.json: served name -> file under
// node_modules) from `npm ci`'s node_modules into static/, which the gateway serves at
// /graphiql/static/, each with a gzip copy (NAME.gz) for browsers that accept gzip. Run
// from this folder after `npm ci` (the Makefile and the Dockerfile do). Node's standard
// library only.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const assets = JSON.parse(readFileSync(join(here, "assets.json"), "utf8"));
const target = join(here, "static");
rmSync(target, { recursive: true, force: true });
mkdirSync(target);
for (const [name, source] of Object.entries(assets)) {
  const file = join(target, name);
  copyFileSync(join(here, "node_modules", source), file);
  const content = readFileSync(file);
  const gzipped = gzipSync(content, { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(`${file}.gz`, gzipped);
  console.log(`static/${name}  ${content.length} bytes, ${gzipped.length} gzipped  (${source})`);
}
