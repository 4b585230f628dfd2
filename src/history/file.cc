// File reading and format dispatch; events files.
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include "ecotone/history/history.h"

namespace ecotone::history {
namespace {

constexpr std::streamoff kMaxFileBytes = 512LL << 20;

Result<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::IOError("cannot open '" + path + "'",
                           Location{path, 0, 0, ""});
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size > kMaxFileBytes)
    return Status::InvalidArgument("file larger than 512 MiB",
                                   Location{path, 0, 0, ""});
  in.seekg(0);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("read error", Location{path, 0, 0, ""});
  return ss.str();
}

bool LooksLikeOpenMetrics(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t e = text.find('\n', pos);
    if (e == std::string_view::npos) e = text.size();
    std::string_view l = text.substr(pos, e - pos);
    pos = e + 1;
    if (l.empty() || l == "\r") continue;
    if (l.rfind("# TYPE", 0) == 0 || l.rfind("# HELP", 0) == 0 ||
        l.rfind("# EOF", 0) == 0 || l.rfind("# UNIT", 0) == 0)
      return true;
    // `name{...} value ts` or `name value ts` (no commas, spaces separate).
    size_t brace = l.find('{');
    size_t comma = l.find(',');
    if (brace != std::string_view::npos &&
        (comma == std::string_view::npos || brace < comma))
      return true;
    return false;
  }
  return false;
}

// "1.3" -> 1.3, "+30%" -> 1.3, "-20%" -> 0.8.
Result<double> ParseEffect(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.pop_back();
  bool pct = !s.empty() && s.back() == '%';
  if (pct) s.pop_back();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v))
    return Status::InvalidArgument(
        "bad effect '" + s +
        "' (a multiplier like 1.3 or a percentage like +30%)");
  if (pct) v = 1.0 + v / 100.0;
  if (!(v > 0))
    return Status::InvalidArgument("effect must leave demand positive");
  return v;
}

}  // namespace

Result<RawSeries> ReadHistoryFile(const std::string& path,
                                  const ReadOptions& options) {
  ECOTONE_ASSIGN_OR_RETURN(std::string text, ReadAll(path));
  if (LooksLikeOpenMetrics(text)) return ReadOpenMetrics(path, text, options);
  return ReadCsv(path, text, options);
}

Result<std::vector<forecast::Event>> ReadEvents(std::string_view file_name,
                                                std::string_view text,
                                                const forecast::TimeZone& tz) {
  const std::string file(file_name);
  std::vector<forecast::Event> out;
  auto finish = [&](forecast::Event& e, const Location& where) -> Status {
    if (e.name.empty())
      return Status::InvalidArgument("event without a name", where);
    if (e.end_unix <= e.start_unix)
      return Status::InvalidArgument("event end must be after its start",
                                     where);
    out.push_back(e);
    return Status::Ok();
  };
  std::string_view trimmed = text;
  while (!trimmed.empty() &&
         std::isspace(static_cast<unsigned char>(trimmed.front())))
    trimmed.remove_prefix(1);
  bool csv = trimmed.rfind("name,", 0) == 0;
  if (csv) {
    ReadOptions ro;
    std::istringstream in{std::string(text)};
    std::string line;
    int no = 0;
    while (std::getline(in, line)) {
      ++no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (no == 1 || line.empty() || line[0] == '#') continue;
      std::vector<std::string> f;
      std::stringstream ls(line);
      std::string cell;
      while (std::getline(ls, cell, ',')) f.push_back(cell);
      if (f.size() < 3 || f.size() > 4)
        return Status::InvalidArgument("expected name,start,end[,effect]",
                                       Location{file, no, 1, ""});
      forecast::Event e;
      e.name = f[0];
      auto s = ParseTimestamp(f[1], tz);
      if (!s.ok())
        return Status::InvalidArgument(s.status().message(),
                                       Location{file, no, 1, "start"});
      auto t = ParseTimestamp(f[2], tz);
      if (!t.ok())
        return Status::InvalidArgument(t.status().message(),
                                       Location{file, no, 1, "end"});
      e.start_unix = *s;
      e.end_unix = *t;
      if (f.size() == 4 && !f[3].empty()) {
        auto eff = ParseEffect(f[3]);
        if (!eff.ok())
          return Status::InvalidArgument(eff.status().message(),
                                         Location{file, no, 1, "effect"});
        e.expected_effect = *eff;
      }
      ECOTONE_RETURN_IF_ERROR(finish(e, Location{file, no, 1, ""}));
    }
    return out;
  }
  try {
    YAML::Node root = YAML::Load(std::string(text));
    YAML::Node list = root;
    if (root.IsMap() && root["events"]) list = root["events"];
    if (!list.IsSequence())
      return Status::InvalidArgument(
          "expected a list of events (or `events:` list)",
          Location{file, 1, 1, "events"});
    for (size_t i = 0; i < list.size(); ++i) {
      YAML::Node n = list[i];
      std::string path = "events[" + std::to_string(i) + "]";
      Location where{file, n.Mark().line + 1, n.Mark().column + 1, path};
      if (!n.IsMap()) return Status::InvalidArgument("expected a map", where);
      forecast::Event e;
      for (const char* key : {"name", "start", "end"})
        if (!n[key] || !n[key].IsScalar())
          return Status::InvalidArgument(
              std::string("missing '") + key + "'",
              Location{file, where.line, where.column, path + "." + key});
      e.name = n["name"].as<std::string>();
      for (const char* key : {"start", "end"}) {
        YAML::Node v = n[key];
        auto t = ParseTimestamp(v.as<std::string>(), tz);
        if (!t.ok())
          return Status::InvalidArgument(
              t.status().message(),
              Location{file, v.Mark().line + 1, v.Mark().column + 1,
                       path + "." + key});
        (std::string(key) == "start" ? e.start_unix : e.end_unix) = *t;
      }
      if (n["effect"]) {
        YAML::Node v = n["effect"];
        auto eff = ParseEffect(v.IsScalar() ? v.as<std::string>() : "?");
        if (!eff.ok())
          return Status::InvalidArgument(
              eff.status().message(),
              Location{file, v.Mark().line + 1, v.Mark().column + 1,
                       path + ".effect"});
        e.expected_effect = *eff;
      }
      ECOTONE_RETURN_IF_ERROR(finish(e, where));
    }
  } catch (const YAML::Exception& ex) {
    return Status::InvalidArgument(
        ex.msg, Location{file, ex.mark.line + 1, ex.mark.column + 1, ""});
  }
  return out;
}

Result<std::vector<forecast::Event>> ReadEventsFile(
    const std::string& path, const forecast::TimeZone& tz) {
  ECOTONE_ASSIGN_OR_RETURN(std::string text, ReadAll(path));
  return ReadEvents(path, text, tz);
}

}  // namespace ecotone::history
