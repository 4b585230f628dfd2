// `ecotone forecast`, `ecotone backtest` and `ecotone scale`: the Predictive
// Scaler verbs (docs/forecast.md). They read history (history/), call the
// pure forecast/ library and format text, JSON, CSV or SVG.
// Exit codes: 0 ok, 2 unreadable/invalid input or bad usage.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli.h"
#include "ecotone/adapters/prometheus.h"
#include "ecotone/forecast/backtest.h"
#include "ecotone/forecast/forecast.h"
#include "ecotone/forecast/replicas.h"
#include "ecotone/history/history.h"
#include "ecotone/manifest/manifest.h"

namespace ecotone::cli {
namespace {

struct HistoryFlags {
  std::string history;
  std::string series;
  std::string column;
  std::string step;  // seconds, or a duration such as 30m.
  // Prometheus input instead of --history (query_range over [end-range, end]).
  std::string prometheus;
  std::string query;
  std::string range = "14d";
  std::string end;  // empty: now.
  std::string tz = "UTC";
  std::string events;
  std::string seasons;
  bool no_clip = false;
};

void AddHistoryFlags(CLI::App* cmd, HistoryFlags* f) {
  cmd->add_option("--history", f->history,
                  "history file: CSV (timestamp,value / timestamp,series,value "
                  "/ ds,y / several columns) or OpenMetrics text");
  cmd->add_option("--prometheus", f->prometheus,
                  "read the history from this Prometheus (base URL, e.g. "
                  "http://127.0.0.1:9090) with --query, --range, --step, --end "
                  "instead of --history");
  cmd->add_option("--query", f->query, "PromQL query (with --prometheus)");
  cmd->add_option("--range", f->range,
                  "history length with --prometheus, e.g. 14d, 36h (default "
                  "14d)");
  cmd->add_option("--end", f->end,
                  "end of the range with --prometheus: ISO-8601 or unix "
                  "seconds (default: now)");
  cmd->add_option("--series", f->series,
                  "series to use (series column or metric name; with "
                  "--prometheus: a label value or label=value)");
  cmd->add_option("--column", f->column, "value column of a multi-column CSV");
  cmd->add_option(
      "--step", f->step,
      "grid step, seconds or a duration like 30m (default: the median "
      "spacing, 5m with --prometheus; coarser = bucket means; also the row "
      "spacing of files without timestamps)");
  cmd->add_option("--tz", f->tz,
                  "time zone of the calendar and of timestamps without offset: "
                  "UTC, +hh:mm or an IANA name (DST from /usr/share/zoneinfo)");
  cmd->add_option(
      "--events", f->events,
      "events/holidays file (examples/events.yaml: name, start, end, "
      "optional effect)");
  cmd->add_option(
      "--seasons", f->seasons,
      "seasonal periods in steps, e.g. 48,336 (default: day and week)");
}

std::string QuantileKey(double q) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, q);
  return "q" + std::string(buf, p);
}

Result<std::vector<double>> ParseDoubles(const std::string& text,
                                         const char* what) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string cell;
  while (std::getline(ss, cell, ',')) {
    double v = 0;
    auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    if (cell.empty() || ec != std::errc() || p != cell.data() + cell.size() ||
        !std::isfinite(v))
      return Status::InvalidArgument(
          std::string("bad ") + what + " '" + cell + "'",
          Location{"", 0, 0, what});
    out.push_back(v);
  }
  return out;
}

Result<std::vector<int>> ParseSeasons(const std::string& text) {
  std::vector<int> out;
  if (text.empty()) return out;
  ECOTONE_ASSIGN_OR_RETURN(std::vector<double> v,
                           ParseDoubles(text, "--seasons"));
  for (double d : v) {
    if (d < 1 || d > 1e6 || d != std::floor(d))
      return Status::InvalidArgument(
          "season must be an integer in [1, 1000000]",
          Location{"", 0, 0, "--seasons"});
    out.push_back(static_cast<int>(d));
  }
  return out;
}

