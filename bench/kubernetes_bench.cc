// Kubernetes reader benchmarks (Google Benchmark). Never run as tests.
//
//   BM_YamlParseOnly/N   baseline: yaml-cpp parsing the generated text
//                        (YAML::LoadAll), what any reader must pay.
//   BM_ReadKubernetes/N  ReadKubernetes on the same text: parse, workloads,
//                        Services (label index), ConfigMaps, inference.
//
// The input has N Deployments in one namespace, each with a Service selecting
// it by an `app` label (shared `tier` label on all, so selectors must use the
// index), env values naming 3 other Services and one ConfigMap reference.
// Report: time per N for both, and the ratio ReadKubernetes / parse-only at
// each N (a constant ratio means the reader is linear like the parser).
// Run: build-*/bench/kubernetes_bench --benchmark_min_time=0.2
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "ecotone/manifest/manifest.h"

namespace {

std::string Generate(int n) {
  std::string out;
  out.reserve(static_cast<size_t>(n) * 1100);
  out +=
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\ndata:\n"
      "  DB: \"postgres://u:p@svc-0:5432/x\"\n";
  for (int i = 0; i < n; ++i) {
    std::string name = "svc-" + std::to_string(i);
    auto peer = [&](int k) { return "svc-" + std::to_string((i + k) % n); };
    out +=
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w-" +
        std::to_string(i) +
        "\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: " + name +
        "}\n  template:\n    metadata:\n      labels: {app: " + name +
        ", tier: backend}\n    spec:\n      containers:\n        - name: "
        "main\n          image: example/app:1.0\n          ports: "
        "[{containerPort: 8080}]\n          env:\n            - {name: A, "
        "value: \"" +
        peer(1) + ":8080\"}\n            - {name: B, value: \"http://" +
        peer(7) +
        ".default.svc.cluster.local/x\"}\n            - {name: C, "
        "value: \"" +
        peer(13) +
        "\"}\n            - name: DB\n              valueFrom: "
        "{configMapKeyRef: {name: shared, key: DB}}\n          resources:\n"
        "            requests: {cpu: 100m, memory: 128Mi}\n"
        "            limits: {cpu: 500m, memory: 256Mi}\n";
    out += "---\napiVersion: v1\nkind: Service\nmetadata: {name: " + name +
           "}\nspec:\n  selector: {app: " + name +
           ", tier: backend}\n  ports: [{port: 8080}]\n";
  }
  return out;
}

void BM_YamlParseOnly(benchmark::State& state) {
  std::string text = Generate(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto docs = YAML::LoadAll(text);
    benchmark::DoNotOptimize(docs);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(text.size()));
}

void BM_ReadKubernetes(benchmark::State& state) {
  std::string text = Generate(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto r = ecotone::manifest::ReadKubernetes({"bench.yaml"}, {text}, {});
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(text.size()));
}

BENCHMARK(BM_YamlParseOnly)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadKubernetes)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
