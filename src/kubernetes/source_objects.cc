// Reading the user's Kubernetes objects back from the manifest files, every
// field kept, so that emission can write partial objects (apply
// configurations) of them and copies for extra zone groups.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "ecotone/kubernetes/emit.h"

namespace ecotone::kubernetes {
namespace {

using nlohmann::ordered_json;

// Inputs were already accepted by the manifest reader (size and nesting
// prechecks); this limit only protects against files changed since.
constexpr std::streamsize kMaxFileBytes = 64 << 20;

// A plain scalar typed by the YAML 1.2 core schema (what js-yaml and the
// API server's JSON conversion agree on for ordinary manifests).
ordered_json PlainScalar(const std::string& s) {
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
    return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (std::regex_match(s, kInt)) {
    try {
      size_t used = 0;
      long long v = std::stoll(s, &used);
      if (used == s.size()) return v;
    } catch (...) {
    }
    return s;
  }
  if (std::regex_match(s, kFloat)) {
    try {
      return std::stod(s);
    } catch (...) {
      return s;
    }
  }
  return s;
}

ordered_json ToJson(const YAML::Node& n, int depth) {
  if (depth > 400) return nullptr;  // prechecked input never gets here.
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      if (n.Tag() == "?") return PlainScalar(n.Scalar());
      return n.Scalar();  // quoted or explicitly tagged: a string.
    case YAML::NodeType::Sequence: {
      ordered_json a = ordered_json::array();
      for (const auto& e : n) a.push_back(ToJson(e, depth + 1));
      return a;
    }
    case YAML::NodeType::Map: {
      ordered_json o = ordered_json::object();
      for (auto it = n.begin(); it != n.end(); ++it) {
        std::string key =
            it->first.IsScalar() ? it->first.Scalar() : std::string("?");
        o[key] = ToJson(it->second, depth + 1);
      }
      return o;
    }
  }
  return nullptr;
}

std::string Str(const ordered_json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

void Collect(const ordered_json& obj, const Location& where, int depth,
             std::vector<SourceObject>* out) {
  if (!obj.is_object()) return;
  std::string kind = Str(obj, "kind");
  std::string api = Str(obj, "apiVersion");
  if (kind.empty() || api.empty()) return;
  if (kind.size() >= 4 && kind.substr(kind.size() - 4) == "List" &&
      obj.contains("items") && obj["items"].is_array() && depth < 4) {
    for (const auto& item : obj["items"]) Collect(item, where, depth + 1, out);
    return;
  }
  SourceObject s;
  s.api_version = api;
  s.kind = kind;
  const ordered_json& md =
      obj.contains("metadata") ? obj["metadata"] : ordered_json();
  s.name = Str(md, "name");
  s.namespace_name = Str(md, "namespace");
  if (s.namespace_name.empty()) s.namespace_name = "default";
  s.where = where;
  s.body = obj;
  out->push_back(std::move(s));
}

}  // namespace

Result<std::vector<SourceObject>> ReadSourceObjects(
    const std::vector<std::string>& files) {
  std::vector<SourceObject> out;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Status::IOError("cannot read file", {file, 0, 0, ""});
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (static_cast<std::streamsize>(text.size()) > kMaxFileBytes)
      return Status::InvalidArgument("file larger than 64 MiB",
                                     {file, 0, 0, ""});
    std::vector<YAML::Node> docs;
    try {
      docs = YAML::LoadAll(text);
    } catch (const YAML::Exception& e) {
      return Status::InvalidArgument(
          "malformed YAML: " + e.msg,
          {file, e.mark.line >= 0 ? e.mark.line + 1 : 0,
           e.mark.column >= 0 ? e.mark.column + 1 : 0, ""});
    }
    for (const auto& d : docs) {
      if (!d.IsMap()) continue;  // Compose/native files have no apiVersion.
      Location where{file, d.Mark().line >= 0 ? d.Mark().line + 1 : 0,
                     d.Mark().column >= 0 ? d.Mark().column + 1 : 0, ""};
      Collect(ToJson(d, 0), where, 0, &out);
    }
  }
  return out;
}

}  // namespace ecotone::kubernetes
