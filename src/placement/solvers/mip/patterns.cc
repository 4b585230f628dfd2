// Exact search over the assignments that cost at most a target, by their
// Lagrangian decomposition into one knapsack "pattern" per bin (see
// SearchByPatterns in mip.h).
//
// For multipliers λ of the assignment rows, every assignment x satisfies
//   cost(x) = Σ_i λ_i + Σ_b r_b(P_b),   r_b(P) = Σ_{i∈P} (c_ib − λ_i),
// P_b = the items x puts on b. With KP_b = the least r_b over the subsets
// that fit b and L = Σ λ + Σ KP_b (the knapsack-Lagrangian bound),
//   cost(x) − L = Σ_b (r_b(P_b) − KP_b),
// a sum of non-negative "excesses". An assignment costs at most T only if
// every bin's pattern has excess at most s = T − L, and the excesses add up
// to at most s. When λ is near-optimal and T is near L, few patterns per bin
// qualify: they are enumerated by a depth-first search bounded by a
// knapsack table, and the assignments are the exact covers of the items by
// one pattern per bin (Knuth's dancing links, with the excess budget as a
// bound; CBC on the same set-partitioning model was far slower: 3.3 s
// against 0.03 s on yagiura2004 c10400 at T = 5596). The pairs that
// reduced-cost fixing removed are left out of the patterns, which keeps every
// assignment costing at most T.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "internal.h"
#include "solvers/mip/mip.h"

namespace ecotone::placement::internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Dancing links gets at most this long (and this share of the time limit)
// before CBC takes over the cover, unless the caller gives a share.
constexpr double kDlxSeconds = 0.25;
constexpr double kDlxShare = 0.25;

struct Pattern {
  int bin = 0;
  double excess = 0;
  std::vector<int> items;  // free items (indices into the cover columns)
};

// Dancing links (Knuth 2000) over primary columns only: every column (a
// free item or a bin) must be covered exactly once. Rows are patterns, a
// bin's in increasing excess; the search looks for the cover of least total
// excess within a budget, bounded below by the least excess left in every
// uncovered bin.
class Dlx {
 public:
  Dlx(int columns, const std::vector<Pattern>& rows,
      const std::vector<int>& column_of_bin, int num_bins)
      : rows_(rows), first_bin_(columns + 1 - num_bins) {
    const int nc = columns;
    left_.resize(nc + 1);
    right_.resize(nc + 1);
    up_.resize(nc + 1);
    down_.resize(nc + 1);
    col_.resize(nc + 1);
    row_.assign(nc + 1, -1);
    size_.assign(nc + 1, 0);
    for (int c = 0; c <= nc; ++c) {  // 0 is the root
      left_[c] = c == 0 ? nc : c - 1;
      right_[c] = c == nc ? 0 : c + 1;
      up_[c] = down_[c] = c;
      col_[c] = c;
    }
    for (size_t r = 0; r < rows.size(); ++r) {
      int first = -1;
      auto add = [&](int c) {  // c: 0-based cover column
        const int h = c + 1;
        const int node = static_cast<int>(left_.size());
        left_.push_back(node);
        right_.push_back(node);
        up_.push_back(up_[h]);
        down_.push_back(h);
        col_.push_back(h);
        row_.push_back(static_cast<int>(r));
        down_[up_[h]] = node;
        up_[h] = node;
        ++size_[h];
        if (first < 0) {
          first = node;
        } else {
          left_[node] = left_[first];
          right_[node] = first;
          right_[left_[first]] = node;
          left_[first] = node;
        }
      };
      add(column_of_bin[rows[r].bin]);
      for (int c : rows[r].items) add(c);
    }
  }

  // The least total excess of a cover within `budget` (inf if none) and its
  // rows; *complete = false when the deadline stopped the search.
  double Search(double budget, std::chrono::steady_clock::time_point deadline,
                std::vector<int>* best_rows, bool* complete) {
    budget_ = budget;
    best_ = kInf;
    deadline_ = deadline;
    nodes_ = 0;
    aborted_ = false;
    chosen_.clear();
    best_rows_.clear();
    Recurse(0.0);
    *complete = !aborted_;
    *best_rows = best_rows_;
    return best_;
  }
  int64_t nodes() const { return nodes_; }

