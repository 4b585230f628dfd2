// For each partial object (patch) in PATCH_DIR, writes the user's object it
// applies to (same apiVersion group, kind, namespace and name), found in the
// manifest files, to OUT_DIR/<patch file name>. Exits 1 when a patch has no
// user object.
// Usage: node originals.mjs PATCH_DIR OUT_DIR MANIFEST...
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";

const [patchDir, outDir, ...manifests] = process.argv.slice(2);
const index = new Map();
const key = (o) =>
  `${o.kind}/${o.metadata?.namespace ?? "default"}/${o.metadata?.name}`;
function add(o) {
  if (!o || typeof o !== "object") return;
  if (o.kind?.endsWith("List") && Array.isArray(o.items)) o.items.forEach(add);
  else if (o.kind) index.set(key(o), o);
}
for (const m of manifests)
  for (const doc of yaml.loadAll(fs.readFileSync(m, "utf8"))) add(doc);
fs.mkdirSync(outDir, { recursive: true });
let missing = 0;
for (const f of fs.readdirSync(patchDir).sort()) {
  const patch = yaml.load(fs.readFileSync(path.join(patchDir, f), "utf8"));
  const orig = index.get(key(patch));
  if (!orig) {
    console.log(`${f}: no user object ${key(patch)}`);
    missing++;
    continue;
  }
  fs.writeFileSync(path.join(outDir, f), yaml.dump(orig));
}
process.exit(missing ? 1 : 0);