// "1800", "30m", "14d", "1h30m": seconds; units s, m, h, d, w (as in
// Prometheus durations). kInvalidArgument naming the flag otherwise.
Result<int64_t> ParseDuration(const std::string& text, const char* flag) {
  auto bad = [&] {
    return Status::InvalidArgument(
        "bad duration '" + text + "' (seconds, or e.g. 30m, 6h, 14d, 2w)",
        Location{"", 0, 0, flag});
  };
  if (text.empty()) return bad();
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    if (j == i || j - i > 12) return bad();
    int64_t v = std::stoll(text.substr(i, j - i));
    int64_t unit = 1;
    if (j < text.size()) {
      switch (text[j]) {
        case 's':
          unit = 1;
          break;
        case 'm':
          unit = 60;
          break;
        case 'h':
          unit = 3600;
          break;
        case 'd':
          unit = 86400;
          break;
        case 'w':
          unit = 604800;
          break;
        default:
          return bad();
      }
      ++j;
    } else if (i != 0) {
      return bad();  // "1h30" has no unit for 30
    }
    total += v * unit;
    if (total > int64_t{100} * 365 * 86400) return bad();
    i = j;
  }
  if (total <= 0) return bad();
  return total;
}

// Reads the history from Prometheus: query_range over [end - range, end] at
// the step. Several series: --series picks one by a label value (or
// label=value). Errors (exit 2): Prometheus down, an HTTP error or a
// rejected query (the message names the URL and Prometheus's error), no or
// several series.
Result<history::RawSeries> ReadPrometheus(const HistoryFlags& f, int64_t step,
                                          const forecast::TimeZone& tz) {
  if (f.query.empty())
    return Status::InvalidArgument("--prometheus needs --query",
                                   Location{"", 0, 0, "--query"});
  ECOTONE_ASSIGN_OR_RETURN(int64_t range, ParseDuration(f.range, "--range"));
  int64_t end = static_cast<int64_t>(std::time(nullptr));
  if (!f.end.empty()) {
    Result<int64_t> e = history::ParseTimestamp(f.end, tz);
    if (!e.ok())
      return Status::InvalidArgument(e.status().message(),
                                     Location{"", 0, 0, "--end"});
    end = *e;
  }
  if (range / step > 5'000'000)
    return Status::InvalidArgument("--range / --step is over 5,000,000 points",
                                   Location{"", 0, 0, "--range"});
  adapters::PrometheusOptions po;
  po.url = f.prometheus;
  adapters::PrometheusClient client(po);
  Result<std::vector<adapters::PromSeries>> r =
      client.QueryRange(f.query, static_cast<double>(end - range),
                        static_cast<double>(end), static_cast<double>(step));
  if (!r.ok()) {
    // Prometheus down or failing is bad input for this command (exit 2).
    StatusCode code = r.status().code() == StatusCode::kInvalidArgument
                          ? StatusCode::kInvalidArgument
                          : StatusCode::kIOError;
    return Status(code,
                  "prometheus " + f.prometheus + ": " + r.status().message(),
                  Location{"", 0, 0, "--prometheus"});
  }
  std::vector<const adapters::PromSeries*> picked;
  for (const adapters::PromSeries& ps : *r) {
    if (f.series.empty()) {
      picked.push_back(&ps);
      continue;
    }
    for (const auto& [k, v] : ps.labels)
      if (v == f.series || k + "=" + v == f.series) {
        picked.push_back(&ps);
        break;
      }
  }
  auto describe = [](const adapters::PromSeries& ps) {
    std::string d = "{";
    for (const auto& [k, v] : ps.labels)
      d += (d.size() > 1 ? "," : "") + k + "=\"" + v + "\"";
    return d + "}";
  };
  if (picked.empty())
    return Status::InvalidArgument(
        "query '" + f.query + "' returned " + std::to_string(r->size()) +
            " series" +
            (f.series.empty() ? "" : ", none with a label '" + f.series + "'") +
            " in the range",
        Location{"", 0, 0, f.series.empty() ? "--query" : "--series"});
  if (picked.size() > 1) {
    std::string names;
    for (size_t i = 0; i < picked.size() && i < 5; ++i)
      names += (i ? ", " : "") + describe(*picked[i]);
    return Status::InvalidArgument(
        "query '" + f.query + "' returned " + std::to_string(picked.size()) +
            " series (" + names +
            "); aggregate them in the query or pick one with --series",
        Location{"", 0, 0, "--series"});
  }
  history::RawSeries raw;
  const adapters::PromSeries& ps = *picked[0];
  auto name = ps.labels.find("__name__");
  raw.name = name != ps.labels.end() ? name->second : describe(ps);
  for (const auto& [t, v] : ps.points) {
    raw.times.push_back(static_cast<int64_t>(std::llround(t)));
    raw.values.push_back(v);
  }
  raw.notes.push_back("prometheus " + f.prometheus + " query_range '" +
                      f.query + "' over " + f.range + " at step " +
                      std::to_string(step) + " s");
  return raw;
}

