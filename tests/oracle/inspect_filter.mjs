// Inspect's filter semantics, for tests: the real filtrex evaluates each filter against
// each sample with variables bound the way Inspect's viewer binds them (its filters.ts,
// reimplemented here from sample summaries, not from evallens' frame).
// stdin: {"filtrex": "<path to filtrex's esm build>", "samples": [summary...], "filters": [text...]}
// stdout: one {"matches": [index...], "errors": n, "message": text|null} per filter.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const input = JSON.parse(readFileSync(0, "utf8"));
const { compileExpression } = await import(pathToFileURL(input.filtrex).href);

const builtins = new Set(["epoch", "has_error", "has_limit", "has_retries", "completed", "id",
  "uuid", "input", "target", "answer", "error", "limit", "retries", "tokens", "duration",
  "metadata"]);

const inputString = (value) =>
  typeof value === "string"
    ? [value]
    : value.map((m) =>
        typeof m === "string" ? m : typeof m.content === "string" ? m.content
          : m.content.map((c) => (c.type === "text" ? c.text : "")).join("\n"));

// Score labels in first-seen order, and which are boolean (Inspect coerces those).
const labels = [];
const seen = new Map();
for (const s of input.samples) {
  for (const [scorer, score] of Object.entries(s.scores ?? {})) {
    const entries = score.value !== null && typeof score.value === "object"
      ? Object.entries(score.value) : [[scorer, score.value]];
    for (const [name, value] of entries) {
      const key = `${scorer}\u0000${name}`;
      if (!seen.has(key)) { seen.set(key, []); labels.push({ scorer, name }); }
      seen.get(key).push(value);
    }
  }
}
const isBoolean = (scorer, name) => {
  const values = (seen.get(`${scorer}\u0000${name}`) ?? []).filter((v) => v !== null && v !== undefined);
  return values.length > 0 && values.every((v) => typeof v === "boolean");
};
const banned = new Set(builtins);
const used = new Set();
for (const { scorer, name } of labels) {
  banned.add(scorer);
  if (used.has(name)) banned.add(name); else used.add(name);
}
const supported = (v) => ["string", "number", "boolean"].includes(typeof v) || v === null;

function scoreVariables(sample) {
  const vars = {};
  const add = (variable, scorer, name, value) => {
    const coerced = isBoolean(scorer, name) ? Boolean(value) : value;
    if (supported(coerced)) vars[variable] = coerced;
  };
  for (const [scorer, score] of Object.entries(sample.scores ?? {})) {
    if (!builtins.has(scorer)) add(scorer, scorer, scorer, score.value);
    if (typeof score.value === "object" && score.value !== null) {
      for (const [name, value] of Object.entries(score.value)) {
        add(`${scorer}.${name}`, scorer, name, value);
        if (!banned.has(name)) add(name, scorer, name, value);
      }
    }
  }
  return vars;
}

function sampleVariables(sample) {
  const firstScore = Object.values(sample.scores ?? {})[0];
  const usage = sample.model_usage;
  return {
    epoch: sample.epoch,
    has_error: !!sample.error,
    has_limit: !!sample.limit,
    has_retries: sample.retries !== undefined && sample.retries !== null && sample.retries > 0,
    completed: sample.completed ?? true,
    id: sample.id,
    uuid: sample.uuid ?? null,
    input: inputString(sample.input).join(" "),
    target: (Array.isArray(sample.target) ? sample.target : [sample.target ?? ""]).join(", "),
    answer: labels.length ? (firstScore?.answer || "") : null,
    error: sample.error ?? null,
    limit: sample.limit ?? null,
    retries: sample.retries ?? 0,
    tokens: usage ? Object.values(usage).reduce((n, u) => n + (u.total_tokens ?? 0), 0) : null,
    duration: sample.total_time ?? null,
    metadata: sample.metadata,
  };
}

const nested = (obj, path) => {
  let current = obj;
  for (const key of path.split(".")) {
    if (current && typeof current === "object" && key in current) current = current[key];
    else return undefined;
  }
  return current;
};

function matches(sample, text) {
  const firstScore = Object.values(sample.scores ?? {})[0];
  const re = (regex) => new RegExp(regex, "i");
  const extraFunctions = {
    input_contains: (r) => inputString(sample.input).some((m) => m.match(re(r))),
    target_contains: (r) =>
      (Array.isArray(sample.target) ? sample.target : [sample.target]).some((t) => t.match(re(r))),
    error_contains: (r) => !!sample.error?.match(re(r)),
    answer_contains: (r) => !!firstScore?.answer?.match(re(r)),
    is_nan: (v) => typeof v === "number" && Number.isNaN(v),
  };
  const own = sampleVariables(sample);
  const vars = { ...own, ...scoreVariables(sample) };
  const customProp = (name, get) => {
    if (name in own) return get(name);
    if (name.startsWith("metadata.")) return nested(sample.metadata || {}, name.slice(9));
    return sample.error ? undefined : get(name);
  };
  try {
    const fn = compileExpression(text, {
      extraFunctions, constants: { True: true, False: false, None: null }, customProp,
    });
    const result = fn(vars);
    if (typeof result === "boolean") return { matches: result };
    return { matches: false, error: result instanceof Error ? result.message : "not boolean" };
  } catch (error) {
    return { matches: false, error: error.message };
  }
}

const out = input.filters.map((text) => {
  const hits = [];
  let errors = 0;
  let message = null;
  input.samples.forEach((sample, i) => {
    const r = matches(sample, text);
    if (r.matches) hits.push(i);
    if (r.error) { errors++; message ??= r.error; }
  });
  return { matches: hits, errors, message };
});
process.stdout.write(JSON.stringify(out));
