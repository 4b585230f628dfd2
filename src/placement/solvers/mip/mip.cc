// The "mip" solver: the exact placement model solved by CBC (branch and cut)
// through its C interface.
//
// Model (x_ib binary for every allowed item/bin pair):
//   min Σ (linear + migration)(i,b) x_ib + λ Σ_{i<j} w_ij Σ_{h,k} d_hk y_ijhk
//   Σ_b x_ib = 1                                   (assignment, every item)
//   Σ_i q_ibd x_ib <= Q_bd                         (capacity, every bin/dim)
//   Σ_{i∈g} x_ib <= N_g                            (max per bin of group g)
//   u_gb <= Σ_{i∈g} x_ib,  Σ_b u_gb >= K_g         (spread, u binary)
//   the same two per domain (zone) when the problem has domains
//   x_ah + Σ_{k: d(h,k) > L} x_bk <= 1             (distance limit L of a,b)
// Pairwise products x_ih·x_jk are linearised with the first-level
// reformulation-linearisation (Adams & Johnson 1994, RLT-1): continuous
// y_ijhk >= 0 with Σ_k y_ijhk = x_ih and Σ_h y_ijhk = x_jk. It needs
// |pairs|·m² columns but gives CBC a much stronger LP bound than the
// textbook y >= x_ih + x_jk - 1 form; models above `mip.max_pairwise_vars`
// (default 3,000,000) are refused with FailedPrecondition.
#include "solvers/mip/mip.h"

#include <CbcEventHandler.hpp>
#include <CbcModel.hpp>
#include <CbcSolver.hpp>
#include <ClpEventHandler.hpp>
#include <ClpSimplex.hpp>
#include <OsiClpSolverInterface.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "internal.h"

namespace ecotone::placement::internal {
namespace {

// CBC's infinity (COIN_DBL_MAX) without pulling in CoinUtils headers.
constexpr double kCbcInf = std::numeric_limits<double>::max();

// When every simplex must stop (shared by the handler and its clones: CBC
// copies the LP solver, and the handler with it).
struct Deadline {
  std::chrono::steady_clock::time_point at;
  bool fired = false;
};

// The deadline `seconds` after `start`.
Deadline DeadlineAfter(std::chrono::steady_clock::time_point start,
                       double seconds) {
  Deadline d;
  d.at =
      start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                  std::chrono::duration<double>(seconds));
  return d;
}

class DeadlineHandler : public ClpEventHandler {
 public:
  explicit DeadlineHandler(Deadline* deadline) : deadline_(deadline) {}
  DeadlineHandler(const DeadlineHandler&) = default;
  DeadlineHandler& operator=(const DeadlineHandler&) = default;
  ClpEventHandler* clone() const override { return new DeadlineHandler(*this); }
  // -1 = carry on; 0 = stop this simplex (status 5, "stopped by event").
  int event(Event which) override {
    if (which != endOfIteration || (++count_ & 31) != 0) return -1;
    if (deadline_->fired || std::chrono::steady_clock::now() >= deadline_->at) {
      deadline_->fired = true;
      return 0;
    }
    return -1;
  }

 private:
  Deadline* deadline_;
  unsigned count_ = 0;
};

// Column-wise model under construction.
struct Model {
  std::vector<std::vector<std::pair<int, double>>> cols;  // (row, coef)
  std::vector<double> col_lb, col_ub, obj;
  std::vector<uint8_t> integer;
  std::vector<double> row_lb, row_ub;

  int AddRow(double lb, double ub) {
    row_lb.push_back(lb);
    row_ub.push_back(ub);
    return static_cast<int>(row_lb.size()) - 1;
  }
  int AddCol(double lb, double ub, double c, bool is_int) {
    cols.emplace_back();
    col_lb.push_back(lb);
    col_ub.push_back(ub);
    obj.push_back(c);
    integer.push_back(is_int);
    return static_cast<int>(cols.size()) - 1;
  }
  void Set(int row, int col, double coef) { cols[col].push_back({row, coef}); }
};

// Records CBC's best bound at node and cut events while no LP has been cut
// short by the deadline (a bound computed from a stopped LP is not valid).
class BoundRecorder : public CbcEventHandler {
 public:
  BoundRecorder(const Deadline* deadline, double* bound)
      : deadline_(deadline), bound_(bound) {}
  BoundRecorder(const BoundRecorder&) = default;
  BoundRecorder& operator=(const BoundRecorder&) = default;
  CbcEventHandler* clone() const override { return new BoundRecorder(*this); }
  CbcAction event(CbcEvent which) override {
    // Past the deadline: ask CBC to stop at the next opportunity.
    if (std::chrono::steady_clock::now() >= deadline_->at) return stop;
    if (deadline_->fired || model_ == nullptr) return noAction;
    if (which == node || which == treeStatus || which == generatedCuts ||
        which == endSearch) {
      const double v = model_->getBestPossibleObjValue();
      if (std::isfinite(v) && std::abs(v) < 1e49 && v > *bound_) *bound_ = v;
    }
    return noAction;
  }