// Where the history came from, for messages: the file or the Prometheus URL.
std::string HistorySource(const HistoryFlags& f) {
  return f.history.empty() ? f.prometheus : f.history;
}

struct LoadedHistory {
  forecast::Series series;
  history::RepairReport repairs;
  forecast::TimeZone tz;
  std::vector<forecast::Event> events;
  std::vector<int> seasons;
};

Result<LoadedHistory> Load(const HistoryFlags& f, bool clip) {
  LoadedHistory out;
  ECOTONE_ASSIGN_OR_RETURN(out.tz, history::LoadTimeZone(f.tz));
  int64_t step = 0;
  if (!f.step.empty()) {
    ECOTONE_ASSIGN_OR_RETURN(step, ParseDuration(f.step, "--step"));
  }
  if (f.history.empty() == f.prometheus.empty())
    return Status::InvalidArgument(
        "give exactly one of --history FILE and --prometheus URL",
        Location{"", 0, 0, "--history"});
  history::RawSeries raw;
  if (!f.prometheus.empty()) {
    if (step == 0) step = 300;
    ECOTONE_ASSIGN_OR_RETURN(raw, ReadPrometheus(f, step, out.tz));
  } else {
    history::ReadOptions ro;
    ro.series = f.series;
    ro.column = f.column;
    ro.step_seconds = step;
    ro.tz = out.tz;
    ECOTONE_ASSIGN_OR_RETURN(raw, history::ReadHistoryFile(f.history, ro));
  }
  history::ResampleOptions rs;
  rs.step_seconds = step;
  rs.clip_outliers = clip && !f.no_clip;
  Result<forecast::Series> s = history::Resample(raw, rs, &out.repairs);
  if (!s.ok())
    return Status(s.status().code(), s.status().message(),
                  Location{HistorySource(f), 0, 0, ""});
  out.series = std::move(s).value();
  if (!f.events.empty()) {
    ECOTONE_ASSIGN_OR_RETURN(out.events,
                             history::ReadEventsFile(f.events, out.tz));
  }
  ECOTONE_ASSIGN_OR_RETURN(out.seasons, ParseSeasons(f.seasons));
  return out;
}

std::string Num(double v, int prec = 4) {
  std::ostringstream ss;
  ss << std::setprecision(prec) << std::fixed << v;
  return ss.str();
}

// ---- SVG: history tail, forecast mean, quantile band ---------------------

