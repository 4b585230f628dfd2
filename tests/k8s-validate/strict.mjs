// Unknown-field check that kubernetes-models' validate() lacks (it accepts
// `imagee:`): walks an object along the TypeScript interfaces the package
// ships (generated from the same OpenAPI spec) and returns the paths of
// fields no interface declares. Maps ({[key: string]: ...}), primitives and
// types it cannot resolve are not descended into.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const modules = path.join(path.dirname(fileURLToPath(import.meta.url)), "node_modules");
const cache = new Map();

// Parses the first `export interface` of a .d.ts file: field -> type text,
// and imported type names -> their .d.ts files.
function load(file) {
  if (cache.has(file)) return cache.get(file);
  let info = null;
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, "utf8");
    const imports = new Map();
    for (const m of text.matchAll(/import \{ ([^}]+) \} from "([^"]+)";/g)) {
      let target = m[2];
      target = target.startsWith(".")
        ? path.resolve(path.dirname(file), target)
        : path.join(modules, target);
      target = target.replace(/\.js$/, "") + ".d.ts";
      for (const name of m[1].split(",").map((s) => s.trim()))
        imports.set(name, target);
    }
    const start = text.search(/^export interface \w+/m);
    if (start >= 0) {
      const body = text.slice(start).split("\n");
      const fields = new Map();
      for (const line of body.slice(1)) {
        if (line.startsWith("}")) break;
        const f = line.match(/^    "([^"]+)"\??: (.*?);?$/);
        if (f) fields.set(f[1], f[2]);
      }
      info = { fields, imports };
    }
  }
  cache.set(file, info);
  return info;
}

function walk(value, file, where, out) {
  const info = load(file);
  if (!info || value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const type = info.fields.get(key);
    if (type === undefined) {
      out.push(`${where}/${key}`);
      continue;
    }
    const arr = type.match(/^Array<(\w+)>$/);
    const name = arr ? arr[1] : type;
    const target = info.imports.get(name);
    if (!target) continue;  // primitive, literal, map or unknown: stop.
    if (arr && Array.isArray(child))
      child.forEach((c, i) => walk(c, target, `${where}/${key}/${i}`, out));
    else if (!arr) walk(child, target, `${where}/${key}`, out);
  }
}

// Paths of undeclared fields of a top-level object, or null when its
// apiVersion/kind has no interface in the package.
export function unknownFields(doc) {
  const [g, v] = doc.apiVersion.includes("/") ? doc.apiVersion.split("/") : ["", doc.apiVersion];
  const file = path.join(modules, "kubernetes-models", g, v, `${doc.kind}.d.ts`);
  if (!load(file)) return null;
  const out = [];
  walk(doc, file, "", out);
  return out;
}
