// Numeric helpers shared by the models: robust statistics and Nelder-Mead.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "models.h"

namespace ecotone::forecast::internal {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) {
    double lo = *std::max_element(v.begin(), v.begin() + mid);
    m = 0.5 * (m + lo);
  }
  return m;
}

double RobustScale(std::span<const double> v) {
  if (v.empty()) return 0;
  std::vector<double> c(v.begin(), v.end());
  double med = Median(c);
  for (double& x : c) x = std::fabs(x - med);
  return 1.4826 * Median(std::move(c));
}

double KthSmallest(double* v, size_t size, size_t k) {
  constexpr size_t kSample = 128;
  if (size < 4 * kSample) {
    std::nth_element(v, v + (k - 1), v + size);
    return v[k - 1];
  }
  // Fences at the sample ranks k/size * kSample -+ (3 standard deviations
  // of the sample proportion + 2): the rank lies between them unless the
  // sample is off by more than ~3 sigma.
  double s[kSample];
  for (size_t i = 0; i < kSample; ++i) s[i] = v[i * size / kSample];
  const double p = static_cast<double>(k) / static_cast<double>(size);
  const double d = 3 * std::sqrt(p * (1 - p) * kSample) + 2;
  const double r = p * kSample;
  double lo = -HUGE_VAL, hi = HUGE_VAL;
  if (r - d >= 0) {
    size_t i = static_cast<size_t>(r - d);
    std::nth_element(s, s + i, s + kSample);
    lo = s[i];
  }
  if (r + d < kSample - 1) {
    size_t i = static_cast<size_t>(r + d) + 1;
    std::nth_element(s, s + i, s + kSample);
    hi = s[i];
  }
  // Values in [lo, hi] are swapped to the front (branch-free: every value
  // is swapped with v[kept], which only advances past a kept value, so v
  // stays a permutation of itself); below counts the values < lo.
  size_t kept = 0, below = 0;
  for (size_t i = 0; i < size; ++i) {
    const double x = v[i];
    v[i] = v[kept];
    v[kept] = x;
    kept += static_cast<size_t>((x >= lo) & (x <= hi));
    below += static_cast<size_t>(x < lo);
  }
  if (below < k && k <= below + kept) {
    const size_t j = k - below - 1;
    std::nth_element(v, v + j, v + kept);
    return v[j];
  }
  std::nth_element(v, v + (k - 1), v + size);
  return v[k - 1];
}

std::vector<double> NelderMead(const std::function<double(const double*)>& f,
                               std::vector<double> x0, double initial_step,
                               int max_evals) {
  const size_t d = x0.size();
  std::vector<std::vector<double>> p(d + 1, x0);
  std::vector<double> fv(d + 1);
  for (size_t i = 0; i < d; ++i) p[i + 1][i] += initial_step;
  int evals = 0;
  for (size_t i = 0; i <= d; ++i) {
    fv[i] = f(p[i].data());
    ++evals;
  }
  std::vector<size_t> order(d + 1);
  std::vector<double> centroid(d), xr(d), xe(d), xc(d);
  while (evals < max_evals) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return fv[a] < fv[b]; });
    size_t best = order.front(), worst = order.back(),
           second = order[order.size() - 2];
    if (std::fabs(fv[worst] - fv[best]) <=
        1e-10 * (std::fabs(fv[best]) + 1e-300))
      break;
    std::fill(centroid.begin(), centroid.end(), 0.0);
    for (size_t i = 0; i <= d; ++i) {
      if (i == worst) continue;
      for (size_t k = 0; k < d; ++k) centroid[k] += p[i][k] / d;
    }
    for (size_t k = 0; k < d; ++k)
      xr[k] = centroid[k] + (centroid[k] - p[worst][k]);
    double fr = f(xr.data());
    ++evals;
    if (fr < fv[best]) {
      for (size_t k = 0; k < d; ++k)
        xe[k] = centroid[k] + 2 * (centroid[k] - p[worst][k]);
      double fe = f(xe.data());
      ++evals;
      if (fe < fr) {
        p[worst] = xe;
        fv[worst] = fe;
      } else {
        p[worst] = xr;
        fv[worst] = fr;
      }
    } else if (fr < fv[second]) {
      p[worst] = xr;
      fv[worst] = fr;
    } else {
      bool outside = fr < fv[worst];
      for (size_t k = 0; k < d; ++k)
        xc[k] = outside ? centroid[k] + 0.5 * (xr[k] - centroid[k])
                        : centroid[k] + 0.5 * (p[worst][k] - centroid[k]);
      double fc = f(xc.data());
      ++evals;
      if (fc < std::min(fr, fv[worst])) {
        p[worst] = xc;
        fv[worst] = fc;
      } else {
        for (size_t i = 0; i <= d; ++i) {
          if (i == best) continue;
          for (size_t k = 0; k < d; ++k)
            p[i][k] = p[best][k] + 0.5 * (p[i][k] - p[best][k]);
          fv[i] = f(p[i].data());
          ++evals;
        }
      }
    }
  }
  size_t best =
      static_cast<size_t>(std::min_element(fv.begin(), fv.end()) - fv.begin());
  return p[best];
}

}  // namespace ecotone::forecast::internal
