// OpenMetrics / Prometheus text exposition reader.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

#include "ecotone/history/history.h"

namespace ecotone::history {
namespace {

bool NameChar(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

bool ParseNumber(std::string_view s, double* v) {
  if (s == "NaN" || s == "nan") {
    *v = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (s == "+Inf" || s == "Inf" || s == "-Inf" || s == "+inf" || s == "-inf") {
    *v = std::numeric_limits<double>::quiet_NaN();  // unusable as demand
    return true;
  }
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

struct Collected {
  RawSeries series;
  int first_line = 0;
};

}  // namespace

Result<RawSeries> ReadOpenMetrics(std::string_view file_name,
                                  std::string_view text,
                                  const ReadOptions& options) {
  const std::string file(file_name);
  auto where = [&](int line, int col, std::string path = "") {
    return Location{file, line, col, std::move(path)};
  };
  const bool openmetrics = text.find("# EOF") != std::string_view::npos;
  std::map<std::string, std::string> types;  // family -> type
  std::map<std::string, Collected> all;      // key -> samples
  std::vector<std::string> order;
  size_t pos = 0;
  int line_no = 0;
  bool eof_seen = false;
  while (pos < text.size()) {
    size_t e = text.find('\n', pos);
    if (e == std::string_view::npos) e = text.size();
    std::string_view l = text.substr(pos, e - pos);
    pos = e + 1;
    ++line_no;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.empty()) continue;
    if (eof_seen)
      return Status::InvalidArgument("content after # EOF", where(line_no, 1));
    if (l[0] == '#') {
      if (l == "# EOF") {
        eof_seen = true;
        continue;
      }
      if (l.rfind("# TYPE ", 0) == 0) {
        std::string_view rest = l.substr(7);
        size_t sp = rest.find(' ');
        if (sp == std::string_view::npos)
          return Status::InvalidArgument("malformed # TYPE line",
                                         where(line_no, 1));
        types[std::string(rest.substr(0, sp))] =
            std::string(rest.substr(sp + 1));
      }
      continue;
    }
    // name
    size_t i = 0;
    if (!NameChar(l[0], true))
      return Status::InvalidArgument("expected a metric name",
                                     where(line_no, 1));
    while (i < l.size() && NameChar(l[i], false)) ++i;
    std::string name(l.substr(0, i));
    std::string key = name;
    if (i < l.size() && l[i] == '{') {
      // Labels, kept verbatim (values unescaped and re-quoted canonically).
      std::vector<std::pair<std::string, std::string>> labels;
      ++i;
      while (true) {
        while (i < l.size() && (l[i] == ' ' || l[i] == ',')) ++i;
        if (i >= l.size())
          return Status::InvalidArgument(
              "unterminated label set",
              where(line_no, static_cast<int>(i) + 1, name));
        if (l[i] == '}') {
          ++i;
          break;
        }
        size_t ls = i;
        while (i < l.size() && NameChar(l[i], i == ls)) ++i;
        if (i == ls || i >= l.size() || l[i] != '=' || i + 1 >= l.size() ||
            l[i + 1] != '"')
          return Status::InvalidArgument(
              "expected label=\"value\"",
              where(line_no, static_cast<int>(i) + 1, name));
        std::string lname(l.substr(ls, i - ls));
        i += 2;
        std::string val;
        bool closed = false;
        while (i < l.size()) {
          char c = l[i++];
          if (c == '\\' && i < l.size()) {
            char n = l[i++];
            val += n == 'n' ? '\n' : n;
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            val += c;
          }
        }
        if (!closed)
          return Status::InvalidArgument(
              "unterminated label value",
              where(line_no, static_cast<int>(i), name + "." + lname));
        labels.emplace_back(lname, val);
      }
      std::sort(labels.begin(), labels.end());
      key += "{";
      for (size_t k = 0; k < labels.size(); ++k)
        key +=
            (k ? "," : "") + labels[k].first + "=\"" + labels[k].second + "\"";
      key += "}";
    }
    // value and timestamp
    std::vector<std::pair<std::string_view, int>> tok;
    while (i < l.size()) {
      while (i < l.size() && l[i] == ' ') ++i;
      if (i >= l.size() || l[i] == '#') break;  // exemplar
      size_t s = i;
      while (i < l.size() && l[i] != ' ') ++i;
      tok.emplace_back(l.substr(s, i - s), static_cast<int>(s) + 1);
    }
    if (tok.empty())
      return Status::InvalidArgument(
          "missing sample value", where(line_no, static_cast<int>(i) + 1, key));
    if (tok.size() < 2)
      return Status::InvalidArgument(
          "sample without timestamp (history needs `name value timestamp`)",
          where(line_no, tok[0].second, key));
    if (tok.size() > 2)
      return Status::InvalidArgument("unexpected token after the timestamp",
                                     where(line_no, tok[2].second, key));
    double v, ts;
    if (!ParseNumber(tok[0].first, &v))
      return Status::InvalidArgument(
          "bad sample value '" + std::string(tok[0].first.substr(0, 40)) + "'",
          where(line_no, tok[0].second, key));
    if (!ParseNumber(tok[1].first, &ts) || !std::isfinite(ts) ||
        std::fabs(ts) > 1e15)
      return Status::InvalidArgument(
          "bad timestamp '" + std::string(tok[1].first.substr(0, 40)) + "'",
          where(line_no, tok[1].second, key));
    if (!openmetrics) ts /= 1000.0;  // Prometheus text: milliseconds
    auto [it, inserted] = all.try_emplace(key);
    if (inserted) {
      order.push_back(key);
      it->second.series.name = key;
      it->second.first_line = line_no;
      std::string family = name;
      for (const char* suf : {"_total", "_created"}) {
        std::string s(suf);
        if (family.size() > s.size() && family.ends_with(s))
          family = family.substr(0, family.size() - s.size());
      }
      auto ty = types.find(family);
      if (ty == types.end()) ty = types.find(name);
      it->second.series.counter = ty != types.end() && ty->second == "counter";
    }
    it->second.series.times.push_back(static_cast<int64_t>(std::llround(ts)));
    it->second.series.values.push_back(v);
  }
  if (order.empty())
    return Status::InvalidArgument("no samples",
                                   where(std::max(1, line_no), 1));
  const Collected* chosen = nullptr;
  if (!options.series.empty()) {
    auto it = all.find(options.series);
    if (it != all.end()) chosen = &it->second;
    for (const std::string& k : order) {
      if (chosen) break;
      if (k.substr(0, k.find('{')) == options.series) {
        if (chosen) break;
        chosen = &all[k];
      }
    }
    if (!chosen) {
      std::string names;
      for (const std::string& k : order)
        names += (names.empty() ? "" : ", ") + k;
      return Status::NotFound("no series '" + options.series +
                                  "' (series: " + names.substr(0, 400) + ")",
                              where(1, 1));
    }
  } else if (order.size() > 1) {
    std::string names;
    for (const std::string& k : order) names += (names.empty() ? "" : ", ") + k;
    return Status::InvalidArgument("several series (" + names.substr(0, 400) +
                                       "); choose one with --series",
                                   where(all[order[1]].first_line, 1));
  } else {
    chosen = &all[order[0]];
  }
  RawSeries out = chosen->series;
  out.notes.push_back(openmetrics
                          ? "OpenMetrics text (timestamps in seconds)"
                          : "Prometheus text format (timestamps in ms)");
  if (out.counter)
    out.notes.push_back("counter: converted to a per-second rate");
  return out;
}

}  // namespace ecotone::history
