// Lagrangian relaxation of the assignment rows of a one-dimension problem
// (the GAP's "knapsack" relaxation): for multipliers λ,
//   L(λ) = Σ_i λ_i + Σ_b KP_b(λ),
//   KP_b(λ) = min Σ_{i∈J_b} (c_ib − λ_i) x_i  s.t.  Σ w_ib x_i <= C_b,
// a 0-1 knapsack per bin, valid for any λ (the rows are equalities) and at
// its maximum at least the LP bound (the LP is the relaxation of the
// knapsacks' integrality as well). Subgradient ascent from the LP duals,
// then, at the best λ, the knapsack of each bin with each item forced in or
// out (forward and backward DP tables) gives the per-pair bounds for
// reduced-cost fixing.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

#include "internal.h"
#include "solvers/mip/mip.h"

namespace ecotone::placement::internal {
namespace {

bool Integral(double v) { return v == std::floor(v) && std::abs(v) < 1e9; }

struct BinItems {
  int capacity = 0;
  std::vector<int> item;     // allowed items that fit
  std::vector<int> weight;   // w_ib
  std::vector<double> cost;  // c_ib (linear + migration)
};

// min Σ r_k x_k s.t. Σ w_k x_k <= C over the items with r < 0; sets
// take[k] for the chosen ones and returns the value (<= 0).
double Knapsack(const BinItems& bi, const std::vector<double>& lambda,
                std::vector<int>* cand, std::vector<double>* table,
                std::vector<uint8_t>* chosen, std::vector<uint8_t>* take) {
  const int C = bi.capacity;
  cand->clear();
  for (size_t k = 0; k < bi.item.size(); ++k) {
    if (bi.cost[k] - lambda[bi.item[k]] < 0)
      cand->push_back(static_cast<int>(k));
  }
  take->assign(bi.item.size(), 0);
  if (cand->empty()) return 0;
  const size_t K = cand->size(), W = static_cast<size_t>(C) + 1;
  table->assign(W, 0.0);
  chosen->assign(K * W, 0);
  double* F = table->data();
  for (size_t j = 0; j < K; ++j) {
    const int k = (*cand)[j];
    const int w = bi.weight[k];
    const double r = bi.cost[k] - lambda[bi.item[k]];
    uint8_t* ch = chosen->data() + j * W;
    for (int c = C; c >= w; --c) {
      const double v = F[c - w] + r;
      if (v < F[c]) {
        F[c] = v;
        ch[c] = 1;
      }
    }
  }
  const double best = F[C];
  int c = C;
  for (size_t j = K; j-- > 0;) {
    if ((*chosen)[j * W + c]) {
      const int k = (*cand)[j];
      (*take)[k] = 1;
      c -= bi.weight[k];
    }
  }
  return best;
}

}  // namespace

void StrengthenByAssignment(const Problem& p, FixingBounds* fb) {
  if (!fb->solved) return;
  const int n = p.num_items, m = p.num_bins;
  const double base = fb->bound;
  double bound = base;
  for (int i = 0; i < n; ++i) {
    double* one = fb->one.data() + static_cast<size_t>(i) * m;
    double* zero = fb->zero.data() + static_cast<size_t>(i) * m;
    double out_sum = 0;
    for (int b = 0; b < m; ++b) {
      if (!std::isnan(zero[b])) out_sum += zero[b] - base;
    }
    // The smallest and second-smallest strengthened "one" of the item.
    double low1 = std::numeric_limits<double>::infinity(), low2 = low1;
    int low1_bin = -1;
    for (int b = 0; b < m; ++b) {
      if (std::isnan(one[b])) continue;
      one[b] += out_sum - (zero[b] - base);
      if (one[b] < low1) {
        low2 = low1;
        low1 = one[b];
        low1_bin = b;
      } else if (one[b] < low2) {
        low2 = one[b];
      }
    }
    for (int b = 0; b < m; ++b) {
      if (std::isnan(zero[b])) continue;
      zero[b] = std::max(zero[b], b == low1_bin ? low2 : low1);
    }
    if (std::isfinite(low1)) bound = std::max(bound, low1);
  }
  fb->bound = bound;
}

Result<FixingBounds> KnapsackFixingBounds(const Problem& p,
                                          const std::vector<double>& start,
                                          double upper, double time_limit_s,
                                          int max_iterations) {
  const auto t0 = std::chrono::steady_clock::now();
  auto since = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
        .count();
  };
  FixingBounds out;
  const int n = p.num_items, m = p.num_bins;
  if (p.HasPairwise() || p.num_dims != 1) return out;
  Allowed al(p);
  std::vector<BinItems> bins(m);
  for (int b = 0; b < m; ++b) {
    const double cap = p.Capacity(b, 0);
    if (!Integral(cap) || cap < 0 || cap > 1e6) return out;
    bins[b].capacity = static_cast<int>(cap);
  }
  std::vector<double> min_cost(n, std::numeric_limits<double>::infinity());
  for (int i = 0; i < n; ++i) {
    for (int b : al.Bins(i)) {
      const double w = p.Demand(i, b, 0);
      if (w > p.Capacity(b, 0)) continue;
      if (!Integral(w) || w < 0) return out;
      const double c = p.LinearCost(i, b) + p.MigrationCost(i, b);
      bins[b].item.push_back(i);
      bins[b].weight.push_back(static_cast<int>(w));
      bins[b].cost.push_back(c);
      min_cost[i] = std::min(min_cost[i], c);
      ++out.columns;
    }
    if (!std::isfinite(min_cost[i])) return out;  // no bin: infeasible
  }
  std::vector<double> lambda =
      start.size() == static_cast<size_t>(n) ? start : min_cost;
  std::vector<double> best_lambda = lambda;
  double best = -std::numeric_limits<double>::infinity();
  std::vector<int> cand;
  std::vector<double> table;
  std::vector<uint8_t> chosen, take;
  std::vector<int> count(n);
  std::vector<double> g(n);
  double theta = 2.0;
  int since_improve = 0;
  const double stop_at = upper - 1 + 1e-6 * std::max(1.0, std::abs(upper));
  for (int it = 0; it < max_iterations; ++it) {
    if (it > 0 && since() > time_limit_s) break;
    double L = 0;
    for (int i = 0; i < n; ++i) L += lambda[i];
    std::fill(count.begin(), count.end(), 0);
    for (int b = 0; b < m; ++b) {
      L += Knapsack(bins[b], lambda, &cand, &table, &chosen, &take);
      for (size_t k = 0; k < take.size(); ++k) {
        if (take[k]) ++count[bins[b].item[k]];
      }
    }
    if (L > best + 1e-9 * std::max(1.0, std::abs(L)) || !std::isfinite(best)) {
      best = L;
      best_lambda = lambda;
      since_improve = 0;
    } else if (++since_improve >= 30) {
      theta *= 0.5;
      since_improve = 0;
    }
    if (best > stop_at) break;  // nothing below the incumbent
    double norm = 0;
    for (int i = 0; i < n; ++i) {
      g[i] = 1.0 - count[i];
      norm += g[i] * g[i];
    }
    // The relaxed solution is feasible, or the steps have become too small
    // to matter: the bound moves by less than a few hundredths of a unit
    // once θ < 10⁻³ (chu1997 c20200: 2390.146 then, 2390.153 at 10⁻⁶;
    // yagiura2004 c401600: 17143.44 then, 17143.46 a second later).
    if (norm == 0 || theta < 1e-3) break;
    const double target =
        std::isfinite(upper) ? std::max(upper, best + 1) : best + 1;
    const double step = theta * (target - L) / norm;
    for (int i = 0; i < n; ++i) lambda[i] += step * g[i];
  }
  if (!std::isfinite(best)) return out;
  // Per-pair bounds at the best multipliers.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.one.assign(static_cast<size_t>(n) * m, nan);
  out.zero.assign(static_cast<size_t>(n) * m, nan);
  lambda = best_lambda;
  std::vector<double> fwd, back;
  for (int b = 0; b < m; ++b) {
    const BinItems& bi = bins[b];
    const int C = bi.capacity;
    const size_t W = static_cast<size_t>(C) + 1;
    cand.clear();
    for (size_t k = 0; k < bi.item.size(); ++k) {
      if (bi.cost[k] - lambda[bi.item[k]] < 0)
        cand.push_back(static_cast<int>(k));
    }
    const size_t K = cand.size();
    if ((K + 1) * W > 50'000'000) return FixingBounds{};  // too big to tabulate
    // fwd[j·W + c]: best over the first j candidates with weight <= c.
    fwd.assign((K + 1) * W, 0.0);
    for (size_t j = 0; j < K; ++j) {
      const int k = cand[j];
      const int w = bi.weight[k];
      const double r = bi.cost[k] - lambda[bi.item[k]];
      const double* prev = fwd.data() + j * W;
      double* cur = fwd.data() + (j + 1) * W;
      for (int c = 0; c <= C; ++c) {
        cur[c] = prev[c];
        if (c >= w) cur[c] = std::min(cur[c], prev[c - w] + r);
      }
    }
    const double kp = fwd[K * W + C];
    // Items that are not candidates (r >= 0): forced in costs r plus the
    // best knapsack of the rest; forced out changes nothing.
    std::vector<uint8_t> is_cand(bi.item.size(), 0);
    for (int k : cand) is_cand[k] = 1;
    for (size_t k = 0; k < bi.item.size(); ++k) {
      if (is_cand[k]) continue;
      const size_t at = static_cast<size_t>(bi.item[k]) * m + b;
      const double r = bi.cost[k] - lambda[bi.item[k]];
      const double in = r + fwd[K * W + (C - bi.weight[k])];
      out.one[at] = best + (in - kp);
      out.zero[at] = best;
    }
    // Candidates: combine the first j with the backward table of the rest.
    back.assign(W, 0.0);  // best over candidates j+1.. with weight <= c
    for (size_t j = K; j-- > 0;) {
      const int k = cand[j];
      const int w = bi.weight[k];
      const double r = bi.cost[k] - lambda[bi.item[k]];
      const double* f = fwd.data() + j * W;
      double out_v = std::numeric_limits<double>::infinity();
      double in_v = std::numeric_limits<double>::infinity();
      for (int c = 0; c <= C; ++c) {
        out_v = std::min(out_v, f[c] + back[C - c]);
        if (c <= C - w) in_v = std::min(in_v, f[c] + back[C - w - c]);
      }
      const size_t at = static_cast<size_t>(bi.item[k]) * m + b;
      out.one[at] = best + std::max(0.0, r + in_v - kp);
      out.zero[at] = best + std::max(0.0, out_v - kp);
      // Add candidate j to the backward table.
      for (int c = C; c >= w; --c) back[c] = std::min(back[c], back[c - w] + r);
    }
  }
  out.bound = best;
  out.multipliers = best_lambda;
  out.solved = true;
  StrengthenByAssignment(p, &out);
  return out;
}

}  // namespace ecotone::placement::internal
