// ISO-8601 and unix timestamps; TZif time-zone files.
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ecotone/history/history.h"

namespace ecotone::history {
namespace {

// Days since 1970-01-01 of a civil date (H. Hinnant, "chrono-compatible
// low-level date algorithms").
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

Status BadTimestamp(std::string_view text) {
  return Status::InvalidArgument(
      "bad timestamp '" + std::string(text.substr(0, 40)) +
      "' (expected unix seconds, YYYY-MM-DD, or YYYY-MM-DD[T ]hh:mm[:ss[.f]]"
      "[Z|+hh:mm])");
}

}  // namespace

Result<int64_t> ParseTimestamp(std::string_view s,
                               const forecast::TimeZone& tz) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
    s = s.substr(1, s.size() - 2);
  if (s.empty()) return BadTimestamp(s);
  // Unix seconds (or milliseconds if huge).
  bool numeric = true;
  for (char c : s)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
          c == '+' || c == 'e' || c == 'E'))
      numeric = false;
  if (numeric && !(s.size() >= 10 && s[4] == '-')) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
      return BadTimestamp(s);
    if (std::fabs(v) > 1e11) v /= 1000.0;  // milliseconds
    if (std::fabs(v) > 1e13) return BadTimestamp(s);
    return static_cast<int64_t>(std::llround(v));
  }
  int y, mo, d, hh = 0, mi = 0, ss = 0;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' ||
      !Digits(s, 5, 2, &mo) || s[7] != '-' || !Digits(s, 8, 2, &d))
    return BadTimestamp(s);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return BadTimestamp(s);
  size_t pos = 10;
  bool has_offset = false;
  int offset = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != ' ' && s[pos] != 't') return BadTimestamp(s);
    ++pos;
    if (!Digits(s, pos, 2, &hh) || pos + 2 >= s.size() + 0 ||
        s.size() < pos + 5 || s[pos + 2] != ':' || !Digits(s, pos + 3, 2, &mi))
      return BadTimestamp(s);
    pos += 5;
    if (pos < s.size() && s[pos] == ':') {
      if (!Digits(s, pos + 1, 2, &ss)) return BadTimestamp(s);
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        while (pos < s.size() &&
               std::isdigit(static_cast<unsigned char>(s[pos])))
          ++pos;
      }
    }
    if (hh > 24 || mi > 59 || ss > 60) return BadTimestamp(s);
    if (pos < s.size()) {
      char c = s[pos];
      if ((c == 'Z' || c == 'z') && pos + 1 == s.size()) {
        has_offset = true;
      } else if (c == '+' || c == '-') {
        int oh, om = 0;
        if (!Digits(s, pos + 1, 2, &oh)) return BadTimestamp(s);
        size_t q = pos + 3;
        if (q < s.size() && s[q] == ':') ++q;
        if (q < s.size()) {
          if (!Digits(s, q, 2, &om) || q + 2 != s.size())
            return BadTimestamp(s);
        }
        offset = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
        has_offset = true;
      } else {
        return BadTimestamp(s);
      }
    }
  }
  int64_t local =
      DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) *
          86400 +
      hh * 3600 + mi * 60 + ss;
  if (has_offset) return local - offset;
  int64_t guess = local - tz.OffsetAt(local);
  return local - tz.OffsetAt(guess);
}

std::string FormatTimestamp(int64_t t, const forecast::TimeZone& tz) {
  int32_t off = tz.OffsetAt(t);
  int64_t local = t + off;
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  int64_t sod = local - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  int aoff = off < 0 ? -off : off;
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d%c%02d:%02d",
                static_cast<long long>(y), m, d, static_cast<int>(sod / 3600),
                static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60),
                off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60);
  return buf;
}

namespace {

int64_t BigEndian(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  if (n == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

}  // namespace

Result<forecast::TimeZone> ParseTzif(std::string_view name,
                                     std::string_view bytes) {
  auto corrupt = [&](const char* why) {
    return Status::Corruption(std::string("time zone ") + std::string(name) +
                              ": " + why);
  };
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t size = bytes.size();
  auto header = [&](size_t at, int64_t c[6]) -> bool {
    if (at + 44 > size || std::memcmp(b + at, "TZif", 4) != 0) return false;
    for (int i = 0; i < 6; ++i) c[i] = BigEndian(b + at + 20 + 4 * i, 4);
    for (int i = 0; i < 6; ++i)
      if (c[i] < 0 || c[i] > 100000) return false;
    return true;
  };
  int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  if (!header(0, c)) return corrupt("not a TZif file");
  int version = b[4];
  size_t at = 44;
  int tsize = 4;
  if (version >= '2') {
    at += c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (!header(at, c)) return corrupt("bad v2 header");
    at += 44;
    tsize = 8;
  }
  const int64_t timecnt = c[3], typecnt = c[4];
  if (typecnt < 1) return corrupt("no local time types");
  size_t need = at + timecnt * tsize + timecnt + typecnt * 6;
  if (need > size) return corrupt("truncated");
  forecast::TimeZone tz;
  tz.name = std::string(name);
  const unsigned char* idx = b + at + timecnt * tsize;
  const unsigned char* types = idx + timecnt;
  auto utoff = [&](int i) {
    return static_cast<int32_t>(BigEndian(types + 6 * i, 4));
  };
  // Initial offset: the first non-DST type (RFC 8536 3.2), else type 0.
  tz.initial_offset_seconds = utoff(0);
  for (int64_t i = 0; i < typecnt; ++i)
    if (types[6 * i + 4] == 0) {
      tz.initial_offset_seconds = utoff(static_cast<int>(i));
      break;
    }
  for (int64_t i = 0; i < timecnt; ++i) {
    int64_t t = BigEndian(b + at + i * tsize, tsize);
    int ti = idx[i];
    if (ti >= typecnt) return corrupt("bad type index");
    if (!tz.transitions_unix.empty() && t <= tz.transitions_unix.back())
      return corrupt("transitions not ascending");
    tz.transitions_unix.push_back(t);
    tz.offset_seconds.push_back(utoff(ti));
  }
  return tz;
}

Result<forecast::TimeZone> LoadTimeZone(std::string_view name,
                                        const std::string& zoneinfo_dir) {
  if (name.empty() || name == "UTC" || name == "Z" || name == "utc")
    return forecast::FixedOffset(0, "UTC");
  if (name[0] == '+' || name[0] == '-') {
    int h = 0, m = 0;
    bool ok = name.size() >= 3 && Digits(name, 1, 2, &h);
    size_t q = 3;
    if (ok && q < name.size() && name[q] == ':') ++q;
    if (ok && q < name.size())
      ok = Digits(name, q, 2, &m) && q + 2 == name.size();
    if (!ok || h > 18 || m > 59)
      return Status::InvalidArgument("bad UTC offset '" + std::string(name) +
                                     "' (expected +hh:mm)");
    return forecast::FixedOffset(
        (h * 3600 + m * 60) * (name[0] == '-' ? -1 : 1), std::string(name));
  }
  for (char ch : name)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' ||
          ch == '_' || ch == '-' || ch == '+'))
      return Status::InvalidArgument("bad time zone name '" +
                                     std::string(name) + "'");
  if (name.find("..") != std::string_view::npos || name[0] == '/')
    return Status::InvalidArgument("bad time zone name '" + std::string(name) +
                                   "'");
  std::ifstream in(zoneinfo_dir + "/" + std::string(name), std::ios::binary);
  if (!in)
    return Status::NotFound("unknown time zone '" + std::string(name) +
                            "' (not in " + zoneinfo_dir + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseTzif(name, ss.str());
}

}  // namespace ecotone::history
