// placement_bench: the heuristic and CBC side by side on the GAP and GQAP
// benchmark instances with known optima / best-known values.
//
// For each instance (filtered by --filter, a substring or regex over
// "family/name"), runs
//   * the "heuristic" solver (construction + ILS, Lagrangian bound) and
//   * the "mip" solver (CBC 2.10, one thread; RLT-1 linearisation for GQAP)
//   * and/or the "choose" solver (heuristic, then reduced-cost fixing + CBC)
// under the same --time-limit, and prints objective, time to best, CBC's
// bound, and the gap of each to the known optimum (GAP:
// bounds_fontanf_data.csv, "Optimum" else "Best known solution value"; GQAP:
// best-known column of shared/data/placement/README.md). A summary line per
// family gives the mean gaps. Never run as a test: full runs take long.
//
// Usage: placement_bench [--data DIR] [--time-limit S] [--filter RE]
//                        [--solvers heuristic,mip,choose] [--seed N]
//                        [--option key=value]  (SolveOptions::extra)
// The choose columns: objective, gap to known, bound, "opt" when the solver
// proved optimality, and its wall time (the time to proof when "opt").
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "ecotone/instances/instances.h"
#include "ecotone/placement/solver.h"

namespace {

using ecotone::instances::KnownValue;
using ecotone::placement::Problem;
using ecotone::placement::Solution;
using ecotone::placement::SolveOptions;

struct Row {
  std::string family, name;
  double known = NAN;
  bool known_optimal = false;
  double h_obj = NAN, h_time = NAN, h_gap = NAN;
  double c_obj = NAN, c_bound = NAN, c_time = NAN, c_gap = NAN;
  // "choose": objective, gap to known, bound, whether proven optimal, wall s.
  double x_obj = NAN, x_gap = NAN, x_bound = NAN, x_time = NAN;
  bool x_optimal = false;
};

double GapTo(double obj, double known) {
  if (!std::isfinite(obj) || !std::isfinite(known)) return NAN;
  return 100.0 * (obj - known) / known;
}

std::string Fmt(double v, const char* f = "%.0f") {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = std::string(ECOTONE_SHARED_DATA) + "/placement";
  double limit = 10;
  std::string filter = ".*";
  std::string solvers = "heuristic,mip";
  uint64_t seed = 1;
  std::map<std::string, std::string> extra;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data")
      data = next();
    else if (a == "--time-limit")
      limit = std::stod(next());
    else if (a == "--filter")
      filter = next();
    else if (a == "--solvers")
      solvers = next();
    else if (a == "--seed")
      seed = std::stoull(next());
    else if (a == "--option") {  // key=value into SolveOptions::extra
      std::string kv = next();
      size_t eq = kv.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "--option wants key=value\n");
        return 2;
      }
      extra[kv.substr(0, eq)] = kv.substr(eq + 1);
    } else {
      std::fprintf(stderr,
                   "usage: placement_bench [--data DIR] [--time-limit S] "
                   "[--filter RE] [--solvers heuristic,mip,choose] [--seed N] "
                   "[--option key=value]\n");
      return 2;
    }
  }
  const bool run_h = solvers.find("heuristic") != std::string::npos;
  const bool run_c = solvers.find("mip") != std::string::npos;
  const bool run_x = solvers.find("choose") != std::string::npos;
  auto gap_known = ecotone::instances::ReadFontanfBounds(
      data + "/gap/bounds_fontanf_data.csv");
  auto gqap_known = ecotone::instances::ReadGqapBestKnown(data + "/README.md");
  if (!gap_known.ok() || !gqap_known.ok()) {
    std::fprintf(stderr, "cannot read known values: %s %s\n",
                 gap_known.status().ToString().c_str(),
                 gqap_known.status().ToString().c_str());
    return 2;
  }
  struct Inst {
    std::string family, name, path;
    bool gqap;
  };
  std::vector<Inst> list;
  for (const char* fam : {"cattrysse1994", "chu1997", "yagiura2004"}) {
    std::vector<std::string> names;
    for (auto& e : std::filesystem::directory_iterator(data + "/gap/" + fam)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    for (auto& n : names)
      list.push_back({fam, n, data + "/gap/" + fam + "/" + n, false});
  }
  {
    std::vector<std::string> names;
    for (auto& e :
         std::filesystem::directory_iterator(data + "/gqap/cordeau2006")) {
      std::string n = e.path().filename().string();
      if (n.size() > 4 && n.substr(n.size() - 4) == ".txt" &&
          n != "format.txt" && n != "source.txt") {
        names.push_back(n.substr(0, n.size() - 4));
      }
    }
    std::sort(names.begin(), names.end());
    for (auto& n : names) {
      list.push_back(
          {"cordeau2006", n, data + "/gqap/cordeau2006/" + n + ".txt", true});
    }
  }
  std::regex re(filter);
  std::printf("# time limit %.1f s per solver and instance, seed %llu\n", limit,
              static_cast<unsigned long long>(seed));
  std::printf("%-28s %5s %5s %10s | %10s %8s %7s | %10s %10s %8s %7s\n",
              "instance", "m", "n", "known", "heuristic", "gap%", "t_best",
              "cbc", "cbc_bound", "gap%", "time");
  if (run_x) {
    std::printf(
        "%-28s %5s %5s %10s | %10s %8s %7s | %10s %10s %8s %7s | %10s %8s %10s "
        "%4s %7s\n",
        "", "", "", "", "", "", "", "", "", "", "", "choose", "gap%", "bound",
        "st", "time");
  }
  std::vector<Row> rows;
  for (const Inst& in : list) {
    std::string key = in.family + "/" + in.name;
    if (!std::regex_search(key, re)) continue;
    auto problem = in.gqap ? ecotone::instances::ReadGqap(in.path)
                           : ecotone::instances::ReadGap(in.path);
    if (!problem.ok()) {
      std::printf("%-28s error: %s\n", key.c_str(),
                  problem.status().ToString().c_str());
      continue;
    }
    Row r;
    r.family = in.family;
    r.name = in.name;
    if (in.gqap) {
      auto it = gqap_known->find(in.name);
      if (it != gqap_known->end()) r.known = it->second.best_known;
    } else {
      auto it = gap_known->find(key);
      if (it != gap_known->end()) {
        r.known_optimal = std::isfinite(it->second.optimum);
        r.known = r.known_optimal ? it->second.optimum : it->second.best_known;
      }
    }
    SolveOptions o;
    o.time_limit_s = limit;
    o.seed = seed;
    o.extra = extra;
    if (run_h) {
      auto s = ecotone::placement::Solve(*problem, o, "heuristic");
      if (s.ok() && !s->assignment.empty()) {
        r.h_obj = s->objective;
        r.h_time = s->seconds_to_best;
        r.h_gap = GapTo(r.h_obj, r.known);
      }
    }
    // A solve and its wall time.
    auto timed = [&](const char* solver, double* seconds) {
      auto t0 = std::chrono::steady_clock::now();
      auto s = ecotone::placement::Solve(*problem, o, solver);
      *seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
              .count();
      return s;
    };
    if (run_c) {
      auto s = timed("mip", &r.c_time);
      if (s.ok()) {
        if (!s->assignment.empty()) {
          r.c_obj = s->objective;
          r.c_gap = GapTo(r.c_obj, r.known);
        }
        r.c_bound = s->bound;
      }
    }
    if (run_x) {
      auto s = timed("choose", &r.x_time);
      if (s.ok()) {
        if (!s->assignment.empty()) {
          r.x_obj = s->objective;
          r.x_gap = GapTo(r.x_obj, r.known);
        }
        r.x_bound = s->bound;
        r.x_optimal = s->status == ecotone::placement::SolveOutcome::kOptimal;
        if (std::isfinite(r.known) && r.known_optimal &&
            r.x_bound > r.known + 1e-6) {
          std::printf("%-28s BOUND ABOVE THE OPTIMUM: %.3f > %.0f\n",
                      key.c_str(), r.x_bound, r.known);
        }
        if (r.x_optimal && std::isfinite(r.known) && r.known_optimal &&
            std::abs(r.x_obj - r.known) > 1e-6) {
          std::printf("%-28s WRONG OPTIMALITY CLAIM: %.0f != %.0f\n",
                      key.c_str(), r.x_obj, r.known);
        }
      }
    }
    std::printf(
        "%-28s %5d %5d %10s | %10s %8s %7s | %10s %10s %8s %7s", key.c_str(),
        problem->num_bins, problem->num_items,
        (Fmt(r.known) + (r.known_optimal || in.gqap ? "" : "*")).c_str(),
        Fmt(r.h_obj).c_str(), Fmt(r.h_gap, "%.3f").c_str(),
        Fmt(r.h_time, "%.2f").c_str(), Fmt(r.c_obj).c_str(),
        Fmt(r.c_bound, "%.1f").c_str(), Fmt(r.c_gap, "%.3f").c_str(),
        Fmt(r.c_time, "%.2f").c_str());
    if (run_x) {
      std::printf(" | %10s %8s %10s %4s %7s", Fmt(r.x_obj).c_str(),
                  Fmt(r.x_gap, "%.3f").c_str(), Fmt(r.x_bound, "%.1f").c_str(),
                  r.x_optimal ? "opt" : "-", Fmt(r.x_time, "%.2f").c_str());
    }
    std::printf("\n");
    std::fflush(stdout);
    rows.push_back(r);
  }
  // Summary per family (and per type letter for the chu/yagiura sets).
  std::map<std::string, std::vector<const Row*>> groups;
  for (const Row& r : rows) {
    std::string g = r.family;
    if (r.family != "cattrysse1994" && r.family != "cordeau2006") {
      g += "/type-" + r.name.substr(0, 1);
    }
    groups[g].push_back(&r);
  }
  std::printf("\n%-28s %4s | %12s %8s %8s | %12s %8s %10s", "group", "n",
              "heur mean%", "max%", "at-known", "cbc mean%", "max%", "no-sol");
  if (run_x) {
    std::printf(" | %12s %8s %8s %7s %10s", "choose mean%", "max%", "at-known",
                "proven", "mean t_opt");
  }
  std::printf("\n");
  for (auto& [g, rs] : groups) {
    double hs = 0, hm = 0, cs = 0, cm = 0;
    int hn = 0, hk = 0, cn = 0, cnone = 0;
    for (const Row* r : rs) {
      if (std::isfinite(r->h_gap)) {
        hs += r->h_gap;
        hm = std::max(hm, r->h_gap);
        ++hn;
        if (r->h_gap <= 1e-9) ++hk;
      }
      if (std::isfinite(r->c_gap)) {
        cs += r->c_gap;
        cm = std::max(cm, r->c_gap);
        ++cn;
      } else if (run_c) {
        ++cnone;
      }
    }
    std::printf("%-28s %4zu | %12s %8s %8d | %12s %8s %10d", g.c_str(),
                rs.size(), Fmt(hn ? hs / hn : NAN, "%.3f").c_str(),
                Fmt(hn ? hm : NAN, "%.3f").c_str(), hk,
                Fmt(cn ? cs / cn : NAN, "%.3f").c_str(),
                Fmt(cn ? cm : NAN, "%.3f").c_str(), cnone);
    if (run_x) {
      double xs = 0, xm = 0, xt = 0;
      int xn = 0, xk = 0, xp = 0;
      for (const Row* r : rs) {
        if (!std::isfinite(r->x_gap)) continue;
        xs += r->x_gap;
        xm = std::max(xm, r->x_gap);
        ++xn;
        if (r->x_gap <= 1e-9) ++xk;
        if (r->x_optimal) {
          ++xp;
          xt += r->x_time;
        }
      }
      std::printf(" | %12s %8s %8d %7d %10s",
                  Fmt(xn ? xs / xn : NAN, "%.3f").c_str(),
                  Fmt(xn ? xm : NAN, "%.3f").c_str(), xk, xp,
                  Fmt(xp ? xt / xp : NAN, "%.2f").c_str());
    }
    std::printf("\n");
  }
  return 0;
}
