// Copies the YASGUI editor from node_modules into sparql_api/web/static/vendor/yasgui/, where the app serves it.
// The bundle is prebuilt by its publisher (MIT licence); nothing is fetched at run time.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "node_modules", "@zazuko", "yasgui");
const target = join(here, "..", "static", "vendor", "yasgui");
const manifest = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));

mkdirSync(target, { recursive: true });
for (const name of ["yasgui.min.js", "yasgui.min.css"]) {
  copyFileSync(join(source, "build", name), join(target, name));
}
// The app reads this file to know the build is there (and which version it serves).
writeFileSync(
  join(target, "build.json"),
  JSON.stringify({ package: manifest.name, version: manifest.version, license: manifest.license }, null, 2) + "\n",
);
console.log(`copied ${manifest.name} ${manifest.version} to ${target}`);
