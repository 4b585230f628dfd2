// `ecotone place --manifest FILE... --infra INFRA [--current PLAN.json]`:
// reads the ecosystem and the infrastructure, places (or incrementally
// re-places) and prints the plan as text or JSON (docs/placement.md, "Output").
#include "cmd_place_manifest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli.h"
#include "ecotone/manifest/infra.h"
#include "ecotone/manifest/manifest.h"
#include "ecotone/model/units.h"
#include "ecotone/placement/ecosystem_problem.h"
#include "ecotone/placement/plugin.h"
#include "ecotone/placement/replace.h"

namespace ecotone::cli {
namespace {

using nlohmann::ordered_json;
using placement::EcosystemPlacement;
using placement::SolveOutcome;

// JSON has no infinity: unknown bounds and gaps are null.
ordered_json Num(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

ordered_json ResourcesJson(const model::Resources& r) {
  ordered_json j;
  j["cpu_millicores"] = r.cpu_millicores;
  j["memory_bytes"] = r.memory_bytes;
  j["bandwidth_bps"] = r.bandwidth_bps;
  j["storage_bytes"] = r.storage_bytes;
  return j;
}

ordered_json ToJson(const EcosystemPlacement& p, bool has_current) {
  ordered_json j;
  j["status"] = std::string(placement::SolveOutcomeName(p.status));
  j["objective"] = Num(p.objective);
  j["bound"] = Num(p.bound);
  j["gap"] = Num(p.gap);
  j["model_objective"] = Num(p.model_objective);
  j["bound_method"] = p.bound_method;
  j["solver"] = p.solver;
  j["seconds"] = p.seconds;
  j["ecosystem"] = p.plan.ecosystem;
  j["infra"] = p.plan.infra;
  j["metadata"] = p.plan.metadata;
  ordered_json as = ordered_json::array();
  for (const auto& a : p.plan.assignments) {
    ordered_json e;
    e["component"] = a.component;
    e["replica"] = a.replica;
    e["zone"] = a.zone;
    if (!a.rack.empty()) e["rack"] = a.rack;
    if (!a.host.empty()) e["host"] = a.host;
    as.push_back(std::move(e));
  }
  j["assignments"] = std::move(as);
  ordered_json costs;
  costs["resource"] = p.costs.resource;
  costs["proximity"] = p.costs.proximity;
  costs["egress"] = p.costs.egress;
  costs["migration"] = p.costs.migration;
  costs["penalties"] = p.costs.penalties;
  ordered_json plugins = ordered_json::object();
  for (const auto& [name, v] : p.costs.plugins) plugins[name] = v;
  costs["plugins"] = std::move(plugins);
  costs["total"] = p.costs.total();
  costs["unit"] = "per hour";
  j["costs"] = std::move(costs);
  j["cross_zone_proximity"] = p.cross_zone_proximity;
  ordered_json zones = ordered_json::array();
  for (const auto& z : p.zones) {
    ordered_json e;
    e["zone"] = z.zone;
    e["state"] = z.state;
    e["replicas"] = z.replicas;
    e["utilisation"] = {{"cpu", z.utilisation[0]},
                        {"memory", z.utilisation[1]},
                        {"bandwidth", z.utilisation[2]},
                        {"storage", z.utilisation[3]}};
    e["used"] = ResourcesJson(z.used);
    e["capacity"] = ResourcesJson(z.capacity);
    zones.push_back(std::move(e));
  }
  j["zones"] = std::move(zones);
  ordered_json split = ordered_json::array();
  for (const auto& s : p.split_dependencies) {
    split.push_back({{"from", s.from},
                     {"to", s.to},
                     {"zones", s.zones},
                     {"proximity", s.proximity},
                     {"cross_zone_share", s.cross_zone_share}});
  }
  j["split_dependencies"] = std::move(split);
  j["binding_constraints"] = p.binding_constraints;
  ordered_json moves = ordered_json::array();
  for (const auto& m : p.delta.moves)
    moves.push_back({{"component", m.component},
                     {"replica", m.replica},
                     {"from", m.from},
                     {"to", m.to}});
  j["moves"] = std::move(moves);
  if (has_current) {
    ordered_json added = ordered_json::array(), removed = ordered_json::array();
    for (const auto& a : p.delta.added)
      added.push_back({{"component", a.component},
                       {"replica", a.replica},
                       {"to", a.PlaceString()}});
    for (const auto& a : p.delta.removed)
      removed.push_back({{"component", a.component},
                         {"replica", a.replica},
                         {"from", a.PlaceString()}});
    j["added"] = std::move(added);
    j["removed"] = std::move(removed);
    j["kept"] = p.kept;
  }
  if (p.status == SolveOutcome::kInfeasible ||
      p.status == SolveOutcome::kUnknown)
    j["infeasible"] = p.infeasible;
  if (!p.infeasible_reasons.empty())
    j["infeasible_reasons"] = p.infeasible_reasons;
  return j;
}

std::string Fixed(double v, int prec) {
  if (!std::isfinite(v)) return "-";
  std::ostringstream os;
  os << std::fixed << std::setprecision(prec) << v;
  return os.str();
}

void PrintText(const EcosystemPlacement& p, bool has_current,
               std::ostream& os) {
  os << "status: " << placement::SolveOutcomeName(p.status) << " (solver "
     << p.solver << ", " << Fixed(p.seconds, 3) << " s)\n";
  if (p.status == SolveOutcome::kInfeasible ||
      p.status == SolveOutcome::kUnknown) {
    if (p.infeasible_reasons.empty()) {
      os << "no placement: " << p.infeasible << "\n";
    } else {
      os << "no placement:\n";
      for (const auto& r : p.infeasible_reasons) os << "  - " << r << "\n";
    }
    os << "\nzone capacity (usable):\n";
    for (const auto& z : p.zones)
      os << "  " << std::left << std::setw(20) << z.zone << std::setw(12)
         << z.state << "cpu " << model::FormatCpu(z.capacity.cpu_millicores)
         << ", memory " << model::FormatBytes(z.capacity.memory_bytes) << "\n";
    return;
  }
  os << "objective: " << Fixed(p.objective, 4) << " per hour  (solver model "
     << Fixed(p.model_objective, 4) << ", bound " << Fixed(p.bound, 4)
     << ", gap " << Fixed(p.gap * 100, 2) << "%)\n";
  os << "costs: resource " << Fixed(p.costs.resource, 4) << ", proximity "
     << Fixed(p.costs.proximity, 4) << ", egress " << Fixed(p.costs.egress, 4)
     << ", migration " << Fixed(p.costs.migration, 4) << ", penalties "
     << Fixed(p.costs.penalties, 4);
  for (const auto& [name, v] : p.costs.plugins)
    os << ", " << name << " " << Fixed(v, 4);
  os << "\n";
  os << "replicas: " << p.plan.assignments.size()
     << ", proximity-weighted cross-zone traffic: "
     << Fixed(p.cross_zone_proximity, 4) << "\n\n";
  os << std::left << std::setw(20) << "ZONE" << std::setw(12) << "STATE"
     << std::right << std::setw(9) << "REPLICAS" << std::setw(8) << "CPU"
     << std::setw(8) << "MEM" << std::setw(8) << "NET" << std::setw(8) << "DISK"
     << "\n";
  for (const auto& z : p.zones) {
    os << std::left << std::setw(20) << z.zone << std::setw(12) << z.state
       << std::right << std::setw(9) << z.replicas;
    for (double u : z.utilisation)
      os << std::setw(7) << Fixed(u * 100, 1) << "%";
    os << "\n";
  }
  os << std::left;
  if (!p.split_dependencies.empty()) {
    os << "\nsplit dependencies (" << p.split_dependencies.size() << "):\n";
    size_t shown = 0;
    for (const auto& s : p.split_dependencies) {
      if (++shown > 20) {
        os << "  ... " << p.split_dependencies.size() - 20 << " more\n";
        break;
      }
      os << "  " << s.from << " -> " << s.to << "  proximity "
         << Fixed(s.proximity, 3) << ", " << Fixed(s.cross_zone_share * 100, 0)
         << "% cross-zone over";
      for (const auto& z : s.zones) os << " " << z;
      os << "\n";
    }
  }
  if (!p.binding_constraints.empty()) {
    os << "\nbinding constraints:\n";
    for (const auto& b : p.binding_constraints) os << "  " << b << "\n";
  }
  if (has_current) {
    os << "\nmoves relative to the current plan: " << p.delta.moves.size()
       << " (kept " << p.kept << ", added " << p.delta.added.size()
       << ", removed " << p.delta.removed.size() << ")\n";
    for (const auto& m : p.delta.moves)
      os << "  " << m.component << "#" << m.replica << ": " << m.from << " -> "
         << m.to << "\n";
  } else {
    os << "\nassignments:\n";
    for (const auto& a : p.plan.assignments)
      os << "  " << a.component << "#" << a.replica << "  " << a.PlaceString()
         << "\n";
  }
}

}  // namespace

void AddPlaceManifestOptions(CLI::App* place, PlaceManifestFlags* f) {
  place->add_option("--manifest", f->manifests,
                    "Manifest file(s) of the ecosystem to place (native, "
                    "Compose or Kubernetes)");
  place->add_option("--infra", f->infra,
                    "Infrastructure description (docs/infra.md)");
  place->add_option("--current", f->current,
                    "Current plan (the JSON of `place --output json`): "
                    "re-place incrementally and report moves");
  place->add_option("--format", f->format,
                    "Manifest format: auto|ecotone|compose|kubernetes");
  place
      ->add_option("--lambda", f->lambda,
                   "Weight of proximity x latency (cost per hour per "
                   "proximity-ms; default 0.01)")
      ->check(CLI::NonNegativeNumber);
  place
      ->add_option("--constraints", f->constraints,
                   "Constraint plugins to enable, comma-separated, in order "
                   "(default: capacity,unusable-capacity,allowed-zones,spread,"
                   "latency-budget; capacity is required)")
      ->delimiter(',');
  place
      ->add_option("--scorers", f->scorers,
                   "Cost-term plugins to enable, comma-separated, in order "
                   "(default: resource-price,proximity,egress,migration)")
      ->delimiter(',');
  place->add_flag("--full-replan", f->full_replan,
                  "With --current: re-optimise every replica (with migration "
                  "costs) instead of re-placing only the affected ones");
}

int RunPlaceManifest(const PlaceManifestFlags& f, const std::string& solver,
                     double time_limit_s, uint64_t seed,
                     const std::string& output) {
  if (f.manifests.empty())
    return ReportError(Status::InvalidArgument("--manifest is required"));
  if (f.infra.empty())
    return ReportError(
        Status::InvalidArgument("--infra is required with --manifest"));
  if (output != "text" && output != "json")
    return ReportError(Status::InvalidArgument(
        "--output must be text or json for --manifest"));
  {
    const placement::PluginRegistry& reg = placement::DefaultPluginRegistry();
    for (const auto& n : f.constraints)
      if (auto c = reg.CreateConstraint(n); !c.ok())
        return ReportError(Status::InvalidArgument(
            "--constraints: " + c.status().message()));
    for (const auto& n : f.scorers)
      if (auto c = reg.CreateScorer(n); !c.ok())
        return ReportError(
            Status::InvalidArgument("--scorers: " + c.status().message()));
    if (!f.constraints.empty() &&
        std::find(f.constraints.begin(), f.constraints.end(), "capacity") ==
            f.constraints.end())
      return ReportError(Status::InvalidArgument(
          "--constraints: the profile must include \"capacity\""));
  }
  auto loaded = LoadManifests(f.manifests, f.format);
  if (!loaded.ok()) return ReportError(loaded.status());
  const model::Ecosystem& eco = loaded->ecosystem;
  auto topo = manifest::LoadInfraFile(f.infra);
  if (!topo.ok()) return ReportError(topo.status());
  std::optional<model::PlacementPlan> current;
  if (!f.current.empty()) {
    auto plan = manifest::LoadPlanFile(f.current);
    if (!plan.ok()) return ReportError(plan.status());
    Status st = manifest::ValidatePlan(*plan, eco, *topo);
    if (!st.ok()) return ReportError(st);
    current = std::move(*plan);
  }
  placement::EcosystemOptions eo;
  eo.lambda = f.lambda;
  eo.constraints = f.constraints;
  eo.scorers = f.scorers;
  placement::SolveOptions so;
  so.time_limit_s = time_limit_s;
  so.seed = seed;
  so.max_iterations = f.iterations > 0 ? f.iterations : kDefaultIterations;
  Result<EcosystemPlacement> r = Status::Internal("not run");
  {
    StdoutToStderr quiet;  // Clp may printf to stdout (cli.h)
    if (current && !f.full_replan) {
      r = placement::Replace(eco, *topo, *current, eo, so, solver, nullptr);
    } else {
      r = placement::PlaceEcosystem(eco, *topo, current ? &*current : nullptr,
                                    eo, so, solver);
    }
  }
  if (!r.ok()) return ReportError(r.status());
  if (output == "json") {
    std::cout << ToJson(*r, current.has_value()).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    PrintText(*r, current.has_value(), std::cout);
  }
  return (r->status == SolveOutcome::kOptimal ||
          r->status == SolveOutcome::kFeasible)
             ? kExitOk
             : kExitProblems;
}

}  // namespace ecotone::cli
