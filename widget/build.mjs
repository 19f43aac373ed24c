// Bundle each widget's entry (src/<name>/index.ts) into one self-contained ES module
// in the Python package's static/ folder: every dependency inside, minified, no CDN.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const outdir = join("..", "src", "evallens", "static");
mkdirSync(outdir, { recursive: true });
/** The licence texts of the npm packages bundled from `inputs` (MIT and its kin ask that
 * copies keep them), as one comment for the end of the bundle; "" when there are none. */
function licenses(inputs) {
  const dirs = new Set();
  for (const p of inputs) {
    const at = p.lastIndexOf("node_modules/");
    if (at < 0) continue;
    const end = at + "node_modules/".length;
    const rest = p.slice(end).split("/");
    dirs.add(join(p.slice(0, end), ...rest.slice(0, rest[0].startsWith("@") ? 2 : 1)));
  }
  const texts = [...dirs].sort().flatMap((dir) => {
    const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
    if (!file) return [];
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const text = readFileSync(join(dir, file), "utf8").replaceAll("*/", "* /").trim();
    return [`${pkg.name} ${pkg.version} (${pkg.license})\n\n${text}`];
  });
  return texts.length ? `\n/*! Bundled third-party code:\n\n${texts.join("\n\n---\n\n")}\n*/\n` : "";
}

const entries = readdirSync("src", { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join("src", d.name, "index.ts")))
  .map((d) => d.name);

for (const name of entries) {
  const result = await build({
    entryPoints: [join("src", name, "index.ts")],
    bundle: true,
    format: "esm",
    minify: true,
    target: "es2020",
    outfile: join(outdir, `${name}.js`),
    legalComments: "none",
    logLevel: "warning",
    metafile: true,
  });
  // Each widget's stylesheet: the shared theme, the stylesheet of each shared module its
  // bundle imports (src/shared/scores.ts brings scores.css), then its own rules.
  const inputs = Object.keys(result.metafile.inputs);
  const shared = inputs
    .filter((p) => p.startsWith("src/shared/") && p.endsWith(".ts"))
    .sort()
    .map((p) => p.replace(/\.ts$/, ".css"));
  // Another widget's parts embedded in this one (the grid's detail panel holds the sample
  // view) bring that widget's stylesheet.
  const embedded = [...new Set(inputs.map((p) => p.split("/")[1]))]
    .filter((dir) => inputs.some((p) => p.startsWith(`src/${dir}/`)) && dir !== name && dir !== "shared")
    .sort()
    .map((dir) => join("src", dir, `${dir}.css`));
  const own = join("src", name, `${name}.css`);
  const parts = [...new Set([join("src", "shared", "theme.css"), ...shared, ...embedded, own])].filter(existsSync);
  writeFileSync(join(outdir, `${name}.css`), parts.map((p) => readFileSync(p, "utf8")).join("\n"));
  appendFileSync(join(outdir, `${name}.js`), licenses(inputs));
}
console.log(`built ${entries.join(", ")} into ${outdir}`);
