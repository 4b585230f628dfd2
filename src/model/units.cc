#include "ecotone/model/units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace ecotone::model {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// Splits "1.5Gi" into number 1.5 and suffix "Gi". The number may have a sign
// (rejected later), a fraction and an exponent ("1e9").
bool SplitNumber(std::string_view s, double* number, std::string_view* suffix) {
  s = Trim(s);
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits_start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  }
  if (i == digits_start || (i == digits_start + 1 && s[digits_start] == '.'))
    return false;
  // Exponent only when followed by digits ("1e9"), so "1E" stays a suffix.
  if (i + 1 < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      i = j;
    }
  }
  std::string num(s.substr(0, i));
  char* end = nullptr;
  double v = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size()) return false;
  *number = v;
  *suffix = Trim(s.substr(i));
  return true;
}

Status Bad(std::string_view text, std::string_view what, std::string_view forms) {
  return Status::InvalidArgument("invalid " + std::string(what) + " '" +
                                 std::string(text) + "' (expected " +
                                 std::string(forms) + ")");
}

// Checks sign and range and converts to int64, rounding up fractions so a
// tiny positive request never becomes 0.
Result<int64_t> ToInt(double v, std::string_view text, std::string_view what) {
  if (!std::isfinite(v))
    return Status::InvalidArgument("invalid " + std::string(what) + " '" +
                                   std::string(text) + "': not a finite number");
  if (v < 0)
    return Status::InvalidArgument(std::string(what) + " '" +
                                   std::string(text) + "' is negative");
  if (v > 9.0e18)
    return Status::InvalidArgument(std::string(what) + " '" +
                                   std::string(text) + "' is too large");
  double r = std::ceil(v - 1e-9);
  if (r < 0) r = 0;
  return static_cast<int64_t>(r);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trimmed(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

}  // namespace

Result<int64_t> ParseCpuMillicores(std::string_view text) {
  constexpr std::string_view kForms = "cores like '2' or '0.5', or millicores like '500m'";
  double v;
  std::string_view suf;
  if (!SplitNumber(text, &v, &suf)) return Bad(text, "cpu", kForms);
  double milli;
  if (suf.empty()) {
    milli = v * 1000.0;
  } else if (suf == "m") {
    milli = v;
  } else if (suf == "u") {
    milli = v / 1000.0;
  } else if (suf == "n") {
    milli = v / 1e6;
  } else {
    return Bad(text, "cpu", kForms);
  }
  return ToInt(milli, text, "cpu");
}

Result<int64_t> ParseBytes(std::string_view text) {
  constexpr std::string_view kForms =
      "bytes with an optional unit: k M G T P E, Ki Mi Gi Ti Pi Ei, or b kb mb gb";
  double v;
  std::string_view suf;
  if (!SplitNumber(text, &v, &suf)) return Bad(text, "size", kForms);
  double mult = 1;
  static constexpr std::pair<std::string_view, double> kExact[] = {
      {"", 1},
      {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
      {"P", 1e15}, {"E", 1e18},
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0},
      {"Ti", 1099511627776.0}, {"Pi", 1125899906842624.0},
      {"Ei", 1152921504606846976.0},
      {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0},
      {"TiB", 1099511627776.0},
  };
  bool found = false;
  for (const auto& [s, m] : kExact) {
    if (suf == s) {
      mult = m;
      found = true;
      break;
    }
  }
  if (!found) {
    // Docker/Compose byte values: b, k/kb, m/mb, g/gb (binary multiples).
    std::string l = Lower(suf);
    static constexpr std::pair<std::string_view, double> kDocker[] = {
        {"b", 1}, {"k", 1024.0}, {"kb", 1024.0}, {"m", 1048576.0},
        {"mb", 1048576.0}, {"g", 1073741824.0}, {"gb", 1073741824.0},
        {"t", 1099511627776.0}, {"tb", 1099511627776.0},
    };
    for (const auto& [s, m] : kDocker) {
      if (l == s) {
        mult = m;
        found = true;
        break;
      }
    }
  }
  if (!found) return Bad(text, "size", kForms);
  return ToInt(v * mult, text, "size");
}

Result<int64_t> ParseBandwidthBps(std::string_view text) {
  constexpr std::string_view kForms =
      "a rate like '100Mbps', '1Gbps', '500kbps' or '10MB/s'";
  double v;
  std::string_view suf;
  if (!SplitNumber(text, &v, &suf)) return Bad(text, "bandwidth", kForms);
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"bps", 1}, {"kbps", 1e3}, {"Kbps", 1e3}, {"Mbps", 1e6}, {"Gbps", 1e9},
      {"Tbps", 1e12}, {"bit/s", 1}, {"kbit/s", 1e3}, {"Kbit/s", 1e3},
      {"Mbit/s", 1e6}, {"Gbit/s", 1e9}, {"Tbit/s", 1e12},
      {"B/s", 8}, {"kB/s", 8e3}, {"KB/s", 8e3}, {"MB/s", 8e6}, {"GB/s", 8e9},
      {"KiB/s", 8.0 * 1024}, {"MiB/s", 8.0 * 1048576}, {"GiB/s", 8.0 * 1073741824},
  };
  for (const auto& [s, m] : kUnits)
    if (suf == s) return ToInt(v * m, text, "bandwidth");
  return Bad(text, "bandwidth", kForms);
}

