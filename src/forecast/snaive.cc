// Seasonal naive: the forecast for lead l repeats the value one season
// earlier, y(n+l) = y(n + l - m * ceil(l / m)) [Hyndman & Athanasopoulos,
// FPP3 5.2].
#include <string>

#include "models.h"

namespace ecotone::forecast::internal {
namespace {

class SeasonalNaive : public Model {
 public:
  explicit SeasonalNaive(int which) : which_(which) {}
  std::string_view Name() const override {
    return which_ == 0 ? "snaive_d" : which_ == 1 ? "snaive_w" : "snaive";
  }
  Status Fit(const TrainingData& data, int64_t n) override {
    if (data.seasons.empty())
      return Status::InvalidArgument("seasonal naive needs a season");
    int m = which_ == 0 ? data.seasons.front() : data.seasons.back();
    if (which_ == 2 && n < 2 * static_cast<int64_t>(m))
      m = data.seasons.front();
    if (n < m)
      return Status::InvalidArgument(std::string(Name()) + " needs at least " +
                                     std::to_string(m) + " points");
    m_ = m;
    // The last cycle is read in place (the data outlives the fit, see
    // Model::Forecast): the inner backtest refits at every origin, and a
    // copy of a weekly cycle per refit cost more than the forecast.
    last_ = data.y.data() + (n - m);
    return Status::Ok();
  }
  std::vector<double> Forecast(int h) const override {
    std::vector<double> f(static_cast<size_t>(h));
    for (int l = 0; l < h; ++l) f[l] = last_[l % m_];
    return f;
  }

 private:
  int which_;
  int m_ = 1;
  const double* last_ = nullptr;  // y[n - m, n) of the last fit
};

}  // namespace

std::unique_ptr<Model> NewSeasonalNaive(int which) {
  return std::make_unique<SeasonalNaive>(which);
}

}  // namespace ecotone::forecast::internal