std::string Svg(const LoadedHistory& h, const forecast::ForecastOutput& fc,
                const std::vector<double>& quantiles) {
  const double W = 960, H = 420, L = 70, R = 20, T = 40, B = 60;
  const auto& y = h.series.values;
  const size_t hz = fc.points.size();
  size_t tail = std::min(
      y.size(), std::max<size_t>(
                    3 * hz, fc.seasons.empty()
                                ? 96
                                : static_cast<size_t>(fc.seasons.front()) * 3));
  tail = std::min(tail, y.size());
  const int64_t t0 = h.series.TimeAt(static_cast<int64_t>(y.size() - tail));
  const int64_t t1 =
      hz ? fc.points.back().timestamp_unix : h.series.TimeAt(y.size() - 1);
  double lo = 1e300, hi = -1e300;
  for (size_t i = y.size() - tail; i < y.size(); ++i) {
    lo = std::min(lo, y[i]);
    hi = std::max(hi, y[i]);
  }
  for (const auto& p : fc.points) {
    lo = std::min(lo, p.mean);
    hi = std::max(hi, p.mean);
    for (double q : p.quantiles) {
      lo = std::min(lo, q);
      hi = std::max(hi, q);
    }
  }
  if (!(hi > lo)) hi = lo + 1;
  double pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  auto X = [&](int64_t t) {
    return L + (W - L - R) * static_cast<double>(t - t0) /
                   std::max<double>(1, t1 - t0);
  };
  auto Y = [&](double v) {
    return T + (H - T - B) * (1 - (v - lo) / (hi - lo));
  };
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W
    << "\" height=\"" << H << "\" viewBox=\"0 0 " << W << " " << H
    << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  o << "<text x=\"" << L << "\" y=\"24\" font-size=\"15\" font-weight=\"bold\">"
    << (h.series.name.empty() ? "series" : h.series.name) << ": forecast " << hz
    << " steps of " << fc.step_seconds << " s, model " << fc.model
    << "</text>\n";
  // Grid and y labels.
  for (int k = 0; k <= 5; ++k) {
    double v = lo + (hi - lo) * k / 5.0;
    double yy = Y(v);
    o << "<line x1=\"" << L << "\" x2=\"" << W - R << "\" y1=\"" << yy
      << "\" y2=\"" << yy << "\" stroke=\"#e5e5e5\"/>\n";
    o << "<text x=\"" << L - 6 << "\" y=\"" << yy + 4
      << "\" text-anchor=\"end\" fill=\"#555\">" << std::setprecision(4)
      << std::defaultfloat << v << "</text>\n";
  }
  // x labels: about 6 ticks.
  for (int k = 0; k <= 6; ++k) {
    int64_t t = t0 + (t1 - t0) * k / 6;
    std::string ts = history::FormatTimestamp(t, h.tz);
    double xx = X(t);
    o << "<line x1=\"" << xx << "\" x2=\"" << xx << "\" y1=\"" << T
      << "\" y2=\"" << H - B << "\" stroke=\"#f0f0f0\"/>\n";
    o << "<text x=\"" << xx << "\" y=\"" << H - B + 16
      << "\" text-anchor=\"middle\" fill=\"#555\">" << ts.substr(5, 11)
      << "</text>\n";
  }
  // Band: mean .. highest quantile.
  if (!quantiles.empty() && hz) {
    size_t top = static_cast<size_t>(
        std::max_element(quantiles.begin(), quantiles.end()) -
        quantiles.begin());
    o << "<polygon fill=\"#f4a261\" fill-opacity=\"0.35\" stroke=\"none\" "
         "points=\"";
    for (const auto& p : fc.points)
      o << X(p.timestamp_unix) << "," << Y(p.quantiles[top]) << " ";
    for (size_t i = hz; i-- > 0;)
      o << X(fc.points[i].timestamp_unix) << "," << Y(fc.points[i].mean) << " ";
    o << "\"/>\n";
    for (size_t q = 0; q < quantiles.size(); ++q) {
      o << "<polyline fill=\"none\" stroke=\"#e76f51\" stroke-width=\"1\" "
           "stroke-dasharray=\""
        << (q == top ? "" : "4 3") << "\" points=\"";
      for (const auto& p : fc.points)
        o << X(p.timestamp_unix) << "," << Y(p.quantiles[q]) << " ";
      o << "\"/>\n";
    }
  }
  o << "<polyline fill=\"none\" stroke=\"#264653\" stroke-width=\"1.5\" "
       "points=\"";
  for (size_t i = y.size() - tail; i < y.size(); ++i)
    o << X(h.series.TimeAt(static_cast<int64_t>(i))) << "," << Y(y[i]) << " ";
  o << "\"/>\n";
  if (hz) {
    o << "<polyline fill=\"none\" stroke=\"#2a9d8f\" stroke-width=\"2.5\" "
         "points=\"";
    o << X(h.series.TimeAt(static_cast<int64_t>(y.size() - 1))) << ","
      << Y(y.back()) << " ";
    for (const auto& p : fc.points)
      o << X(p.timestamp_unix) << "," << Y(p.mean) << " ";
    o << "\"/>\n";
    double xs = X(fc.points.front().timestamp_unix);
    o << "<line x1=\"" << xs << "\" x2=\"" << xs << "\" y1=\"" << T
      << "\" y2=\"" << H - B
      << "\" stroke=\"#999\" stroke-dasharray=\"2 2\"/>\n";
    o << "<text x=\"" << xs + 4 << "\" y=\"" << T + 12
      << "\" fill=\"#777\">now</text>\n";
  }
  // Legend.
  double lx = L, ly = H - 18;
  auto item = [&](const char* color, const std::string& text, bool band) {
    if (band)
      o << "<rect x=\"" << lx << "\" y=\"" << ly - 9
        << "\" width=\"18\" height=\"10\" fill=\"" << color
        << "\" fill-opacity=\"0.35\"/>\n";
    else
      o << "<line x1=\"" << lx << "\" x2=\"" << lx + 18 << "\" y1=\"" << ly - 4
        << "\" y2=\"" << ly - 4 << "\" stroke=\"" << color
        << "\" stroke-width=\"2.5\"/>\n";
    o << "<text x=\"" << lx + 24 << "\" y=\"" << ly << "\">" << text
      << "</text>\n";
    lx += 40 + 7.0 * text.size();
  };
  item("#264653", "history", false);
  item("#2a9d8f", "forecast (mean)", false);
  if (!quantiles.empty()) {
    double top = *std::max_element(quantiles.begin(), quantiles.end());
    item("#f4a261", "band: mean .. " + QuantileKey(top), true);
  }
  o << "</svg>\n";
  return o.str();
}

