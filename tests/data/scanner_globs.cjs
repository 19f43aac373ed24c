// Writes scanner_globs.json: [pattern, name, matches] as picomatch answers them, the matcher
// Inspect's viewer uses for scanner_result_view keys (options nobrace, nonegate, noextglob).
//   node scanner_globs.cjs "$(realpath ../../widget/node_modules/picomatch)" > scanner_globs.json
// (picomatch 4.0.4 and 4.0.7 give the same file.)
// Regex-leaking syntax ((, |, + after a token), leading "./" and "."/".." segments are left
// out, and so are an unclosed "[" (picomatch lets it span a "/") and "$$" (picomatch turns it
// into one "$", a JavaScript replace() quirk): Inspect's bounded matcher reads these literally.
const pm = require(process.argv[2]);
const o = { nobrace: true, nonegate: true, noextglob: true };
let seed = 12345;
const rand = (n) => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return (seed >>> 8) % n; };
const pick = (a) => a[rand(a.length)];
const patTokens = ["a", "b", "_", ".", "-", "*", "?", "[ab]", "[^a]", "[!a]", "[a-c]", "[.]", "\\*", "{", ",", "]", "!"];
const nameChars = ["a", "b", "c", "_", ".", "-", "!", "*", "$", "{", ",", "]", "["];
const instance = { "*": () => pick(["", "a", "bc", "._"]), "?": () => pick(["a", "."]), "[ab]": () => pick(["a", "b"]),
  "[^a]": () => pick(["b", "."]), "[!a]": () => pick(["!", "a"]), "[a-c]": () => pick(["b", "c"]), "[.]": () => ".", "\\*": () => "*" };
function segPattern() {
  if (rand(6) === 0) return ["**"];
  const t = []; const n = 1 + rand(3);
  for (let i = 0; i < n; i++) t.push(pick(patTokens));
  return t;
}
function segName() { let s = ""; const n = 1 + rand(3); for (let i = 0; i < n; i++) s += pick(nameChars); return s; }
function nameFrom(ps) {
  const out = [];
  for (const t of ps) {
    if (t.length === 1 && t[0] === "**") { const k = rand(3); for (let i = 0; i < k; i++) out.push(segName()); continue; }
    out.push(t.map((x) => (instance[x] ? instance[x]() : x)).join(""));
  }
  return out.join("/");
}
const seen = new Set(); const cases = [];
while (cases.length < 2000) {
  const ps = []; const np = 1 + rand(3); for (let i = 0; i < np; i++) ps.push(segPattern());
  const p = ps.map((t) => t.join("")).join("/");
  let n;
  if (rand(2) === 0) n = nameFrom(ps); else { const ns = []; const nn = 1 + rand(3); for (let i = 0; i < nn; i++) ns.push(segName()); n = ns.join("/"); }
  if (!n || p.startsWith("./") || /(^|\/)\.{1,2}(\/|$)/.test(n) || /(^|\/)(\/|$)/.test(n)) continue;
  const key = p + "\u0000" + n; if (seen.has(key)) continue; seen.add(key);
  cases.push([p, n, pm.isMatch(n, p, o)]);
}
process.stdout.write(`[\n${cases.map((c) => JSON.stringify(c)).join(",\n")}\n]\n`);
