// Private: the concrete forecasting models behind forecast::Model, and small
// numeric helpers they share. See docs/forecast.md for the formulas.
#ifndef ECOTONE_FORECAST_MODELS_H_
#define ECOTONE_FORECAST_MODELS_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "ecotone/forecast/forecast.h"

namespace ecotone::forecast::internal {

std::unique_ptr<Model> NewSeasonalNaive(
    int which);  // 0 daily, 1 weekly, 2 auto
std::unique_ptr<Model> NewHoltWinters1();
std::unique_ptr<Model> NewHoltWinters2();
std::unique_ptr<Model> NewMstl();
std::unique_ptr<Model> NewRegression();

// auto fits hw2 (Nelder-Mead: ~140 filter passes) and regression (ridge
// normal equations with ~40 features, IRLS) only on histories of at most
// this many points, and mstl re-decomposes at every inner origin only there;
// longer ones choose among snaive_d, snaive_w and mstl (a few passes each),
// so that a fleet refit stays within the budget (10,000 series of 4
// weeks at 5 minutes = 8,064 points in 10 s). 6,000 points = 4 months at 30
// minutes, 3 weeks at 5 minutes.
inline constexpr int64_t kRichAutoMaxPoints = 6000;

// Level-adaptive models (hw1, hw2, mstl): this many one-step errors in a row
// beyond the robust clip with one sign are a level shift (the level jumps).
inline constexpr int kShiftRun = 3;

// Median of v (copied; v may be unsorted). 0 for empty input.
double Median(std::vector<double> v);
// 1.4826 * median absolute deviation from the median.
double RobustScale(std::span<const double> v);

// The k-th smallest (1-based, 1 <= k <= size) of v[0, size); reorders v.
// Exact, and the same value as std::nth_element, but on large inputs
// (Floyd & Rivest 1975) a fixed sample of v gives two fences around rank
// k, one branch-free pass keeps the values between them, and nth_element
// runs on those only; when the rank falls outside the fences (rare) it runs
// on all of v. Deterministic: the sample is every (size/128)-th value.
double KthSmallest(double* v, size_t size, size_t k);

// Minimises f over R^dim from x0 with the Nelder-Mead simplex (standard
// coefficients 1, 2, 0.5, 0.5), at most max_evals evaluations. Returns the
// best point found.
std::vector<double> NelderMead(const std::function<double(const double*)>& f,
                               std::vector<double> x0, double initial_step,
                               int max_evals);

}  // namespace ecotone::forecast::internal

#endif  // ECOTONE_FORECAST_MODELS_H_