 private:
  const Deadline* deadline_;
  double* bound_;
};

// Silences `model` and CBC's driver, passes in `handler` and prepares the
// driver (CbcMain0) for a CbcMain1 call with `data`.
void QuietCbc(CbcEventHandler* handler, CbcModel* model,
              CbcSolverUsefulData* data) {
  model->setLogLevel(0);
  model->messageHandler()->setLogLevel(0);
  model->passInEventHandler(handler);
  data->noPrinting_ = true;
  data->useSignalHandler_ = false;
  CbcMain0(*model, *data);
}

// A built model and the x column of each allowed (item, bin): xcol[i] lists
// (bin, column).
struct BuiltModel {
  Model md;
  std::vector<std::vector<std::pair<int, int>>> xcol;
};

// The model of `p`, restricted by `r` (see MipRestriction).
Result<BuiltModel> BuildModel(const Problem& p, const SolveOptions& opt,
                              const MipRestriction& restr) {
  const double kInf = std::numeric_limits<double>::infinity();
  const int n = p.num_items, m = p.num_bins, D = p.num_dims;
  if (restr.keep != nullptr &&
      restr.keep->size() != static_cast<size_t>(n) * static_cast<size_t>(m)) {
    return Status::InvalidArgument("mip: restriction mask of wrong size");
  }
  Allowed al(p);
  BuiltModel built;
  built.xcol.resize(n);
  Model& md = built.md;
  // x columns.
  std::vector<std::vector<std::pair<int, int>>>& xcol = built.xcol;
  for (int i = 0; i < n; ++i) {
    for (int b : al.Bins(i)) {
      if (restr.keep != nullptr &&
          (*restr.keep)[static_cast<size_t>(i) * m + b] == 0)
        continue;
      bool fits = true;
      for (int d = 0; d < D && fits; ++d)
        fits = p.Demand(i, b, d) <= p.Capacity(b, d);
      if (!fits) continue;
      int c = md.AddCol(0, 1, p.LinearCost(i, b) + p.MigrationCost(i, b), true);
      xcol[i].push_back({b, c});
    }
  }
  auto xcol_of = [&](int i, int b) -> int {
    for (auto [bb, c] : xcol[i]) {
      if (bb == b) return c;
    }
    return -1;
  };
  // Pairwise model size check.
  int64_t pair_vars = 0;
  if (p.HasPairwise()) {
    const SparseSymmetric& w = p.pair_weight;
    for (int i = 0; i < n; ++i) {
      for (int64_t k = w.row_start[i]; k < w.row_start[i + 1]; ++k) {
        int j = w.col[k];
        if (j > i) {
          pair_vars += static_cast<int64_t>(xcol[i].size()) * xcol[j].size();
        }
      }
    }
    int64_t limit = static_cast<int64_t>(
        ExtraNumber(opt, "mip.max_pairwise_vars", 3'000'000));
    if (pair_vars > limit) {
      return Status::FailedPrecondition(
          "mip: the linearised pairwise model needs " +
          std::to_string(pair_vars) + " columns (> mip.max_pairwise_vars = " +
          std::to_string(limit) + "); use the heuristic solver");
    }
  }
  // Assignment rows.
  for (int i = 0; i < n; ++i) {
    int r = md.AddRow(1, 1);
    for (auto [b, c] : xcol[i]) md.Set(r, c, 1.0);
  }
  // Capacity rows (skipped when they cannot bind).
  for (int b = 0; b < m; ++b) {
    for (int d = 0; d < D; ++d) {
      double most = 0;
      std::vector<std::pair<int, double>> terms;
      for (int i = 0; i < n; ++i) {
        int c = xcol_of(i, b);
        if (c < 0) continue;
        double q = p.Demand(i, b, d);
        if (q == 0) continue;
        most += q;
        terms.push_back({c, q});
      }
      if (most <= p.Capacity(b, d)) continue;
      int r = md.AddRow(-kInf, p.Capacity(b, d));
      for (auto [c, q] : terms) md.Set(r, c, q);
    }
  }
  // Group spread rows.
  if (!p.item_group.empty()) {
    std::vector<std::vector<int>> members(p.groups.size());
    for (int i = 0; i < n; ++i) {
      if (p.item_group[i] >= 0) members[p.item_group[i]].push_back(i);
    }
    const bool domains = !p.bin_domain.empty();
    int num_domains = 0;
    if (domains) {
      for (int dm : p.bin_domain) num_domains = std::max(num_domains, dm + 1);
    }
    for (size_t g = 0; g < p.groups.size(); ++g) {
      const Group& gr = p.groups[g];
      if (members[g].empty()) continue;
      auto add_level = [&](int levels, auto level_of, int max_per,
                           int min_distinct) {
        if (max_per <= 0 && min_distinct <= 0) return;
        std::vector<int> u_row_of(levels, -1);
        int sum_row = min_distinct > 0 ? md.AddRow(min_distinct, kInf) : -1;
        for (int lv = 0; lv < levels; ++lv) {
          std::vector<int> cs;
          for (int i : members[g]) {
            for (auto [b, c] : xcol[i]) {
              if (level_of(b) == lv) cs.push_back(c);
            }
          }
          if (cs.empty()) continue;
          if (max_per > 0 && static_cast<int>(cs.size()) > max_per) {
            int r = md.AddRow(-kInf, max_per);
            for (int c : cs) md.Set(r, c, 1.0);
          }
          if (sum_row >= 0) {
            int u = md.AddCol(0, 1, 0.0, true);
            md.Set(sum_row, u, 1.0);
            int r = md.AddRow(-kInf, 0);  // u - Σ x <= 0
            md.Set(r, u, 1.0);
            for (int c : cs) md.Set(r, c, -1.0);
          }
        }
      };
      add_level(
          m, [](int b) { return b; }, gr.max_per_bin, gr.min_distinct_bins);
      if (domains) {
        add_level(
            num_domains, [&](int b) { return p.bin_domain[b]; },
            gr.max_per_domain, gr.min_distinct_domains);
      }
    }
  }
  // Distance limits.
  for (const DistanceLimit& l : p.distance_limits) {
    for (auto [h, ch] : xcol[l.item_a]) {
      std::vector<int> far;
      for (auto [k, ck] : xcol[l.item_b]) {
        if (l.Broken(p, h, k)) far.push_back(ck);
      }
      if (far.empty()) continue;
      int r = md.AddRow(-kInf, 1);
      md.Set(r, ch, 1.0);
      for (int c : far) md.Set(r, c, 1.0);
    }
  }
  // Pairwise RLT-1 columns.
  if (p.HasPairwise()) {
    const SparseSymmetric& w = p.pair_weight;
    for (int i = 0; i < n; ++i) {
      for (int64_t k = w.row_start[i]; k < w.row_start[i + 1]; ++k) {
        int j = w.col[k];
        if (j <= i) continue;
        double f = p.lambda * w.weight[k];
        // Rows: Σ_k y_hk - x_ih = 0 per h, Σ_h y_hk - x_jk = 0 per k.
        std::vector<int> row_h(xcol[i].size()), row_k(xcol[j].size());
        for (size_t a = 0; a < xcol[i].size(); ++a) {
          row_h[a] = md.AddRow(0, 0);
          md.Set(row_h[a], xcol[i][a].second, -1.0);
        }
        for (size_t c = 0; c < xcol[j].size(); ++c) {
          row_k[c] = md.AddRow(0, 0);
          md.Set(row_k[c], xcol[j][c].second, -1.0);
        }
        for (size_t a = 0; a < xcol[i].size(); ++a) {
          for (size_t c = 0; c < xcol[j].size(); ++c) {
            double cost = f * p.Distance(xcol[i][a].first, xcol[j][c].first);
            int y = md.AddCol(0, kInf, cost, false);
            md.Set(row_h[a], y, 1.0);
            md.Set(row_k[c], y, 1.0);
          }
        }
      }
    }
  }
  return built;
}

// Loads `md` into `solver` (minimisation), silenced, with `handler`
// stopping its simplex at the handler's deadline.
void LoadModel(const Model& md, DeadlineHandler* handler,
               OsiClpSolverInterface* solver) {
  solver->messageHandler()->setLogLevel(0);
  solver->getModelPtr()->messageHandler()->setLogLevel(0);
  const int ncols = static_cast<int>(md.cols.size());
  const int nrows = static_cast<int>(md.row_lb.size());
  std::vector<CoinBigIndex> start(ncols + 1, 0);
  std::vector<int> index;
  std::vector<double> value;
  for (int c = 0; c < ncols; ++c) {
    for (auto [r, v] : md.cols[c]) {
      index.push_back(r);
      value.push_back(v);
    }
    start[c + 1] = static_cast<CoinBigIndex>(index.size());
  }
  // CBC's own infinity is large but finite.
  std::vector<double> rlb(md.row_lb), rub(md.row_ub), cub(md.col_ub);
  for (double& v : rlb)
    if (std::isinf(v)) v = -kCbcInf;
  for (double& v : rub)
    if (std::isinf(v)) v = kCbcInf;
  for (double& v : cub)
    if (std::isinf(v)) v = kCbcInf;
  solver->loadProblem(ncols, nrows, start.data(), index.data(), value.data(),
                      md.col_lb.data(), cub.data(), md.obj.data(), rlb.data(),
                      rub.data());
  solver->setObjSense(1.0);
  solver->getModelPtr()->passInEventHandler(handler);
}

}  // namespace

