// proximity_bench: does proximity matter? For every real manifest in
// ../shared/data/manifests, places the ecosystem on a 3-zone infrastructure
// with equal prices in every zone (examples/infra-3zones-uniform.yaml, so the
// resource cost of any complete plan is the same) twice:
//   ecotone — placement::PlaceEcosystem (heuristic, fixed iteration budget);
//   spread  — placement::SpreadAssignment, a proximity-blind spread plan as
//             the default Kubernetes scheduler makes (topology spread over
//             zones, least-allocated bins), evaluated with the same model.
// and prints, per manifest and for two replica settings (as declared; every
// component with 3 replicas spread over 3 zones), the proximity-weighted
// cross-zone traffic Σ proximity × cross-zone share of both plans, their
// resource cost per hour and the ratio. Not a test; run by hand:
//   build/bench/proximity_bench [--iterations N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ecotone/manifest/infra.h"
#include "ecotone/manifest/manifest.h"
#include "ecotone/placement/ecosystem_problem.h"

namespace {

struct Input {
  std::string name;
  std::vector<std::string> files;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace ecotone;
  int64_t iterations = 20000;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--iterations") == 0)
      iterations = std::atoll(argv[i + 1]);
  const std::string m = std::string(ECOTONE_SHARED_DATA) + "/manifests/";
  const std::vector<Input> inputs = {
      {"online-boutique (k8s)",
       {m + "online-boutique/kubernetes-manifests.yaml"}},
      {"socialnetwork (compose)",
       {m + "deathstarbench-socialnetwork/docker-compose.yml"}},
      {"hotelreservation (compose)",
       {m + "deathstarbench-hotelreservation/docker-compose.yml"}},
      {"teastore (compose)", {m + "teastore/docker-compose_default.yaml"}},
      {"teastore (k8s)", {m + "teastore/teastore-clusterip.yaml"}},
      {"train-ticket (compose)", {m + "train-ticket/docker-compose.yml"}},
      {"train-ticket (k8s)",
       {m + "train-ticket/quickstart-ts-deployment-part1.yml",
        m + "train-ticket/quickstart-ts-deployment-part2.yml",
        m + "train-ticket/quickstart-ts-deployment-part3.yml"}},
      {"eshoponcontainers (compose)",
       {m + "eshoponcontainers/docker-compose.yml",
        m + "eshoponcontainers/docker-compose.override.yml"}},
      {"nginx-flask-mysql (compose)",
       {m + "awesome-compose-nginx-flask-mysql/compose.yaml"}},
      {"react-express-mongodb (compose)",
       {m + "awesome-compose-react-express-mongodb/compose.yaml"}},
      {"wasmedge-kafka-mysql (compose)",
       {m + "awesome-compose-wasmedge-kafka-mysql/compose.yml"}},
      {"example-voting-app (compose)",
       {m + "example-voting-app/docker-compose.yml"}},
  };
  auto topo = manifest::LoadInfraFile(std::string(ECOTONE_SOURCE_DIR) +
                                      "/examples/infra-3zones-uniform.yaml");
  if (!topo.ok()) {
    std::fprintf(stderr, "%s\n", topo.status().ToString().c_str());
    return 2;
  }
  std::printf("%-32s %-9s %5s %6s %5s | %9s %9s %7s | %9s %9s | %6s\n",
              "manifest", "replicas", "comps", "items", "pairs", "xz-ecot",
              "xz-spread", "ratio", "res-ecot", "res-sprd", "secs");
  double sum_e = 0, sum_s = 0;
  for (const Input& in : inputs) {
    auto lr = manifest::LoadFiles(in.files, {});
    if (!lr.ok()) {
      std::printf("%-32s read error: %s\n", in.name.c_str(),
                  lr.status().ToString().c_str());
      continue;
    }
    for (int mode = 0; mode < 2; ++mode) {
      model::Ecosystem eco = lr->ecosystem;
      if (mode == 1) {
        for (auto& c : eco.components) {
          c.replicas.initial = c.replicas.max = 3;
          c.placement.spread_min_zones = 3;
        }
      }
      placement::EcosystemOptions eo;
      auto ep = placement::BuildEcosystemProblem(eco, *topo, nullptr, eo);
      if (!ep.ok()) {
        std::printf("%-32s %s\n", in.name.c_str(),
                    ep.status().ToString().c_str());
        continue;
      }
      placement::SolveOptions so;
      so.seed = 1;
      so.max_iterations = iterations;
      so.time_limit_s = 60;
      auto e =
          placement::PlaceEcosystem(eco, *topo, nullptr, eo, so, "heuristic");
      auto s = placement::EvaluateAssignment(
          *ep, placement::SpreadAssignment(*ep), eco, *topo, nullptr, eo);
      if (!e.ok() || !s.ok()) {
        std::printf("%-32s failed\n", in.name.c_str());
        continue;
      }
      double xe = e->cross_zone_proximity, xs = s->cross_zone_proximity;
      sum_e += xe;
      sum_s += xs;
      char ratio[32];
      if (xs > 0)
        std::snprintf(ratio, sizeof ratio, "%.3f", xe / xs);
      else
        std::snprintf(ratio, sizeof ratio, "-");
      std::printf(
          "%-32s %-9s %5zu %6d %5zu | %9.4f %9.4f %7s | %9.4f %9.4f | "
          "%6.2f%s\n",
          in.name.c_str(), mode == 0 ? "declared" : "3/3zones",
          eco.components.size(), ep->problem.num_items, ep->pairs.size(), xe,
          xs, ratio, e->costs.resource, s->costs.resource, e->seconds,
          (e->status == placement::SolveOutcome::kFeasible ||
           e->status == placement::SolveOutcome::kOptimal)
              ? ""
              : " (ecotone: no plan)");
    }
  }
  std::printf(
      "\ntotal proximity-weighted cross-zone traffic: ecotone %.4f, "
      "spread %.4f (ratio %.3f)\n",
      sum_e, sum_s, sum_s > 0 ? sum_e / sum_s : 0.0);
  std::printf(
      "xz = sum over dependent pairs of proximity x share of partner "
      "replica pairs in different zones; res = resource cost per "
      "hour (equal prices: equal by construction)\n");
  return 0;
}
