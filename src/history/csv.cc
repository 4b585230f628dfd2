// CSV history reader (dialects listed in history.h).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <regex>

#include "ecotone/history/history.h"

namespace ecotone::history {
namespace {

struct Field {
  std::string text;
  int column = 1;  // 1-based byte column of the field start.
};

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

// Splits one line on `delim`, honouring double quotes ("" = a quote).
std::vector<Field> Split(std::string_view line, char delim) {
  std::vector<Field> out;
  size_t i = 0;
  while (true) {
    Field f;
    f.column = static_cast<int>(i) + 1;
    std::string cur;
    size_t j = i;
    while (j < line.size() && (line[j] == ' ' || line[j] == '\t') &&
           delim != '\t')
      ++j;
    if (j < line.size() && line[j] == '"') {
      ++j;
      while (j < line.size()) {
        if (line[j] == '"') {
          if (j + 1 < line.size() && line[j + 1] == '"') {
            cur += '"';
            j += 2;
            continue;
          }
          ++j;
          break;
        }
        cur += line[j++];
      }
      while (j < line.size() && line[j] != delim) ++j;
      f.text = cur;
    } else {
      size_t k = line.find(delim, j);
      if (k == std::string_view::npos) k = line.size();
      f.text = Trim(line.substr(j, k - j));
      j = k;
    }
    out.push_back(std::move(f));
    if (j >= line.size()) break;
    i = j + 1;  // skip the delimiter
    if (i == line.size()) {
      Field e;
      e.column = static_cast<int>(i) + 1;
      out.push_back(e);
      break;
    }
  }
  return out;
}

bool LooksNumeric(const std::string& s) {
  if (s.empty()) return false;
  double v;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

// Parses a value; empty, NaN and inf become NaN (counted as missing).
bool ParseValue(const std::string& s, double* v) {
  std::string l = Lower(s);
  if (l.empty() || l == "nan" || l == "-nan" || l == "inf" || l == "+inf" ||
      l == "-inf" || l == "infinity" || l == "-infinity" || l == "null" ||
      l == "na") {
    *v = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  const char* b = s.data();
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, s.data() + s.size(), *v);
  if (ec == std::errc::result_out_of_range) {
    *v = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  if (!std::isfinite(*v)) *v = std::numeric_limits<double>::quiet_NaN();
  return true;
}

}  // namespace

Result<RawSeries> ReadCsv(std::string_view file_name, std::string_view text,
                          const ReadOptions& options) {
  const std::string file(file_name);
  auto where = [&](int line, int col, std::string path) {
    return Location{file, line, col, std::move(path)};
  };
  // Lines, with their 1-based numbers; blank lines skipped.
  std::vector<std::pair<int, std::string_view>> lines;
  {
    size_t pos = 0;
    int no = 0;
    if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
        static_cast<unsigned char>(text[1]) == 0xBB &&
        static_cast<unsigned char>(text[2]) == 0xBF)
      pos = 3;
    while (pos <= text.size()) {
      size_t e = text.find('\n', pos);
      if (e == std::string_view::npos) e = text.size();
      ++no;
      std::string_view l = text.substr(pos, e - pos);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      bool blank = std::all_of(l.begin(), l.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c));
      });
      if (!blank) lines.emplace_back(no, l);
      if (e == text.size()) break;
      pos = e + 1;
    }
  }
  if (lines.empty())
    return Status::InvalidArgument("empty history: a header line is required",
                                   where(1, 1, ""));
  const std::string_view head = lines[0].second;
  char delim = ',';
  if (head.find(';') != std::string_view::npos)
    delim = ';';
  else if (head.find(',') != std::string_view::npos)
    delim = ',';
  else if (head.find('\t') != std::string_view::npos)
    delim = '\t';
  std::vector<Field> header = Split(head, delim);
  if (LooksNumeric(header[0].text))
    return Status::InvalidArgument(
        "missing header line (expected e.g. `timestamp,value`)",
        where(lines[0].first, 1, ""));
  RawSeries out;
  int ts_col = -1, series_col = -1, value_col = -1;
  std::vector<int> value_candidates;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string h = Lower(header[i].text);
    if (ts_col < 0 &&
        (h == "timestamp" || h == "ds" || h == "time" || h == "date" ||
         h == "datetime" || h.rfind("timestamp", 0) == 0))
      ts_col = static_cast<int>(i);
    else if (series_col < 0 && (h == "series" || h == "metric" || h == "name"))
      series_col = static_cast<int>(i);
    else
      value_candidates.push_back(static_cast<int>(i));
  }
  if (!options.column.empty()) {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i].text == options.column) value_col = static_cast<int>(i);
    if (value_col < 0) {
      std::string names;
      for (int i : value_candidates)
        names += (names.empty() ? "" : ", ") + header[i].text;
      return Status::NotFound(
          "no column '" + options.column + "' (columns: " + names + ")",
          where(lines[0].first, 1, options.column));
    }
  } else {
    for (int i : value_candidates) {
      std::string h = Lower(header[i].text);
      if (h == "value" || h == "y" || h == "v") value_col = i;
    }
    if (value_col < 0 && !value_candidates.empty()) {
      value_col = value_candidates[0];
      if (value_candidates.size() > 1) {
        std::string names;
        for (int i : value_candidates)
          names += (names.empty() ? "" : ", ") + header[i].text;
        out.notes.push_back("several value columns (" + names + "); using '" +
                            header[value_col].text +
                            "' (choose with --column)");
      }
    }
    if (value_col < 0)
      return Status::InvalidArgument("no value column in the header",
                                     where(lines[0].first, 1, ""));
  }
  const std::string value_name = header[value_col].text;
  int64_t step = options.step_seconds;
  if (ts_col < 0) {
    if (step <= 0) {
      static const std::regex kSeconds("(\\d+)_seconds");
      std::smatch m;
      std::string fname(file);
      if (std::regex_search(fname, m, kSeconds)) {
        step = std::stoll(m[1].str());
        out.notes.push_back(
            "no timestamp column: rows are " + std::to_string(step) +
            " s apart (from the file name; override with --step)");
      }
    } else {
      out.notes.push_back("no timestamp column: rows are " +
                          std::to_string(step) + " s apart (--step)");
    }
    if (step <= 0)
      return Status::InvalidArgument(
          "no timestamp column: pass --step SECONDS (row i is at i * step)",
          where(lines[0].first, 1, ""));
  }
  // Series selection.
  std::map<std::string, int> series_seen;
  bool naive_local = false;
  int64_t row = 0;
  out.name = value_name;
  for (size_t li = 1; li < lines.size(); ++li) {
    const int line_no = lines[li].first;
    std::vector<Field> f = Split(lines[li].second, delim);
    if (delim == ';' && f.size() == header.size() + 1 && f.back().text.empty())
      f.pop_back();  // trailing separator
    const int needed = std::max({ts_col, series_col, value_col}) + 1;
    if (static_cast<int>(f.size()) < needed)
      return Status::InvalidArgument(
          "expected " + std::to_string(header.size()) + " fields, got " +
              std::to_string(f.size()),
          where(line_no, 1, ""));
    if (series_col >= 0) {
      const std::string& s = f[series_col].text;
      series_seen.emplace(s, line_no);
      if (options.series.empty()) {
        if (series_seen.size() > 1) {
          std::string names;
          for (auto& [n, l] : series_seen)
            names += (names.empty() ? "" : ", ") + n;
          return Status::InvalidArgument(
              "several series (" + names + "); choose one with --series",
              where(line_no, f[series_col].column, header[series_col].text));
        }
        out.name = s;
      } else if (s != options.series) {
        continue;
      } else {
        out.name = s;
      }
    }
    int64_t t;
    if (ts_col >= 0) {
      const Field& tf = f[ts_col];
      std::string_view ts = tf.text;
      Result<int64_t> r = ParseTimestamp(ts, options.tz);
      if (!r.ok())
        return Status::InvalidArgument(
            r.status().message(),
            where(line_no, tf.column, header[ts_col].text));
      t = *r;
      if (!naive_local && ts.size() >= 10 && ts[4] == '-') {
        bool has_off =
            ts.back() == 'Z' || ts.back() == 'z' ||
            (ts.size() > 19 && (ts.find('+', 10) != std::string_view::npos ||
                                ts.find('-', 11) != std::string_view::npos));
        if (!has_off) naive_local = true;
      }
    } else {
      t = row * step;
    }
    double v;
    const Field& vf = f[value_col];
    if (!ParseValue(vf.text, &v))
      return Status::InvalidArgument(
          "expected a number, got '" + vf.text.substr(0, 40) + "'",
          where(line_no, vf.column, value_name));
    out.times.push_back(t);
    out.values.push_back(v);
    ++row;
  }
  if (series_col >= 0 && !options.series.empty() && out.times.empty()) {
    std::string names;
    for (auto& [n, l] : series_seen) names += (names.empty() ? "" : ", ") + n;
    return Status::NotFound(
        "no series '" + options.series + "' (series: " + names + ")",
        where(lines[0].first, header[series_col].column,
              header[series_col].text));
  }
  if (naive_local)
    out.notes.push_back("timestamps without UTC offset read as local time in " +
                        options.tz.name + " (set with --tz)");
  return out;
}

}  // namespace ecotone::history
