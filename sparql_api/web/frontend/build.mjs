// Copies the front-end bundles from node_modules into sparql_api/web/static/vendor/, where the app serves them:
// the YASGUI editor (query page) and Swagger UI (the API documentation at /docs). Both are prebuilt by their
// publishers (MIT, Apache-2.0); nothing is fetched at run time, so the pages work offline.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bundles = [
  { name: "yasgui", source: join("@zazuko", "yasgui"), files: ["build/yasgui.min.js", "build/yasgui.min.css"] },
  {
    name: "swagger-ui",
    source: "swagger-ui-dist",
    // The bundle (no source map: it points at files we do not ship), its stylesheet, the licence and notice.
    files: ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"],
  },
];

for (const bundle of bundles) {
  const source = join(here, "node_modules", bundle.source);
  const target = join(here, "..", "static", "vendor", bundle.name);
  const manifest = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
  mkdirSync(target, { recursive: true });
  for (const file of bundle.files) {
    copyFileSync(join(source, file), join(target, file.split("/").pop()));
  }
  // The app reads this file to know the build is there (and which version it serves); written last.
  writeFileSync(
    join(target, "build.json"),
    JSON.stringify({ package: manifest.name, version: manifest.version, license: manifest.license }, null, 2) + "\n",
  );
  console.log(`copied ${manifest.name} ${manifest.version} to ${target}`);
}