Result<MipOutcome> SolveMip(const Problem& p, const SolveOptions& opt,
                            bool relax_only,
                            const MipRestriction& restriction) {
  const double kInf = std::numeric_limits<double>::infinity();
  const auto t_start = std::chrono::steady_clock::now();
  const int n = p.num_items, m = p.num_bins;
  ECOTONE_ASSIGN_OR_RETURN(BuiltModel built, BuildModel(p, opt, restriction));
  const Model& md = built.md;
  const std::vector<std::vector<std::pair<int, int>>>& xcol = built.xcol;
  auto xcol_of = [&](int i, int b) -> int {
    for (auto [bb, c] : xcol[i]) {
      if (bb == b) return c;
    }
    return -1;
  };
  // Load into CBC.
  const int ncols = static_cast<int>(md.cols.size());
  const int nrows = static_cast<int>(md.row_lb.size());
  // CBC's own time limit is only checked between its phases and at nodes;
  // one LP (the root LP of a large RLT model) can run far past it. The
  // deadline handler stops every Clp simplex at the deadline (checked every
  // 32 iterations), so the whole solve honours time_limit_s (plus at most
  // 0.5 s) measured from the start of SolveMip, model building included.
  const double build_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start)
          .count();
  const double cbc_limit = std::max(0.05, opt.time_limit_s - build_s);
  // A small grace after CBC's own limit, so that in the usual case CBC
  // stops itself and keeps its bound; the handler only cuts long LPs.
  const double grace = std::min(0.5, std::max(0.05, 0.05 * opt.time_limit_s));
  Deadline deadline = DeadlineAfter(
      t_start, std::max(opt.time_limit_s, build_s + 0.05) + grace);
  DeadlineHandler handler(&deadline);
  OsiClpSolverInterface solver;
  LoadModel(md, &handler, &solver);
  auto t0 = std::chrono::steady_clock::now();
  MipOutcome out;
  out.columns = ncols;
  out.rows = nrows;
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
        .count();
  };
  if (relax_only) {
    solver.initialSolve();
    out.seconds = seconds();
    if (!deadline.fired && solver.isProvenOptimal()) {
      out.bound = solver.getObjValue();
    }
    return out;
  }
  // Solve the root LP first: its value is a bound that stays valid whatever
  // happens later, and CBC starts from its optimal basis.
  solver.initialSolve();
  double lp_bound = -kInf;
  if (!deadline.fired && solver.isProvenOptimal()) {
    lp_bound = solver.getObjValue();
  }
  for (int c = 0; c < ncols; ++c) {
    if (md.integer[c]) solver.setInteger(c);
  }
  CbcModel model(solver);
  double recorded_bound = -kInf;
  BoundRecorder recorder(&deadline, &recorded_bound);
  CbcSolverUsefulData data;
  QuietCbc(&recorder, &model, &data);
  if (opt.initial.size() == static_cast<size_t>(n)) {
    std::vector<std::pair<std::string, double>> start_values;
    bool complete = true;
    for (int i = 0; i < n && complete; ++i) {
      int c = opt.initial[i] >= 0 && opt.initial[i] < m
                  ? xcol_of(i, opt.initial[i])
                  : -1;
      if (c < 0) complete = false;
      for (auto [b, cc] : xcol[i]) {
        start_values.push_back({"x" + std::to_string(cc), cc == c ? 1.0 : 0.0});
      }
    }
    if (complete) {
      // MIP starts are matched by column name.
      OsiSolverInterface* os = model.solver();
      os->setIntParam(OsiNameDiscipline, 1);
      for (int i = 0; i < n; ++i) {
        for (auto [b, cc] : xcol[i])
          os->setColName(cc, "x" + std::to_string(cc));
      }
      model.setMIPStart(start_values);
    }
  }
  const std::string sec = std::to_string(cbc_limit);
  const std::string seed = std::to_string(opt.seed % 1000000000 + 1);
  std::vector<const char*> argv = {"ecotone",     "-log",      "0",
                                   "-slog",       "0",         "-threads",
                                   "1",           "-timeMode", "elapsed",
                                   "-sec",        sec.c_str(), "-allowableGap",
                                   "1e-7",        "-ratioGap", "1e-9",
                                   "-randomSeed", seed.c_str()};
  // CBC's preprocessing (CglPreProcess with probing) and Clp's presolve do
  // not look at the clock: on large models they run long past the limit
  // (yagiura2004/c801600, 10 s limit: 327 s wall on the loaded build host,
  // the profile all in CglProbing and presolve). Above this many columns
  // they are off; the root LP has been solved above already.
  const int64_t big = static_cast<int64_t>(
      ExtraNumber(opt, "mip.no_preprocess_columns", 20000));
  if (ncols > big) {
    for (const char* a :
         {"-preprocess", "off", "-presolve", "off", "-probingCuts", "off",
          "-strongBranching", "0", "-heuristicsOnOff", "off"})
      argv.push_back(a);
  }
  argv.push_back("-solve");
  argv.push_back("-quit");
  CbcMain1(
      static_cast<int>(argv.size()), argv.data(), model,
      [](CbcModel*, int) { return 0; }, data);
  out.seconds = seconds();
  out.nodes = model.getNodeCount();
  out.stopped_by_deadline = deadline.fired;
  if (model.isAbandoned() && !deadline.fired) {
    return Status::Internal("mip: CBC abandoned the solve (numerical trouble)");
  }
  // After the deadline handler fired, CBC saw LPs stopped half-way: its
  // infeasibility and optimality claims and its final bound are not to be
  // trusted; the bound recorded before that moment and a solution (checked
  // below) are.
  out.proven_infeasible = !deadline.fired && model.isProvenInfeasible();
  // Without preprocessing (large models) CBC's bound under a time limit
  // came out above known feasible values (yagiura2004/d401600: 97,926 >
  // 97,105), so only the root LP bound is reported there.
  double cbc_bound = -kInf;
  if (ncols <= big) {
    cbc_bound =
        deadline.fired ? recorded_bound : model.getBestPossibleObjValue();
    if (!std::isfinite(cbc_bound) || std::abs(cbc_bound) >= 1e49)
      cbc_bound = -kInf;
  }
  out.bound = std::max(lp_bound, cbc_bound);
  out.bound_is_root_lp = std::isfinite(lp_bound) && lp_bound >= cbc_bound;
  if (!std::isfinite(out.bound) || std::abs(out.bound) >= 1e49)
    out.bound = -kInf;
  out.proven_optimal = !deadline.fired && model.isProvenOptimal();
  const double* sol = model.bestSolution();
  if (sol != nullptr && model.getSolutionCount() > 0) {
    std::vector<int> x(n, -1);
    bool complete = true;
    for (int i = 0; i < n; ++i) {
      for (auto [b, c] : xcol[i]) {
        if (sol[c] > 0.5) x[i] = b;
      }
      if (x[i] < 0) complete = false;
    }
    if (complete) {
      Result<Evaluation> ev = Evaluate(p, x);
      if (ev.ok() && ev->feasible()) out.assignment = std::move(x);
    }
  }
  if (!out.assignment.empty() && !out.proven_optimal) {
    // A bound above a feasible objective is wrong: fall back to the LP.
    Result<Evaluation> ev = Evaluate(p, out.assignment);
    if (ev.ok() &&
        out.bound > ev->cost.total() +
                        1e-6 * std::max(1.0, std::abs(ev->cost.total()))) {
      out.bound = lp_bound <= ev->cost.total() ? lp_bound : -kInf;
      out.bound_is_root_lp = std::isfinite(out.bound);
    }
  }
  if (out.proven_optimal && !out.assignment.empty()) {
    Result<Evaluation> ev = Evaluate(p, out.assignment);
    if (ev.ok()) {
      const double proven =
          ev->cost.total() - 1e-6 * std::max(1.0, std::abs(ev->cost.total()));
      if (proven > out.bound) out.bound_is_root_lp = false;
      out.bound = std::max(out.bound, proven);
    }
  }
  return out;
}

