// Resampling raw samples onto a regular grid, with a repair report.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "ecotone/forecast/forecast.h"
#include "ecotone/history/history.h"

namespace ecotone::history {
namespace {

double MedianOf(std::vector<double> v) {
  if (v.empty()) return 0;
  size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  double m = v[mid];
  if (v.size() % 2 == 0)
    m = 0.5 * (m + *std::max_element(v.begin(), v.begin() + mid));
  return m;
}

}  // namespace

std::vector<std::string> RepairReport::Lines() const {
  std::vector<std::string> out;
  auto s = [](int64_t v) { return std::to_string(v); };
  out.push_back("step " + s(step_seconds) + " s" +
                (step_detected ? " (detected: median spacing)" : "") +
                (aggregated ? ", bucket means of finer samples" : ""));
  if (nonfinite_dropped)
    out.push_back("dropped " + s(nonfinite_dropped) +
                  " empty/NaN/inf values (treated as gaps)");
  if (was_unsorted) out.push_back("input was not sorted by time: sorted");
  if (duplicates_merged)
    out.push_back("merged " + s(duplicates_merged) +
                  " samples with duplicate timestamps (mean)");
  if (slot_collisions)
    out.push_back("merged " + s(slot_collisions) +
                  " irregular samples that fell into an occupied slot (mean)");
  if (counter_resets)
    out.push_back("counter: " + s(counter_resets) +
                  " resets (value dropped: new value taken as the increase)");
  if (gaps)
    out.push_back(
        "filled " + s(gaps) + " gaps (" + s(filled_linear + filled_seasonal) +
        " points: " + s(filled_linear) + " linear, " + s(filled_seasonal) +
        " from one day earlier; longest " + s(longest_gap_steps) + " steps)");
  if (outliers_clipped)
    out.push_back(
        "clipped " + s(outliers_clipped) +
        " outliers (Hampel: beyond the robust bound around the local median)");
  for (const std::string& n : notes) out.push_back(n);
  return out;
}

Result<forecast::Series> Resample(const RawSeries& raw,
                                  const ResampleOptions& options,
                                  RepairReport* report) {
  RepairReport rep;
  rep.input_points = static_cast<int64_t>(raw.times.size());
  rep.notes = raw.notes;
  std::vector<std::pair<int64_t, double>> s;
  s.reserve(raw.times.size());
  for (size_t i = 0; i < raw.times.size() && i < raw.values.size(); ++i) {
    if (!std::isfinite(raw.values[i])) {
      ++rep.nonfinite_dropped;
      continue;
    }
    if (i > 0 && raw.times[i] < raw.times[i - 1]) rep.was_unsorted = true;
    s.emplace_back(raw.times[i], raw.values[i]);
  }
  std::stable_sort(s.begin(), s.end(), [](const auto& a, const auto& b) {
    return a.first < b.first;
  });
  // Merge equal timestamps (mean).
  std::vector<std::pair<int64_t, double>> m;
  for (size_t i = 0; i < s.size();) {
    size_t j = i;
    double sum = 0;
    while (j < s.size() && s[j].first == s[i].first) sum += s[j++].second;
    if (j - i > 1) rep.duplicates_merged += static_cast<int64_t>(j - i - 1);
    m.emplace_back(s[i].first, sum / static_cast<double>(j - i));
    i = j;
  }
  if (raw.counter) {
    std::vector<std::pair<int64_t, double>> r;
    for (size_t i = 1; i < m.size(); ++i) {
      double inc = m[i].second - m[i - 1].second;
      if (inc < 0) {
        ++rep.counter_resets;
        inc = m[i].second;
      }
      r.emplace_back(m[i].first,
                     inc / static_cast<double>(m[i].first - m[i - 1].first));
    }
    m = std::move(r);
  }
  if (m.size() < 2)
    return Status::InvalidArgument(
        "history has " + std::to_string(m.size()) +
        " usable point(s); at least 2 are needed to find a step");
  std::vector<double> diffs;
  diffs.reserve(m.size() - 1);
  for (size_t i = 1; i < m.size(); ++i)
    diffs.push_back(static_cast<double>(m[i].first - m[i - 1].first));
  const int64_t native = std::max<int64_t>(1, std::llround(MedianOf(diffs)));
  int64_t step = options.step_seconds;
  if (step < 0) return Status::InvalidArgument("step must be positive");
  if (step == 0) {
    step = native;
    rep.step_detected = true;
  }
  rep.step_seconds = step;
  const bool aggregate = step * 2 >= native * 3;  // step >= 1.5 x native
  rep.aggregated = aggregate && !rep.step_detected;
  int64_t start = m.front().first;
  if (aggregate) start = start - (((start % step) + step) % step);
  const int64_t span = m.back().first - start;
  const int64_t slots = span / step + 2;
  if (slots > forecast::kMaxSeriesLength)
    return Status::InvalidArgument("grid of " + std::to_string(slots) +
                                   " steps of " + std::to_string(step) +
                                   " s is too long (max " +
                                   std::to_string(forecast::kMaxSeriesLength) +
                                   "); choose a larger --step");
  {
    // A history that is mostly gaps would be mostly invented by the gap
    // filling below: refuse it when two thirds of the grid would be filled
    // and one gap is longer than a day (a finer --step than the samples'
    // spacing only makes short gaps and stays allowed).
    int64_t occupied = 0, last = -1, longest = 0, gap_from = 0, gap_to = 0;
    for (const auto& [t, v] : m) {
      const int64_t k = aggregate ? (t - start) / step
                                  : (t - start + step / 2) / step;
      if (k == last) continue;
      if (last >= 0 && k - last - 1 > longest) {
        longest = k - last - 1;
        gap_from = start + (last + 1) * step;
        gap_to = start + k * step;
      }
      last = k;
      ++occupied;
    }
    const int64_t filled = last + 1 - occupied;
    if (filled > 2 * occupied && longest * step > 86400)
      return Status::InvalidArgument(
          "history is mostly gaps: " + std::to_string(filled) + " of " +
          std::to_string(last + 1) + " points on the " + std::to_string(step) +
          " s grid have no sample (longest gap " + std::to_string(longest) +
          " steps, " + FormatTimestamp(gap_from, forecast::TimeZone{}) +
          " to " + FormatTimestamp(gap_to, forecast::TimeZone{}) +
          "); fix the timestamps or keep only the recent, dense part");
  }
  std::vector<double> sum(static_cast<size_t>(slots), 0.0);
  std::vector<int> cnt(static_cast<size_t>(slots), 0);
  int64_t used = 0;
  for (const auto& [t, v] : m) {
    int64_t k = aggregate ? (t - start) / step
                          : (t - start + step / 2) / step;  // nearest slot
    if (cnt[k] > 0 && !aggregate) ++rep.slot_collisions;
    sum[k] += v;
    cnt[k]++;
    used = std::max(used, k + 1);
  }
  forecast::Series out;
  out.name = raw.name;
  out.start_unix = start;
  out.step_seconds = step;
  out.values.assign(static_cast<size_t>(used), 0.0);
  std::vector<char> have(static_cast<size_t>(used), 0);
  for (int64_t k = 0; k < used; ++k)
    if (cnt[k] > 0) {
      out.values[k] = sum[k] / cnt[k];
      have[k] = 1;
    }
  // Gaps.
  const int64_t day = (86400 % step == 0) ? 86400 / step : 0;
  for (int64_t k = 0; k < used;) {
    if (have[k]) {
      ++k;
      continue;
    }
    int64_t a = k;
    while (k < used && !have[k]) ++k;
    int64_t len = k - a;  // slots a .. k-1 empty; a-1 and k present
    ++rep.gaps;
    rep.longest_gap_steps = std::max(rep.longest_gap_steps, len);
    double y0 = out.values[a - 1], y1 = out.values[k];
    for (int64_t j = a; j < k; ++j) {
      double lin = y0 + (y1 - y0) * static_cast<double>(j - a + 1) /
                            static_cast<double>(len + 1);
      if (len > options.max_linear_gap && day > 0 && j - day >= 0) {
        // Seasonal fill: one day earlier, shifted so the gap joins its edges.
        double shift0 = y0 - out.values[a - 1 - day >= 0 ? a - 1 - day : a - 1];
        double shift1 = k - day >= 0 ? y1 - out.values[k - day] : shift0;
        double frac =
            static_cast<double>(j - a + 1) / static_cast<double>(len + 1);
        out.values[j] =
            out.values[j - day] + (1 - frac) * shift0 + frac * shift1;
        ++rep.filled_seasonal;
      } else {
        out.values[j] = lin;
        ++rep.filled_linear;
      }
    }
  }
  // Outliers: Hampel filter with a +-3 window and a global robust scale of
  // the residuals from the local median.
  if (options.clip_outliers && used >= 7) {
    const int w = 3;
    std::vector<double> med(static_cast<size_t>(used)),
        res(static_cast<size_t>(used));
    double win[2 * w + 1];
    for (int64_t k = 0; k < used; ++k) {
      int len = 0;
      for (int64_t j = std::max<int64_t>(0, k - w);
           j <= std::min(used - 1, k + w); ++j)
        win[len++] = out.values[j];
      std::sort(win, win + len);  // at most 7 values
      med[k] = len % 2 ? win[len / 2]
                       : 0.5 * (win[len / 2 - 1] + win[len / 2]);
      res[k] = std::fabs(out.values[k] - med[k]);
    }
    double scale = 1.4826 * MedianOf(res);
    if (!(scale > 0)) {
      // Most points sit exactly on their local median (smooth or stepwise
      // data): fall back to the mean absolute residual (x 1.2533, the
      // normal-consistent factor).
      double sum = 0;
      for (double r : res) sum += r;
      scale = 1.2533 * sum / static_cast<double>(used);
    }
    if (scale > 0) {
      double lim = options.outlier_threshold * scale;
      for (int64_t k = 0; k < used; ++k)
        if (res[k] > lim) {
          out.values[k] = out.values[k] > med[k] ? med[k] + lim : med[k] - lim;
          ++rep.outliers_clipped;
        }
    }
  }
  if (report) *report = std::move(rep);
  return out;
}

}  // namespace ecotone::history