 private:
  void Cover(int c) {
    right_[left_[c]] = right_[c];
    left_[right_[c]] = left_[c];
    for (int i = down_[c]; i != c; i = down_[i]) {
      for (int j = right_[i]; j != i; j = right_[j]) {
        up_[down_[j]] = up_[j];
        down_[up_[j]] = down_[j];
        --size_[col_[j]];
      }
    }
  }
  void Uncover(int c) {
    for (int i = up_[c]; i != c; i = up_[i]) {
      for (int j = left_[i]; j != i; j = left_[j]) {
        ++size_[col_[j]];
        up_[down_[j]] = j;
        down_[up_[j]] = j;
      }
    }
    right_[left_[c]] = c;
    left_[right_[c]] = c;
  }

  void Recurse(double spent) {
    if (aborted_) return;
    if ((++nodes_ & 255) == 0 &&
        std::chrono::steady_clock::now() >= deadline_) {
      aborted_ = true;
      return;
    }
    if (right_[0] == 0) {  // everything covered
      if (spent < best_) {
        best_ = spent;
        best_rows_ = chosen_;
        // Costs are integral: the next cover must cost 1 less.
        budget_ = std::min(budget_, spent - 1.0 + 1e-7);
      }
      return;
    }
    double need = spent;
    int pick = -1, pick_size = std::numeric_limits<int>::max();
    for (int c = right_[0]; c != 0; c = right_[c]) {
      if (size_[c] == 0) return;  // uncoverable
      if (c >= first_bin_) {
        need += rows_[row_[down_[c]]].excess;  // the bin's least
        if (need > budget_) return;
      }
      if (size_[c] < pick_size) {
        pick_size = size_[c];
        pick = c;
      }
    }
    Cover(pick);
    const bool by_excess = pick >= first_bin_;
    for (int r = down_[pick]; r != pick; r = down_[r]) {
      const double e = rows_[row_[r]].excess;
      if (spent + e > budget_) {
        if (by_excess) break;
        continue;
      }
      chosen_.push_back(row_[r]);
      for (int j = right_[r]; j != r; j = right_[j]) Cover(col_[j]);
      Recurse(spent + e);
      for (int j = left_[r]; j != r; j = left_[j]) Uncover(col_[j]);
      chosen_.pop_back();
      if (aborted_) break;
    }
    Uncover(pick);
  }

  const std::vector<Pattern>& rows_;
  int first_bin_;
  std::vector<int> left_, right_, up_, down_, col_, row_, size_;
  double budget_ = 0, best_ = kInf;
  std::chrono::steady_clock::time_point deadline_;
  int64_t nodes_ = 0;
  bool aborted_ = false;
  std::vector<int> chosen_, best_rows_;
};

// Least Σ r over subsets of the given items (r, w) with weight <= cap
// (0-1 knapsack; only negative r can help).
double LeastKnapsack(const std::vector<double>& r, const std::vector<int>& w,
                     int cap) {
  std::vector<double> f(static_cast<size_t>(cap) + 1, 0.0);
  for (size_t k = 0; k < r.size(); ++k) {
    if (r[k] >= 0 || w[k] > cap) continue;
    for (int c = cap; c >= w[k]; --c) f[c] = std::min(f[c], f[c - w[k]] + r[k]);
  }
  return f[cap];
}

}  // namespace