// ---- forecast ------------------------------------------------------------

struct ForecastFlags {
  HistoryFlags h;
  int64_t horizon = 0;
  std::string quantiles = "0.9,0.95";
  std::string model = "auto";
  std::string output = "text";
};

Status RunForecast(const ForecastFlags& f) {
  if (f.horizon < 1)
    return Status::InvalidArgument("horizon must be >= 1",
                                   Location{"", 0, 0, "--horizon"});
  if (f.horizon > forecast::kMaxHorizon)
    return Status::InvalidArgument(
        "horizon too large (max " + std::to_string(forecast::kMaxHorizon) + ")",
        Location{"", 0, 0, "--horizon"});
  ECOTONE_ASSIGN_OR_RETURN(std::vector<double> qs,
                           ParseDoubles(f.quantiles, "--quantiles"));
  ECOTONE_ASSIGN_OR_RETURN(LoadedHistory h, Load(f.h, /*clip=*/true));
  forecast::ForecastOptions fo;
  fo.model = f.model;
  fo.horizon = static_cast<int>(f.horizon);
  fo.quantiles = qs;
  fo.seasons = h.seasons;
  fo.tz = h.tz;
  fo.events = h.events;
  Result<forecast::ForecastOutput> r = forecast::Forecast(h.series, fo);
  if (!r.ok())
    return Status(r.status().code(), r.status().message(),
                  Location{HistorySource(f.h), 0, 0, ""});
  const forecast::ForecastOutput& fc = *r;
  if (f.output == "json") {
    nlohmann::json j;
    j["series"] = h.series.name;
    j["model"] = fc.model;
    j["step_seconds"] = fc.step_seconds;
    j["seasons"] = fc.seasons;
    j["time_zone"] = h.tz.name;
    j["history_points"] = h.series.values.size();
    j["quantile_method"] = fc.quantile_method;
    if (fc.quantile_factor > 0) j["quantile_factor"] = fc.quantile_factor;
    j["repairs"] = h.repairs.Lines();
    nlohmann::json cands = nlohmann::json::object();
    for (auto& [n, m] : fc.candidate_mae) cands[n] = m;
    j["backtest_mae"] = cands;
    nlohmann::json pts = nlohmann::json::array();
    for (const auto& p : fc.points) {
      nlohmann::json o;
      o["timestamp"] = history::FormatTimestamp(p.timestamp_unix, h.tz);
      o["mean"] = p.mean;
      for (size_t q = 0; q < qs.size(); ++q)
        o[QuantileKey(qs[q])] = p.quantiles[q];
      pts.push_back(o);
    }
    j["points"] = pts;
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (f.output == "csv") {
    std::cout << "timestamp,mean";
    for (double q : qs) std::cout << "," << QuantileKey(q);
    std::cout << "\n" << std::setprecision(10);
    for (const auto& p : fc.points) {
      std::cout << history::FormatTimestamp(p.timestamp_unix, h.tz) << ","
                << p.mean;
      for (double v : p.quantiles) std::cout << "," << v;
      std::cout << "\n";
    }
  } else if (f.output == "svg") {
    std::cout << Svg(h, fc, qs);
  } else {
    std::cout << "series " << h.series.name << ": " << h.series.values.size()
              << " points, step " << h.series.step_seconds << " s, zone "
              << h.tz.name << "\n";
    for (const std::string& l : h.repairs.Lines())
      std::cout << "  repair: " << l << "\n";
    std::cout << "model " << fc.model << "; quantiles: " << fc.quantile_method
              << "\n";
    for (auto& [n, m] : fc.candidate_mae)
      std::cout << "  backtest MAE " << std::setw(10) << n << " " << Num(m)
                << "\n";
    std::cout << std::left << std::setw(27) << "timestamp" << std::right
              << std::setw(14) << "mean";
    for (double q : qs) std::cout << std::setw(14) << QuantileKey(q);
    std::cout << "\n";
    for (const auto& p : fc.points) {
      std::cout << std::left << std::setw(27)
                << history::FormatTimestamp(p.timestamp_unix, h.tz)
                << std::right << std::setw(14) << Num(p.mean, 3);
      for (double v : p.quantiles) std::cout << std::setw(14) << Num(v, 3);
      std::cout << "\n";
    }
  }
  return Status::Ok();
}

// ---- backtest ------------------------------------------------------------

struct BacktestFlags {
  HistoryFlags h;
  int horizon = 48;
  int origins = 7;
  int64_t origin_step = 96;
  int64_t first_origin = 3360;
  int mase_period = 0;
  std::string models = "snaive,hw2,mstl,regression,auto";
  std::string quantiles = "0.9,0.95";
  std::string output = "text";
};

double CpuSeconds() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

Status RunBacktest(const BacktestFlags& f) {
  if (f.horizon > forecast::kMaxHorizon)
    return Status::InvalidArgument(
        "horizon too large (max " + std::to_string(forecast::kMaxHorizon) + ")",
        Location{"", 0, 0, "--horizon"});
  ECOTONE_ASSIGN_OR_RETURN(std::vector<double> qs,
                           ParseDoubles(f.quantiles, "--quantiles"));
  for (double q : qs)
    if (!(q > 0 && q < 1))
      return Status::InvalidArgument("quantiles must be in (0, 1)",
                                     Location{"", 0, 0, "--quantiles"});
  // The truth must stay raw: no outlier clipping in the backtest.
  ECOTONE_ASSIGN_OR_RETURN(LoadedHistory h, Load(f.h, /*clip=*/false));
  forecast::BacktestOptions bo;
  bo.horizon = f.horizon;
  bo.origins = f.origins;
  bo.origin_step = f.origin_step;
  bo.first_origin = f.first_origin;
  bo.quantiles = qs;
  bo.seasons = h.seasons.empty()
                   ? forecast::DefaultSeasons(h.series.step_seconds)
                   : h.seasons;
  std::sort(bo.seasons.begin(), bo.seasons.end());
  bo.mase_period = f.mase_period > 0
                       ? f.mase_period
                       : (bo.seasons.empty() ? 1 : bo.seasons.back());
  bo.tz = h.tz;
  bo.events = h.events;
  bo.models.clear();
  std::stringstream ss(f.models);
  std::string m;
  while (std::getline(ss, m, ',')) {
    if (m != "auto") {
      auto mk = forecast::MakeModel(m);
      if (!mk.ok())
        return Status::InvalidArgument(mk.status().message(),
                                       Location{"", 0, 0, "--models"});
    }
    bo.models.push_back(m);
  }
  Result<forecast::BacktestReport> r =
      forecast::Backtest(h.series, bo, CpuSeconds);
  if (!r.ok())
    return Status(r.status().code(), r.status().message(),
                  Location{HistorySource(f.h), 0, 0, ""});
  if (f.output == "json") {
    nlohmann::json j;
    j["series"] = h.series.name;
    j["points"] = h.series.values.size();
    j["step_seconds"] = h.series.step_seconds;
    j["horizon"] = f.horizon;
    j["origins"] = f.origins;
    j["origin_step"] = f.origin_step;
    j["first_origin"] = f.first_origin;
    j["mase_period"] = bo.mase_period;
    j["repairs"] = h.repairs.Lines();
    // The metrics of a model's mean (ModelScore) and of one origin
    // (OriginScore) under the same keys.
    auto metrics = [&qs](const auto& s, nlohmann::json& o) {
      o["mase"] = s.mase;
      o["smape"] = s.smape;
      for (size_t q = 0; q < qs.size(); ++q)
        o["coverage_" + QuantileKey(qs[q])] = s.coverage[q];
      o["pinball"] = s.pinball;
    };
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& s : r->scores) {
      nlohmann::json o;
      o["model"] = s.model;
      metrics(s, o);
      o["cpu_seconds_per_fit"] = s.cpu_seconds_per_fit;
      o["chosen"] = s.chosen;
      nlohmann::json per = nlohmann::json::array();
      for (size_t k = 0; k < s.per_origin.size(); ++k) {
        nlohmann::json e;
        e["origin"] = s.per_origin[k].origin;
        metrics(s.per_origin[k], e);
        e["chosen"] = s.chosen[k];
        per.push_back(e);
      }
      o["per_origin"] = per;
      arr.push_back(o);
    }
    j["scores"] = arr;
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return Status::Ok();
  }
  std::cout << "series " << h.series.name << ": " << h.series.values.size()
            << " points, step " << h.series.step_seconds << " s; horizon "
            << f.horizon << ", " << f.origins << " origins from "
            << f.first_origin << " every " << f.origin_step
            << "; MASE scale: seasonal naive m=" << bo.mase_period << "\n";
  std::cout << std::left << std::setw(12) << "model" << std::right
            << std::setw(8) << "MASE" << std::setw(9) << "sMAPE%";
  for (double q : qs)
    std::cout << std::setw(9) << ("cov" + QuantileKey(q).substr(1));
  std::cout << std::setw(9) << "pinball" << std::setw(11) << "cpu s/fit"
            << "\n";
  for (const auto& s : r->scores) {
    std::cout << std::left << std::setw(12) << s.model << std::right
              << std::setw(8) << Num(s.mase, 3) << std::setw(9)
              << Num(s.smape, 2);
    for (double c : s.coverage) std::cout << std::setw(9) << Num(100 * c, 1);
    std::cout << std::setw(9) << Num(s.pinball, 3) << std::setw(11)
              << Num(s.cpu_seconds_per_fit, 4) << "\n";
  }
  return Status::Ok();
}

