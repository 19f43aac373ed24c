// Bundle each widget's entry (src/<name>/index.ts) into one self-contained ES module
// in the Python package's static/ folder: every dependency inside, minified, no CDN.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const outdir = join("..", "src", "evallens", "static");
mkdirSync(outdir, { recursive: true });
const entries = readdirSync("src", { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join("src", d.name, "index.ts")))
  .map((d) => d.name);

for (const name of entries) {
  await build({
    entryPoints: [join("src", name, "index.ts")],
    bundle: true,
    format: "esm",
    minify: true,
    target: "es2020",
    outfile: join(outdir, `${name}.js`),
    legalComments: "none",
    logLevel: "warning",
  });
  // Each widget's stylesheet is the shared theme followed by its own rules.
  const own = join("src", name, `${name}.css`);
  const parts = [join("src", "shared", "theme.css"), own].filter(existsSync);
  writeFileSync(join(outdir, `${name}.css`), parts.map((p) => readFileSync(p, "utf8")).join("\n"));
}
console.log(`built ${entries.join(", ")} into ${outdir}`);