PatternOutcome SearchByPatterns(const Problem& p,
                                const std::vector<double>& lambda,
                                const std::vector<uint8_t>& keep, double target,
                                int64_t max_patterns, double time_limit_s,
                                int64_t quick_patterns, bool dlx_first,
                                double dlx_share) {
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(time_limit_s));
  PatternOutcome out;
  const int n = p.num_items, m = p.num_bins;
  if (p.HasPairwise() || p.num_dims != 1 ||
      lambda.size() != static_cast<size_t>(n) ||
      keep.size() != static_cast<size_t>(n) * m) {
    return out;  // kGaveUp: not applicable
  }
  auto integral = [](double v) {
    return v == std::floor(v) && std::abs(v) < 1e9;
  };
  Allowed al(p);
  std::vector<int> cap(m);
  for (int b = 0; b < m; ++b) {
    const double c = p.Capacity(b, 0);
    if (!integral(c) || c < 0 || c > 1e6) return out;
    cap[b] = static_cast<int>(c);
  }
  // Per bin: every allowed item that fits (the relaxation's knapsack) and
  // the kept ones.
  std::vector<std::vector<double>> all_r(m);
  std::vector<std::vector<int>> all_w(m);
  // use[i·m + b]: kept, allowed and fitting (keep may hold other pairs).
  std::vector<uint8_t> use(static_cast<size_t>(n) * m, 0);
  std::vector<int> kept_bins(n, 0);
  for (int i = 0; i < n; ++i) {
    for (int b : al.Bins(i)) {
      const double w = p.Demand(i, b, 0);
      if (w > p.Capacity(b, 0)) continue;
      if (!integral(w) || w < 0) return out;
      all_r[b].push_back(p.LinearCost(i, b) + p.MigrationCost(i, b) -
                         lambda[i]);
      all_w[b].push_back(static_cast<int>(w));
      if (keep[static_cast<size_t>(i) * m + b]) {
        ++kept_bins[i];
        use[static_cast<size_t>(i) * m + b] = 1;
      }
    }
    if (kept_bins[i] == 0) {
      out.kind = PatternOutcome::kNone;  // some item has no pair left
      return out;
    }
  }
  double L = std::accumulate(lambda.begin(), lambda.end(), 0.0);
  std::vector<double> kp(m);
  for (int b = 0; b < m; ++b) {
    kp[b] = LeastKnapsack(all_r[b], all_w[b], cap[b]);
    L += kp[b];
  }
  const double tol = 1e-6 * std::max(1.0, std::abs(target));
  const double slack = target - L + tol;
  out.lagrangian = L;
  if (slack < 0) {
    out.kind = PatternOutcome::kNone;
    return out;
  }
  // Cover columns: free items (more than one kept bin) first, then bins.
  std::vector<int> column_of_item(n, -1), item_of_column;
  for (int i = 0; i < n; ++i) {
    if (kept_bins[i] > 1) {
      column_of_item[i] = static_cast<int>(item_of_column.size());
      item_of_column.push_back(i);
    }
  }
  const int num_free = static_cast<int>(item_of_column.size());
  std::vector<int> column_of_bin(m);
  for (int b = 0; b < m; ++b) column_of_bin[b] = num_free + b;

  // Per bin: the items only b kept (in every pattern of b), the others
  // (free) by reduced cost, and tail[j·W + c] = the least Σ r over subsets
  // of the free items j.. that weigh at most c.
  struct BinPart {
    double base = 0;  // Σ r of the forced items
    int room = 0;     // capacity left by them
    std::vector<int> items;
    std::vector<double> r;
    std::vector<int> w;
    std::vector<double> tail;
    double least_excess = 0;
  };
  std::vector<BinPart> part(m);
  std::vector<int> fixed_bin(n, -1);  // items with one kept bin
  double least_total = 0;
  for (int b = 0; b < m; ++b) {
    BinPart& bp = part[b];
    bp.room = cap[b];
    std::vector<std::pair<double, int>> free_items;
    for (int i = 0; i < n; ++i) {
      if (!use[static_cast<size_t>(i) * m + b]) continue;
      const double r = p.LinearCost(i, b) + p.MigrationCost(i, b) - lambda[i];
      if (kept_bins[i] == 1) {
        bp.base += r;
        bp.room -= static_cast<int>(p.Demand(i, b, 0));
        fixed_bin[i] = b;
      } else {
        free_items.push_back({r, i});
      }
    }
    if (bp.room < 0) {
      out.kind = PatternOutcome::kNone;  // the forced items overfill b
      return out;
    }
    std::sort(free_items.begin(), free_items.end());
    const int K = static_cast<int>(free_items.size());
    for (auto [r, i] : free_items) {
      bp.items.push_back(i);
      bp.r.push_back(r);
      bp.w.push_back(static_cast<int>(p.Demand(i, b, 0)));
    }
    const size_t W = static_cast<size_t>(bp.room) + 1;
    if (static_cast<double>(K + 1) * W > 5e7) return out;  // too big
    bp.tail.assign((K + 1) * W, 0.0);
    for (int j = K - 1; j >= 0; --j) {
      const double* nx = bp.tail.data() + (j + 1) * W;
      double* cur = bp.tail.data() + j * W;
      for (size_t c = 0; c < W; ++c) {
        cur[c] = nx[c];
        if (bp.r[j] < 0 && static_cast<int>(c) >= bp.w[j])
          cur[c] = std::min(cur[c], nx[c - bp.w[j]] + bp.r[j]);
      }
    }
    bp.least_excess = std::max(0.0, bp.base + bp.tail[bp.room] - kp[b]);
    least_total += bp.least_excess;
  }
  // Every bin spends at least its least excess: a bin's pattern may exceed
  // its own least by what the others leave of the budget.
  if (least_total > slack) {
    out.kind = PatternOutcome::kNone;
    return out;
  }
  // All patterns within the budget; when there are more than
  // max_patterns, those whose excess over the bin's least stays within a
  // share 1/2, 1/4, ... of what is left of the budget: the search is then
  // no longer complete, but what it finds still costs at most target.
  std::vector<Pattern> patterns;
  double share = 1;
  for (;; share *= 0.5) {
    if (share < 1.0 / 64) return out;  // kGaveUp
    patterns.clear();
    bool overflow = false;
    for (int b = 0; b < m && !overflow; ++b) {
      const BinPart& bp = part[b];
      const int K = static_cast<int>(bp.items.size());
      const size_t W = static_cast<size_t>(bp.room) + 1;
      const double limit =
          kp[b] + bp.least_excess + share * (slack - least_total) + tol;
      // Depth-first enumeration of the subsets within the limit (the tail
      // bound is exact, so every branch taken ends in a pattern).
      std::vector<int> stack;
      const size_t before = patterns.size();
      auto dfs = [&](auto&& self, int j, int left, double value) -> void {
        if (overflow) return;
        if (value + bp.tail[j * W + left] > limit) return;
        if (j == K) {
          if (static_cast<int64_t>(patterns.size()) >= max_patterns) {
            overflow = true;
            return;
          }
          Pattern pt;
          pt.bin = b;
          // Excesses below 1e-9 are rounding noise: 0 (CBC's numerics).
          pt.excess = value - kp[b] > 1e-9 ? value - kp[b] : 0.0;
          for (int k : stack) pt.items.push_back(column_of_item[bp.items[k]]);
          patterns.push_back(std::move(pt));
          return;
        }
        if (bp.w[j] <= left) {
          stack.push_back(j);
          self(self, j + 1, left - bp.w[j], value + bp.r[j]);
          stack.pop_back();
        }
        self(self, j + 1, left, value);
      };
      dfs(dfs, 0, bp.room, bp.base);
      if (overflow) break;
      if (patterns.size() == before) {  // only when share = 1
        out.kind = PatternOutcome::kNone;
        return out;
      }
      // In increasing excess: the search reads a bin's least first.
      std::stable_sort(patterns.begin() + static_cast<std::ptrdiff_t>(before),
                       patterns.end(), [](const Pattern& x, const Pattern& y) {
                         return x.excess < y.excess;
                       });
    }
    if (!overflow) break;
    if (std::chrono::steady_clock::now() >= deadline) return out;
  }
  const bool restricted = share < 1;
  out.patterns = static_cast<int64_t>(patterns.size());
  // Dancing links first, briefly: it settles small covers in milliseconds
  // (CBC's set-up alone takes longer), then CBC on the set-partitioning
  // model, whose LP over the patterns is as strong as the Lagrangian dual.
  // Returns the least total excess found (inf if none).
  auto cover = [&](const std::vector<Pattern>& pats, double seconds,
                   std::vector<int>* rows, bool* complete) {
    const auto until = std::min(
        deadline,
        std::chrono::steady_clock::now() +
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                std::chrono::duration<double>(seconds)));
    double least = kInf;
    *complete = false;
    if (dlx_first) {
      Dlx dlx(num_free + m, pats, column_of_bin, m);
      const double dlx_s = dlx_share > 0
                               ? dlx_share * seconds
                               : std::min(kDlxSeconds, kDlxShare * seconds);
      least = dlx.Search(
          slack,
          std::min(until, std::chrono::steady_clock::now() +
                              std::chrono::duration_cast<
                                  std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(dlx_s))),
          rows, complete);
      out.nodes += dlx.nodes();
    }
    const double left =
        std::chrono::duration<double>(until - std::chrono::steady_clock::now())
            .count();
    if (!*complete && left > 0.01) {
      std::vector<std::vector<int>> cols(pats.size());
      std::vector<double> excess(pats.size());
      for (size_t j = 0; j < pats.size(); ++j) {
        cols[j] = pats[j].items;
        cols[j].push_back(column_of_bin[pats[j].bin]);
        excess[j] = pats[j].excess;
      }
      const double budget = std::isfinite(least) ? least - 1 + tol : slack;
      Result<SetPartitionOutcome> sp =
          SolveSetPartition(num_free + m, cols, excess, budget, left,
                            /*allowable_gap_abs=*/0.5);
      if (sp.ok()) {
        *complete = !sp->stopped_by_deadline &&
                    (sp->proven_infeasible || sp->proven_optimal);
        if (!sp->chosen.empty()) {
          *rows = sp->chosen;
          least = 0;
          for (int j : *rows) least += excess[j];
        }
      }
    }
    return least;
  };
  std::vector<int> rows;
  bool complete = false;
  double least = kInf;
  std::vector<Pattern> quick_set;
  if (quick_patterns > 0 &&
      static_cast<int64_t>(patterns.size()) > quick_patterns) {
    // Many patterns: first, for a third of the time, the patterns whose
    // excess stays within a smaller share of the budget (at most
    // quick_patterns of them). Incomplete, but an assignment of most
    // targets' optima spends little excess on most bins, and what this
    // finds costs at most target.
    for (double f = share * 0.5; f > share / 1024; f *= 0.5) {
      quick_set.clear();
      for (const Pattern& pt : patterns) {
        if (pt.excess <=
            part[pt.bin].least_excess + f * (slack - least_total) + tol)
          quick_set.push_back(pt);
      }
      if (static_cast<int64_t>(quick_set.size()) <= quick_patterns) break;
    }
    if (static_cast<int64_t>(quick_set.size()) <= quick_patterns) {
      bool quick_complete = false;
      least = cover(quick_set, time_limit_s / 3, &rows, &quick_complete);
      if (std::isfinite(least)) {
        patterns.swap(quick_set);  // rows index these
        complete = false;          // not a search of every pattern
      }
    }
  }
  if (!std::isfinite(least)) {
    const double left = std::chrono::duration<double>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
    least = cover(patterns, std::max(0.0, left), &rows, &complete);
  }
  if (std::isfinite(least)) {
    out.assignment = fixed_bin;
    double cost = 0;
    for (int row : rows) {
      for (int c : patterns[row].items)
        out.assignment[item_of_column[c]] = patterns[row].bin;
    }
    for (int i = 0; i < n; ++i)
      cost += p.LinearCost(i, out.assignment[i]) +
              p.MigrationCost(i, out.assignment[i]);
    out.cost = cost;
  }
  if (!complete || restricted) return out;  // kGaveUp, maybe with one
  out.kind =
      std::isfinite(least) ? PatternOutcome::kFound : PatternOutcome::kNone;
  return out;
}

std::vector<uint8_t> ResplitKeep(const Problem& p,
                                 const std::vector<int>& assignment,
                                 const std::vector<int>& bins,
                                 const std::vector<uint8_t>& fixing) {
  const int n = p.num_items, m = p.num_bins;
  std::vector<uint8_t> in(static_cast<size_t>(m), 0);
  for (int b : bins) in[static_cast<size_t>(b)] = 1;
  std::vector<uint8_t> keep(static_cast<size_t>(n) * m, 0);
  for (int i = 0; i < n; ++i) {
    const int a = assignment[static_cast<size_t>(i)];
    uint8_t* row = keep.data() + static_cast<size_t>(i) * m;
    if (in[static_cast<size_t>(a)])
      for (int b = 0; b < m; ++b)
        row[b] = in[static_cast<size_t>(b)] &&
                 (fixing.empty() || fixing[static_cast<size_t>(i) * m + b]);
    row[a] = 1;
  }
  return keep;
}

}  // namespace ecotone::placement::internal
