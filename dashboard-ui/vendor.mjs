// Copies the charting library the operations-centre page uses, with its licences,
// from node_modules into the app's static folder. Run after `npm ci`:
//   cd dashboard-ui && npm ci && npm run vendor
// The copied files are committed, so running the service needs no npm.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "app", "dashboard", "static", "vendor");
const files = [
  ["chart.js/dist/chart.umd.min.js", "chart.umd.min.js"],
  ["chart.js/LICENSE.md", "LICENSE-chart.js.md"],
  // @kurkle/color is bundled inside chart.umd.min.js
  ["@kurkle/color/LICENSE.md", "LICENSE-kurkle-color.md"],
];

mkdirSync(target, { recursive: true });
const lines = [];
for (const [source, name] of files) {
  const from = join(here, "node_modules", source);
  copyFileSync(from, join(target, name));
  const sha256 = createHash("sha256").update(readFileSync(from)).digest("hex");
  lines.push(`${sha256}  ${name}`);
}
const version = JSON.parse(readFileSync(join(here, "node_modules/chart.js/package.json"))).version;
writeFileSync(join(target, "VERSIONS.txt"), `chart.js ${version}\n` + lines.join("\n") + "\n");
console.log(`vendored chart.js ${version} into ${target}`);
