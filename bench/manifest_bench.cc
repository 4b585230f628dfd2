// Benchmarks of the manifest readers on a generated Compose file shaped like
// the end-to-end target (N services, 5 dependencies each: half depends_on,
// half URLs in environment values; every tenth service a database image).
//
//   BM_YamlCppParse/N   baseline: yaml-cpp YAML::Load of the text (what the
//                       reader used before; kept for the ratio).
//   BM_ComposeDom/N     libyaml event parse into the reader's document model.
//   BM_ReadCompose/N    the whole Compose reader: parse, merge, interpolate,
//                       components, HostIndex, inference, evidence.
//
// Compare BM_ReadCompose/10000 with BM_YamlCppParse/10000 of the same run:
// the ratio is what the reader costs relative to a bare yaml-cpp parse.
// Run: build-*/bench/manifest_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <string>

#include "ecotone/manifest/manifest.h"
#include "manifest/compose_yaml.h"

namespace {

std::string Generate(int n) {
  std::string out = "name: bench\nservices:\n";
  out.reserve(static_cast<size_t>(n) * 260);
  for (int i = 0; i < n; ++i) {
    std::string s = "svc-" + std::to_string(i);
    out += "  " + s + ":\n";
    out += i % 10 == 9 ? "    image: postgres:16\n"
                       : "    image: example/" + s + ":1.0\n";
    out += "    ports: [\"8080\"]\n";
    out += "    deploy:\n      replicas: 2\n      resources:\n";
    out += "        limits: {cpus: '0.5', memory: 256M}\n";
    int t[5];
    for (int k = 0; k < 5; ++k) t[k] = (i + 1 + k * 7) % n;
    out += "    depends_on:\n";
    for (int k = 0; k < 5; k += 2)
      out += "      - svc-" + std::to_string(t[k]) + "\n";
    out += "    environment:\n";
    for (int k = 1; k < 5; k += 2)
      out += "      URL_" + std::to_string(k) + ": http://svc-" +
             std::to_string(t[k]) + ":8080/api\n";
  }
  return out;
}

void BM_YamlCppParse(benchmark::State& state) {
  std::string text = Generate(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    YAML::Node n = YAML::Load(text);
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(state.iterations() * text.size());
  state.counters["services"] = static_cast<double>(state.range(0));
}

void BM_ComposeDom(benchmark::State& state) {
  std::string text = Generate(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto doc = ecotone::manifest::compose::YamlDocument::Parse(text, "gen.yml");
    if (!doc.ok()) state.SkipWithError(doc.status().ToString().c_str());
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}

void BM_ReadCompose(benchmark::State& state) {
  std::vector<std::string> texts = {Generate(static_cast<int>(state.range(0)))};
  std::vector<std::string> names = {"/nonexistent/gen.yml"};
  size_t deps = 0;
  for (auto _ : state) {
    auto r = ecotone::manifest::ReadCompose(names, texts, {});
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    deps = r->ecosystem.dependencies.size();
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(state.iterations() * texts[0].size());
  state.counters["dependencies"] = static_cast<double>(deps);
}

BENCHMARK(BM_YamlCppParse)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ComposeDom)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadCompose)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