// ---- scale ---------------------------------------------------------------

struct ScaleFlags {
  std::vector<std::string> manifests;
  HistoryFlags h;
  std::string component;
  int64_t horizon = 48;
  double quantile = 0.95;
  int max_scale_in = 1;
  std::string output = "text";
};

Status RunScale(const ScaleFlags& f) {
  if (f.horizon < 1 || f.horizon > forecast::kMaxHorizon)
    return Status::InvalidArgument(
        f.horizon < 1 ? "horizon must be >= 1"
                      : "horizon too large (max " +
                            std::to_string(forecast::kMaxHorizon) + ")",
        Location{"", 0, 0, "--horizon"});
  if (!(f.quantile > 0 && f.quantile < 1))
    return Status::InvalidArgument("quantile must be in (0, 1)",
                                   Location{"", 0, 0, "--quantile"});
  ECOTONE_ASSIGN_OR_RETURN(
      manifest::LoadResult lr,
      manifest::LoadFiles(f.manifests, manifest::LoadOptions{}));
  // Components to scale: --component, or every component with a capacity.
  std::vector<const model::Component*> comps;
  for (const model::Component& c : lr.ecosystem.components)
    if ((f.component.empty() && c.capacity_rps_per_replica > 0) ||
        c.name == f.component)
      comps.push_back(&c);
  if (comps.empty())
    return Status::InvalidArgument(
        f.component.empty() ? "no component declares a capacity per replica"
                            : "no component '" + f.component + "'",
        Location{f.manifests.empty() ? "" : f.manifests[0], 0, 0,
                 "components"});
  nlohmann::json out = nlohmann::json::array();
  for (const model::Component* c : comps) {
    if (!(c->capacity_rps_per_replica > 0))
      return Status::InvalidArgument(
          "component has no capacity per replica",
          Location{c->where.file, c->where.line, c->where.column, c->name});
    HistoryFlags hf = f.h;
    if (hf.series.empty() && comps.size() > 1) hf.series = c->name;
    ECOTONE_ASSIGN_OR_RETURN(LoadedHistory h, Load(hf, true));
    forecast::ForecastOptions fo;
    fo.horizon = static_cast<int>(f.horizon);
    fo.quantiles = {f.quantile};
    fo.seasons = h.seasons;
    fo.tz = h.tz;
    fo.events = h.events;
    Result<forecast::ForecastOutput> r = forecast::Forecast(h.series, fo);
    if (!r.ok())
      return Status(r.status().code(), r.status().message(),
                    Location{HistorySource(f.h), 0, 0, ""});
    std::vector<double> demand;
    for (const auto& p : r->points) demand.push_back(p.quantiles[0]);
    forecast::ScalingPolicy pol;
    pol.capacity_per_replica = c->capacity_rps_per_replica;
    pol.min_replicas = c->replicas.min;
    pol.max_replicas = std::max(c->replicas.max, c->replicas.min);
    pol.startup_seconds = c->startup_us / 1000000;
    pol.max_scale_in_per_step = f.max_scale_in;
    pol.current_replicas = c->replicas.initial;
    Result<std::vector<forecast::ReplicaStep>> sched =
        forecast::ScheduleReplicas(demand, h.series.step_seconds, pol);
    if (!sched.ok())
      return Status(
          sched.status().code(), sched.status().message(),
          Location{c->where.file, c->where.line, c->where.column, c->name});
    if (f.output == "json") {
      nlohmann::json jc;
      jc["component"] = c->name;
      jc["model"] = r->model;
      jc["quantile"] = f.quantile;
      jc["capacity_per_replica"] = pol.capacity_per_replica;
      jc["startup_seconds"] = pol.startup_seconds;
      nlohmann::json steps = nlohmann::json::array();
      for (size_t i = 0; i < sched->size(); ++i)
        steps.push_back({{"timestamp", history::FormatTimestamp(
                                           r->points[i].timestamp_unix, h.tz)},
                         {"demand", demand[i]},
                         {"needed", (*sched)[i].needed},
                         {"replicas", (*sched)[i].replicas},
                         {"held_by_scale_in_limit", (*sched)[i].held},
                         {"capped_at_max", (*sched)[i].capped}});
      jc["schedule"] = steps;
      out.push_back(jc);
    } else {
      std::cout << "component " << c->name << ": capacity "
                << pol.capacity_per_replica << "/replica, replicas "
                << pol.min_replicas << ".." << pol.max_replicas << ", start-up "
                << pol.startup_seconds << " s, demand at "
                << QuantileKey(f.quantile) << " of " << r->model << "\n";
      for (size_t i = 0; i < sched->size(); ++i) {
        const auto& s = (*sched)[i];
        std::cout << "  "
                  << history::FormatTimestamp(r->points[i].timestamp_unix, h.tz)
                  << std::setw(14) << Num(demand[i], 2) << std::setw(6)
                  << s.replicas << (s.held ? "  (held: scale-in limit)" : "")
                  << (s.capped ? "  (capped at max)" : "") << "\n";
      }
    }
  }
  if (f.output == "json") std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return Status::Ok();
}

}  // namespace