Result<int64_t> ParseDurationMicros(std::string_view text) {
  constexpr std::string_view kForms =
      "a duration like '5ms', '250us', '1.5s', '2m', '1h', '1m30s' or seconds";
  std::string_view s = Trim(text);
  if (s.empty()) return Bad(text, "duration", kForms);
  double total = 0;
  bool any = false;
  while (!s.empty()) {
    double v;
    std::string_view rest;
    if (!SplitNumber(s, &v, &rest)) return Bad(text, "duration", kForms);
    if (v < 0)
      return Status::InvalidArgument("duration '" + std::string(text) +
                                     "' is negative");
    // Take the unit letters.
    size_t n = 0;
    while (n < rest.size() && std::isalpha(static_cast<unsigned char>(rest[n]))) ++n;
    std::string_view unit = rest.substr(0, n);
    double mult;
    if (unit.empty()) {
      if (any || !Trim(rest).empty()) return Bad(text, "duration", kForms);
      mult = 1e6;
    } else if (unit == "ns") {
      mult = 1e-3;
    } else if (unit == "us" || unit == "µs") {
      mult = 1;
    } else if (unit == "ms") {
      mult = 1e3;
    } else if (unit == "s") {
      mult = 1e6;
    } else if (unit == "m" || unit == "min") {
      mult = 60e6;
    } else if (unit == "h") {
      mult = 3600e6;
    } else if (unit == "d") {
      mult = 86400e6;
    } else if (unit == "w") {
      mult = 604800e6;
    } else {
      return Bad(text, "duration", kForms);
    }
    total += v * mult;
    any = true;
    s = Trim(rest.substr(n));
  }
  return ToInt(total, text, "duration");
}

Result<double> ParseByteRate(std::string_view text) {
  constexpr std::string_view kForms =
      "a data rate like '5MB/s', '200KB/s', '1.5MiB/s' (a plain number is MB/s)";
  double v;
  std::string_view suf;
  if (!SplitNumber(text, &v, &suf)) return Bad(text, "data rate", kForms);
  if (!std::isfinite(v) || v < 0)
    return Status::InvalidArgument("data rate '" + std::string(text) +
                                   "' must be a non-negative number");
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"", 1e6}, {"B/s", 1}, {"kB/s", 1e3}, {"KB/s", 1e3}, {"MB/s", 1e6},
      {"GB/s", 1e9}, {"KiB/s", 1024.0}, {"MiB/s", 1048576.0},
      {"GiB/s", 1073741824.0}, {"Mbps", 1e6 / 8}, {"Gbps", 1e9 / 8},
      {"kbps", 1e3 / 8},
  };
  for (const auto& [s, m] : kUnits)
    if (suf == s) return v * m;
  return Bad(text, "data rate", kForms);
}

std::string FormatCpu(int64_t millicores) {
  if (millicores % 1000 == 0) return std::to_string(millicores / 1000);
  return std::to_string(millicores) + "m";
}

std::string FormatBytes(int64_t bytes) {
  static constexpr std::pair<const char*, double> kUnits[] = {
      {"Ei", 1152921504606846976.0}, {"Pi", 1125899906842624.0},
      {"Ti", 1099511627776.0}, {"Gi", 1073741824.0}, {"Mi", 1048576.0},
      {"Ki", 1024.0}};
  for (const auto& [u, m] : kUnits)
    if (static_cast<double>(bytes) >= m) return Trimmed(bytes / m) + u;
  return std::to_string(bytes);
}

std::string FormatBandwidth(int64_t bps) {
  static constexpr std::pair<const char*, double> kUnits[] = {
      {"Tbps", 1e12}, {"Gbps", 1e9}, {"Mbps", 1e6}, {"kbps", 1e3}};
  for (const auto& [u, m] : kUnits)
    if (static_cast<double>(bps) >= m) return Trimmed(bps / m) + u;
  return std::to_string(bps) + "bps";
}

std::string FormatDuration(int64_t micros) {
  if (micros >= 1000000 && micros % 1000000 == 0)
    return std::to_string(micros / 1000000) + "s";
  if (micros >= 1000000) return Trimmed(micros / 1e6) + "s";
  if (micros >= 1000) return Trimmed(micros / 1e3) + "ms";
  return std::to_string(micros) + "us";
}

}  // namespace ecotone::model