// SolveSetPartition leaves CBC out when less time is left than this many
// times its LP took.
constexpr double kRootLps = 4;

namespace {

// True when the LP solution x is integral (within 1e-6) and its columns at
// 1 partition the rows within the budget; *chosen lists them.
bool IntegralPartition(int num_rows,
                       const std::vector<std::vector<int>>& columns,
                       const std::vector<double>& cost, double budget,
                       const double* x, std::vector<int>* chosen) {
  constexpr double kTol = 1e-6;
  std::vector<int> picked;
  std::vector<uint8_t> covered(static_cast<size_t>(num_rows), 0);
  double total = 0;
  for (size_t c = 0; c < columns.size(); ++c) {
    if (x[c] <= kTol) continue;
    if (x[c] < 1 - kTol) return false;
    picked.push_back(static_cast<int>(c));
    total += cost[c];
    for (int r : columns[c])
      if (covered[static_cast<size_t>(r)]++) return false;
  }
  for (uint8_t v : covered)
    if (v != 1) return false;
  if (total > budget + kTol * std::max(1.0, std::abs(budget))) return false;
  *chosen = std::move(picked);
  return true;
}

}  // namespace

Result<SetPartitionOutcome> SolveSetPartition(
    int num_rows, const std::vector<std::vector<int>>& columns,
    const std::vector<double>& cost, double budget, double time_limit_s,
    double allowable_gap_abs) {
  const auto t_start = std::chrono::steady_clock::now();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  Model md;
  for (int r = 0; r < num_rows; ++r) md.AddRow(1, 1);
  const int budget_row = md.AddRow(-kInf, budget);
  for (size_t j = 0; j < columns.size(); ++j) {
    const int c = md.AddCol(0, 1, cost[j], true);
    for (int r : columns[j]) {
      if (r < 0 || r >= num_rows)
        return Status::InvalidArgument("set partition: row out of range");
      md.Set(r, c, 1.0);
    }
    md.Set(budget_row, c, cost[j]);
  }
  SetPartitionOutcome out;
  Deadline deadline = DeadlineAfter(t_start, time_limit_s + 0.05);
  DeadlineHandler handler(&deadline);
  OsiClpSolverInterface solver;
  LoadModel(md, &handler, &solver);
  const auto t_lp = std::chrono::steady_clock::now();
  solver.initialSolve();
  if (deadline.fired) {
    out.stopped_by_deadline = true;
    return out;
  }
  if (solver.isProvenPrimalInfeasible()) {
    out.proven_infeasible = true;  // not even fractionally coverable
    return out;
  }
  if (!solver.isProvenOptimal()) {
    out.stopped_by_deadline = true;  // no claim
    return out;
  }
  // An integral LP optimum is the optimal partition: CBC has nothing left
  // to do (and with little time left it would not be started at all).
  if (IntegralPartition(num_rows, columns, cost, budget,
                        solver.getColSolution(), &out.chosen)) {
    out.proven_optimal = true;
    return out;
  }
  // CBC reads its clock only between the steps of its root node, whose
  // heuristics re-solve the LP several times: with less time left than
  // kRootLps of these LPs it would overrun the deadline by seconds
  // (yagiura2004 c10400 / e10400, 123,000-173,000 patterns: LP 1.0 s,
  // CBC given 0.3 s returned after 5.2-6.7 s).
  const auto now = std::chrono::steady_clock::now();
  const double lp_s = std::chrono::duration<double>(now - t_lp).count();
  const double left_s =
      time_limit_s - std::chrono::duration<double>(now - t_start).count();
  if (left_s < kRootLps * lp_s) {
    out.stopped_by_deadline = true;
    return out;
  }
  for (size_t c = 0; c < columns.size(); ++c)
    solver.setInteger(static_cast<int>(c));
  CbcModel model(solver);
  double recorded_bound = -kInf;
  BoundRecorder recorder(&deadline, &recorded_bound);
  CbcSolverUsefulData data;
  QuietCbc(&recorder, &model, &data);
  const double left =
      time_limit_s -
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start)
          .count();
  const std::string sec = std::to_string(std::max(0.05, left));
  const std::string allowable_gap = std::to_string(allowable_gap_abs);
  std::vector<const char*> argv = {
      "ecotone", "-log", "0", "-slog", "0", "-threads", "0", "-timeMode",
      "elapsed", "-sec", sec.c_str(), "-allowableGap",
      allowable_gap.c_str(), "-ratioGap", "1e-9"};
  // "-threads 0": no tree thread at all ("1" starts one, and on these
  // small models the main thread sometimes waited on it forever in
  // CbcBaseModel::waitForThreadsInTree). CBC's preprocessing and cuts
  // cost more than they bring on these models (yagiura2004 c40400 at
  // T = 4244, 4,380 patterns: 2.5 s without, no finish in 4 s with them).
  for (const char* a : {"-preprocess", "off", "-cuts", "off"})
    argv.push_back(a);
  argv.push_back("-solve");
  argv.push_back("-quit");
  CbcMain1(
      static_cast<int>(argv.size()), argv.data(), model,
      [](CbcModel*, int) { return 0; }, data);
  out.stopped_by_deadline = deadline.fired;
  if (model.isAbandoned() && !deadline.fired) {
    return Status::Internal("set partition: CBC abandoned the solve");
  }
  out.proven_infeasible = !deadline.fired && model.isProvenInfeasible();
  out.proven_optimal = !deadline.fired && model.isProvenOptimal();
  const double* sol = model.bestSolution();
  if (sol != nullptr && model.getSolutionCount() > 0) {
    for (size_t c = 0; c < columns.size(); ++c) {
      if (sol[c] > 0.5) out.chosen.push_back(static_cast<int>(c));
    }
  }
  return out;
}