void RegisterForecast(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ForecastFlags>();
  CLI::App* cmd = app.add_subcommand(
      "forecast",
      "forecast a demand series with calibrated quantiles (docs/forecast.md)");
  AddHistoryFlags(cmd, &f->h);
  cmd->add_option("--horizon", f->horizon,
                  "steps to forecast after the last observation")
      ->required();
  cmd->add_option("--quantiles", f->quantiles,
                  "comma-separated quantiles in (0,1)");
  cmd->add_option("--model", f->model,
                  "auto|snaive|snaive_d|snaive_w|hw1|hw2|mstl|regression");
  cmd->add_flag("--no-clip", f->h.no_clip,
                "do not clip outliers in the history");
  cmd->add_option("--output", f->output, "text|json|csv|svg")
      ->check(CLI::IsMember({"text", "json", "csv", "svg"}));
  cmd->callback([f, exit_code] {
    Status st = RunForecast(*f);
    *exit_code = st.ok() ? kExitOk : ReportError(st);
  });
}

void RegisterBacktest(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<BacktestFlags>();
  CLI::App* cmd = app.add_subcommand(
      "backtest",
      "rolling-origin backtest: MASE, sMAPE, coverage, pinball per model");
  AddHistoryFlags(cmd, &f->h);
  cmd->add_option("--horizon", f->horizon, "steps forecast at each origin");
  cmd->add_option("--origins", f->origins, "number of origins");
  cmd->add_option("--origin-step", f->origin_step, "steps between origins");
  cmd->add_option(
      "--first-origin", f->first_origin,
      "1-based index of the last training point of the first origin");
  cmd->add_option(
      "--mase-period", f->mase_period,
      "seasonal-naive period of the MASE scale (default: longest season)");
  cmd->add_option("--models", f->models,
                  "comma-separated models (auto included)");
  cmd->add_option("--quantiles", f->quantiles, "comma-separated quantiles");
  cmd->add_option("--output", f->output, "text|json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([f, exit_code] {
    Status st = RunBacktest(*f);
    *exit_code = st.ok() ? kExitOk : ReportError(st);
  });
}

void RegisterScale(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<ScaleFlags>();
  CLI::App* cmd = app.add_subcommand(
      "scale", "replica schedule per component from the demand forecast");
  cmd->add_option("--manifest", f->manifests, "manifest file(s)")->required();
  AddHistoryFlags(cmd, &f->h);
  cmd->add_option("--component", f->component,
                  "component to scale (default: every one with a capacity; the "
                  "history series of each is its name)");
  cmd->add_option("--horizon", f->horizon, "steps to schedule");
  cmd->add_option("--quantile", f->quantile,
                  "demand quantile to provision for");
  cmd->add_option("--max-scale-in", f->max_scale_in,
                  "replicas removed per step at most");
  cmd->add_option("--output", f->output, "text|json")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([f, exit_code] {
    Status st = RunScale(*f);
    *exit_code = st.ok() ? kExitOk : ReportError(st);
  });
}

}  // namespace ecotone::cli
