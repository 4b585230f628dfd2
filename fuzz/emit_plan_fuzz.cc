// Fuzzes Kubernetes emission with plan files from outside (`ecotone emit
// k8s --plan`): any plan text gives objects or an error, never a crash, and
// the YAML emitted always parses back with the same number of documents
// (zone, rack and host names end up in labels, names and quoted strings).
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ecotone/kubernetes/emit.h"
#include "ecotone/manifest/infra.h"

namespace {

// The ecosystem of testdata/infra/plan-3zones.json: web -> db.
ecotone::model::Ecosystem Demo() {
  ecotone::model::Ecosystem e;
  e.name = "demo";
  e.source_format = "ecotone";
  ecotone::model::Component web;
  web.name = "web";
  web.image = "nginx:1.25";
  web.replicas = {1, 4, 2};
  web.ports = {{8080, "http", "http"}};
  ecotone::model::Component db;
  db.name = "db";
  db.kind = ecotone::model::ComponentKind::kDatabase;
  db.stateful = true;
  db.image = "postgres:16";
  e.components = {web, db};
  ecotone::model::Dependency d;
  d.from = "web";
  d.to = "db";
  d.kind = ecotone::model::DependencyKind::kDatabase;
  e.dependencies = {d};
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ecotone::model::Ecosystem eco = Demo();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto plan = ecotone::manifest::ReadPlan("fuzz.json", text);
  if (!plan.ok()) return 0;
  ecotone::kubernetes::EmitOptions opt;
  opt.plan_file = "fuzz.json";
  opt.isolate.push_back({"db", {"web"}, "isolate", "", 0, {}});
  auto em = ecotone::kubernetes::Emit(eco, *plan, opt);
  if (!em.ok()) return 0;
  std::string yaml = ecotone::kubernetes::ToYamlStream(*em);
  try {
    if (YAML::LoadAll(yaml).size() != em->objects.size()) std::abort();
  } catch (const YAML::Exception&) {
    std::abort();
  }
  return 0;
}