Result<FixingBounds> LpFixingBounds(const Problem& p, double time_limit_s) {
  const auto t_start = std::chrono::steady_clock::now();
  if (p.HasPairwise()) {
    return Status::InvalidArgument(
        "mip: reduced-cost fixing needs a problem without pairwise terms");
  }
  const int n = p.num_items, m = p.num_bins;
  SolveOptions opt;
  opt.time_limit_s = time_limit_s;
  ECOTONE_ASSIGN_OR_RETURN(BuiltModel built, BuildModel(p, opt, {}));
  const Model& md = built.md;
  FixingBounds rc;
  for (const auto& xs : built.xcol)
    rc.columns += static_cast<int64_t>(xs.size());
  Deadline deadline = DeadlineAfter(t_start, time_limit_s);
  DeadlineHandler handler(&deadline);
  OsiClpSolverInterface solver;
  LoadModel(md, &handler, &solver);
  ClpSimplex* clp = solver.getModelPtr();
  clp->setLogLevel(0);
  // Clp's dual simplex directly: OsiClp's initialSolve presolves, and
  // Clp's presolve/postsolve print diagnostics ("slacks added", "row inf")
  // to stdout on these models.
  clp->dual();
  if (deadline.fired || !clp->isProvenOptimal()) return rc;
  // π with the sign its finite side allows; d and the bound recomputed.
  const int nrows = static_cast<int>(md.row_lb.size());
  const int ncols = static_cast<int>(md.cols.size());
  std::vector<double> pi(clp->dualRowSolution(),
                         clp->dualRowSolution() + nrows);
  double bound = 0;
  for (int r = 0; r < nrows; ++r) {
    if (pi[r] > 0) {
      if (std::isfinite(md.row_lb[r])) {
        bound += pi[r] * md.row_lb[r];
      } else {
        pi[r] = 0;
      }
    } else if (pi[r] < 0) {
      if (std::isfinite(md.row_ub[r])) {
        bound += pi[r] * md.row_ub[r];
      } else {
        pi[r] = 0;
      }
    }
  }
  std::vector<double> d(ncols);
  for (int c = 0; c < ncols; ++c) {
    double v = md.obj[c];
    for (auto [r, a] : md.cols[c]) v -= pi[r] * a;
    d[c] = v;
    if (v > 0) {
      bound += v * md.col_lb[c];
    } else if (v < 0) {
      if (!std::isfinite(md.col_ub[c])) return rc;  // no bound from these π
      bound += v * md.col_ub[c];
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  rc.one.assign(static_cast<size_t>(n) * m, nan);
  rc.zero.assign(static_cast<size_t>(n) * m, nan);
  for (int i = 0; i < n; ++i) {
    for (auto [b, c] : built.xcol[i]) {
      rc.one[static_cast<size_t>(i) * m + b] = bound + std::max(d[c], 0.0);
      rc.zero[static_cast<size_t>(i) * m + b] = bound + std::max(-d[c], 0.0);
    }
  }
  // The assignment rows come first (row i = item i).
  rc.item_duals.assign(pi.begin(), pi.begin() + n);
  rc.bound = bound;
  rc.solved = true;
  StrengthenByAssignment(p, &rc);
  return rc;
}

void MergeFixingBounds(const FixingBounds& from, FixingBounds* into) {
  if (!from.solved) return;
  into->bound = std::max(into->bound, from.bound);
  for (size_t k = 0; k < into->one.size() && k < from.one.size(); ++k) {
    if (std::isnan(into->one[k]) || std::isnan(from.one[k])) continue;
    into->one[k] = std::max(into->one[k], from.one[k]);
    into->zero[k] = std::max(into->zero[k], from.zero[k]);
  }
}

Fixing FixByReducedCost(const Problem& p, const FixingBounds& fb,
                        double upper) {
  const int n = p.num_items, m = p.num_bins;
  Fixing f;
  f.keep.assign(static_cast<size_t>(n) * m, 0);
  if (!fb.solved) return f;
  // An assignment costing at most upper - 1 has every bound <= upper - 1;
  // keep what cannot be excluded, with a tolerance on the safe side.
  const double limit = upper - 1 + 1e-6 * std::max(1.0, std::abs(upper));
  if (fb.bound > limit) {
    f.none_better = true;
    return f;
  }
  for (int i = 0; i < n; ++i) {
    const double* one = fb.one.data() + static_cast<size_t>(i) * m;
    const double* zero = fb.zero.data() + static_cast<size_t>(i) * m;
    uint8_t* k = f.keep.data() + static_cast<size_t>(i) * m;
    int forced = -1, num_forced = 0;
    int columns = 0;
    for (int b = 0; b < m; ++b) {
      if (std::isnan(one[b])) continue;
      ++columns;
      if (zero[b] > limit) {  // x_ib = 0 is too dear: i must stay on b
        forced = b;
        ++num_forced;
      }
    }
    if (num_forced > 1) forced = -2;  // two bins at once: none kept
    int left = 0;
    for (int b = 0; b < m; ++b) {
      if (std::isnan(one[b])) continue;
      if ((forced == -1 || b == forced) && one[b] <= limit) {
        k[b] = 1;
        ++left;
      }
    }
    f.kept += left;
    f.fixed += columns - left;
    if (left == 1) ++f.items_single;
    if (left == 0) f.none_better = true;
  }
  return f;
}

namespace {

class MipSolver : public Solver {
 public:
  std::string_view Name() const override { return "mip"; }

  Result<Solution> Solve(const Problem& p, const SolveOptions& opt) override {
    ECOTONE_RETURN_IF_ERROR(Validate(p));
    if (!(opt.time_limit_s > 0)) {
      return Status::InvalidArgument("time limit must be > 0");
    }
    Solution s;
    s.solver = "mip";
    auto t0 = std::chrono::steady_clock::now();
    std::string why = ExplainInfeasibility(p);
    if (!why.empty()) {
      s.status = SolveOutcome::kInfeasible;
      s.infeasibility = why;
      return s;
    }
    ECOTONE_ASSIGN_OR_RETURN(MipOutcome out, SolveMip(p, opt, false));
    s.iterations = out.nodes;
    s.bound = out.bound;
    s.bound_method = !std::isfinite(out.bound) ? ""
                     : out.bound_is_root_lp   ? "lp relaxation (root)"
                                              : "cbc branch-and-bound";
    if (out.proven_infeasible) {
      s.status = SolveOutcome::kInfeasible;
      s.infeasibility =
          "CBC proved the constraints (capacity, allowed bins, spread, "
          "distance limits) cannot all be met";
    } else if (out.assignment.empty()) {
      s.status = SolveOutcome::kUnknown;
      s.infeasibility = "no feasible assignment found by CBC within " +
                        std::to_string(opt.time_limit_s) + " s";
    } else {
      s.assignment = out.assignment;
      FillDetails(p, &s);
      s.status =
          out.proven_optimal ? SolveOutcome::kOptimal : SolveOutcome::kFeasible;
      if (s.status == SolveOutcome::kOptimal) s.gap = 0;
    }
    s.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    s.seconds_to_best = s.seconds;
    return s;
  }
};

}  // namespace

std::unique_ptr<Solver> NewMipSolver() { return std::make_unique<MipSolver>(); }

}  // namespace ecotone::placement::internal
