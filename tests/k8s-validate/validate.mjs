// Validates Kubernetes objects offline against the official schemas
// (kubernetes-models, generated from the Kubernetes OpenAPI spec), and
// rejects fields the schemas do not declare (strict.mjs), which
// kubernetes-models' own validate() lets through.
// Usage: node validate.mjs PATH...   PATH: a .yaml/.yml file or a directory
// (searched recursively for .yaml/.yml files).
// Prints one line per object and a closing "N passed, N failed" line; exits 1
// if any object is invalid or of an unknown apiVersion/kind, or if no object
// was found at all (an empty run proves nothing), 2 on unreadable input.
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { unknownFields } from "./strict.mjs";

function collect(p, out) {
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    for (const e of fs.readdirSync(p).sort()) collect(path.join(p, e), out);
  } else if (/\.ya?ml$/.test(p) || out.explicit.has(p)) {
    out.files.push(p);
  }
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: node validate.mjs FILE|DIR...");
  process.exit(2);
}
const found = { files: [], explicit: new Set(args) };
try {
  for (const a of args) collect(a, found);
} catch (e) {
  console.error(`validate.mjs: ${e.message}`);
  process.exit(2);
}

let passed = 0, failed = 0;
for (const file of found.files) {
  let docs;
  try {
    docs = yaml.loadAll(fs.readFileSync(file, "utf8"));
  } catch (e) {
    console.log(`${file}: YAML error: ${e.message}`);
    failed++;
    continue;
  }
  for (const doc of docs) {
    if (doc === null || doc === undefined) continue;
    const where = `${file}: ${doc.kind}/${doc.metadata?.name}`;
    if (typeof doc.apiVersion !== "string" || typeof doc.kind !== "string") {
      console.log(`${where}: INVALID: missing apiVersion or kind`);
      failed++;
      continue;
    }
    const [g, v] = doc.apiVersion.includes("/")
      ? doc.apiVersion.split("/")
      : ["", doc.apiVersion];
    let Cls;
    try {
      Cls = (await import(g ? `kubernetes-models/${g}/${v}`
                            : `kubernetes-models/${v}`))[doc.kind];
    } catch {}
    if (!Cls) {
      console.log(`${where}: unknown ${doc.apiVersion}/${doc.kind}`);
      failed++;
      continue;
    }
    try {
      new Cls(doc).validate();
      const unknown = unknownFields(doc) ?? [];
      if (unknown.length > 0) {
        console.log(`${where}: INVALID`);
        for (const u of unknown) console.log(`  ${u} is not a field of ${doc.kind}`);
        failed++;
        continue;
      }
      console.log(`${where}: OK`);
      passed++;
    } catch (e) {
      failed++;
      console.log(`${where}: INVALID`);
      for (const er of e.errors ?? [e])
        console.log(`  ${er.instancePath ?? ""} ${er.message}`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
