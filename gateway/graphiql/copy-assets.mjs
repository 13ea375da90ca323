// Copies GraphiQL's browser files (listed in assets.json: served name -> file under
// node_modules) from `npm ci`'s node_modules into static/, which the gateway serves at
// /graphiql/static/. Run from this folder after `npm ci` (the Makefile and the
// Dockerfile do). Node's standard library only.
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const assets = JSON.parse(readFileSync(join(here, "assets.json"), "utf8"));
const target = join(here, "static");
rmSync(target, { recursive: true, force: true });
mkdirSync(target);
for (const [name, source] of Object.entries(assets)) {
  copyFileSync(join(here, "node_modules", source), join(target, name));
  console.log(`static/${name}  ${statSync(join(target, name)).size} bytes  (${source})`);
}
