// Docker Compose reader (Compose Specification). See docs/import-compose.md
// for what is read, the merge and interpolation rules and the inference
// rules. Reading is linear in the input: every service is visited once per
// file, host names are resolved through a HostIndex hash map, and merge keys
// are resolved only in files that contain "<<".
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "compose_util.h"
#include "compose_yaml.h"
#include "ecotone/manifest/infer.h"
#include "ecotone/manifest/manifest.h"
#include "ecotone/model/units.h"
#include "yaml_util.h"

namespace ecotone::manifest {
namespace {

namespace fs = std::filesystem;
using compose::At;
using compose::Interpolator;
using compose::YamlDocument;
using compose::YNode;
using model::Component;
using model::ComponentKind;
using model::Dependency;
using model::DependencyKind;
using model::Evidence;
using model::Problem;
using model::Severity;

// Limits on values (documented in docs/import-compose.md).
constexpr int64_t kMaxReplicas = 100000;
constexpr int64_t kMaxCpuMillicores = 100000LL * 1000;  // 100k cores.
constexpr int64_t kMaxMemoryBytes = 1LL << 50;          // 1 PiB.
constexpr int64_t kMaxRetries = 1000000;
constexpr size_t kMaxPortsPerService = 65536;
constexpr size_t kMaxCompanionNodes = 200000;  // scalar visits per file.
constexpr size_t kMaxCompanionFilesPerDir = 64;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Whether a path names a regular file (never a device, FIFO or directory:
// reading /dev/stdin from a manifest must not hang the reader).
bool IsRegularFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}
bool IsDirectory(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// One YAML file of the invocation.
struct SourceFile {
  std::string name;
  fs::path dir;  // directory for relative paths (.env, env_file, configs).
  std::unique_ptr<YamlDocument> doc;  // owns the nodes of `root`.
  YNode root;
};

// One environment entry with where it was written.
struct EnvEntry {
  std::string value;
  bool set = true;  // false: `KEY` with no value and nothing to inherit.
  Location where;
  std::string field;  // "environment" or "env_file".
};

struct DependsDecl {
  std::string target;
  Location where;
  std::string condition;  // service_started (default), service_healthy...
  bool required = true;
};

struct LinkDecl {
  std::string target;
  std::string alias;
  Location where;
  std::string value;
};

struct ArgValue {
  std::string value;
  Location where;
};

// A file a service mounts (configs or bind volume) that may hold addresses.
struct CompanionRef {
  fs::path path;
  Location where;  // the mount in the compose file.
  bool missing = false;
  std::string text;  // the path as written.
};

// Everything read for one service, merged over all files in order.
struct ServiceState {
  std::string name;
  Component comp;
  std::optional<std::string> image;
  Location image_where;
  std::vector<std::string> host_aliases;  // container_name, hostname, nets.
  std::vector<DependsDecl> depends;       // merged by target.
  std::vector<LinkDecl> links;
  // environment wins over env_file (both merged by key over the files).
  std::vector<std::pair<std::string, EnvEntry>> env_file_entries;
  std::vector<std::pair<std::string, EnvEntry>> env_entries;
  std::vector<ArgValue> command;
  std::vector<ArgValue> entrypoint;
  std::vector<CompanionRef> companions;
  std::vector<std::string> config_sources;  // service configs: sources.
  std::vector<Location> config_source_where;
  std::optional<int64_t> replicas;
  std::optional<int64_t> scale;
  std::vector<model::Port> expose;
};

void UpsertEnv(std::vector<std::pair<std::string, EnvEntry>>* v,
               std::unordered_map<std::string, size_t>* idx, std::string key,
               EnvEntry e) {
  auto it = idx->find(key);
  if (it != idx->end()) {
    (*v)[it->second].second = std::move(e);
    return;
  }
  idx->emplace(key, v->size());
  v->emplace_back(std::move(key), std::move(e));
}

// Per-service lookup tables for merging by key.
struct ServiceIndexes {
  std::unordered_map<std::string, size_t> env_file;
  std::unordered_map<std::string, size_t> env;
  std::unordered_map<std::string, size_t> depends;
};

class ComposeReader {
 public:
  ComposeReader(const std::vector<std::string>& names,
                const std::vector<std::string>& texts,
                const LoadOptions& options)
      : names_(names), texts_(texts), options_(options) {}

  Result<LoadResult> Run();

 private:
  Status LoadSources();
  Status LoadDotEnv();
  Status CollectServices();
  Status ApplyLayer(size_t file, const YNode& svc, const std::string& path,
                    ServiceState* st, ServiceIndexes* ix);
  Status ReadEnvironment(const std::string& file, const YNode& node,
                         const std::string& path, ServiceState* st,
                         ServiceIndexes* ix);
  Status ReadEnvFiles(size_t file, const YNode& node, const std::string& path,
                      ServiceState* st, ServiceIndexes* ix);
  Status ReadDependsOn(const std::string& file, const YNode& node,
                       const std::string& path, ServiceState* st,
                       ServiceIndexes* ix);
  Status ReadDeploy(const std::string& file, const YNode& node,
                    const std::string& path, ServiceState* st);
  Status ReadResources(const std::string& file, const YNode& node,
                       const std::string& path, model::Resources* res);
  Status ReadPorts(const std::string& file, const YNode& node,
                   const std::string& path, bool expose, ServiceState* st);
  Status ReadHealthcheck(const std::string& file, const YNode& node,
                         const std::string& path, ServiceState* st);
  Status ReadArgs(const std::string& file, const YNode& node,
                  const std::string& path, std::vector<ArgValue>* out);
  Status ReadVolumes(size_t file, const YNode& node, const std::string& path,
                     ServiceState* st);
  Status ReadTopConfigs(size_t file, const YNode& node);

  // An interpolated string scalar (numbers and booleans are scalars too).
  Result<std::string> Str(const std::string& file, const YNode& node,
                          const std::string& path);
  Result<std::vector<std::string>> StrList(const std::string& file,
                                           const YNode& node,
                                           const std::string& path,
                                           std::vector<Location>* where);

  void BuildComponents();
  void BuildIndex();
  void BuildDependencies();
  void ScanCompanions();
  void AddEdge(const std::string& from, const std::string& to,
               DependencyKind kind, bool inferred, int port,
               const std::string& protocol, Evidence ev,
               model::Criticality crit);
  void AddMentions(const ServiceState& st, std::string_view value,
                   const Location& where, const std::string& what,
                   bool allow_bare);

  const std::vector<std::string>& names_;
  const std::vector<std::string>& texts_;
  const LoadOptions& options_;

  std::vector<SourceFile> files_;
  std::optional<Interpolator> interp_;
  LoadResult result_;
  std::string project_name_;

  std::vector<ServiceState> services_;
  std::unordered_map<std::string, size_t> service_index_;

  // Top-level configs: name -> file path (as resolved against its file).
  struct TopConfig {
    fs::path path;
    Location where;
    std::string text;
  };
  std::unordered_map<std::string, TopConfig> top_configs_;

  // Elements the reader may still visit; aliases (`*x`) reuse nodes, so a
  // small file could otherwise make the reader visit a node millions of
  // times. Legitimate files use far less than 8 visits per input byte.
  int64_t work_budget_ = 0;
  Status Charge(const std::string& file, const YNode& node);

  HostIndex hosts_;
  std::unordered_map<std::string, size_t> edge_index_;  // "from\nto".

  std::vector<ServiceIndexes> indexes_;
};

// ---------------------------------------------------------------------------
// Small typed accessors.

Status DuplicateKeyCheck(const std::string& file, const YNode& map,
                         const std::string& path) {
  if (map.size() < 2) return Status::Ok();
  auto dup = [&](const YNode& key, const YNode& first) {
    return Status::InvalidArgument(
        "duplicate key '" + key.Scalar() + "' (first at line " +
            std::to_string(first.Mark().line + 1) + ")",
        At(file, key, Join(path, key.Scalar())));
  };
  if (map.size() <= 16) {
    // Small maps (almost all): compare pairwise, no allocation.
    const auto* d = map.data();
    for (size_t i = 0; i < d->items.size(); i += 2) {
      YNode ki(d->items[i]);
      if (!ki.IsScalar() && !ki.IsNull())
        return Status::InvalidArgument("expected a plain key",
                                       At(file, ki, path));
      for (size_t j = 0; j < i; j += 2)
        if (d->items[j]->scalar == ki.Scalar())
          return dup(ki, YNode(d->items[j]));
    }
    return Status::Ok();
  }
  std::unordered_map<std::string, int> seen;
  seen.reserve(map.size());
  for (const auto& kv : map) {
    if (!kv.first.IsScalar() && !kv.first.IsNull()) {
      return Status::InvalidArgument("expected a plain key",
                                     At(file, kv.first, path));
    }
    auto [it, inserted] =
        seen.emplace(kv.first.Scalar(), kv.first.Mark().line + 1);
    if (!inserted) {
      return Status::InvalidArgument(
          "duplicate key '" + kv.first.Scalar() + "' (first at line " +
              std::to_string(it->second) + ")",
          At(file, kv.first, Join(path, kv.first.Scalar())));
    }
  }
  return Status::Ok();
}

Status ExpectMap(const std::string& file, const YNode& node,
                 const std::string& path) {
  if (!node.IsMap())
    return Status::InvalidArgument("expected a mapping", At(file, node, path));
  return DuplicateKeyCheck(file, node, path);
}

Status ComposeReader::Charge(const std::string& file, const YNode& node) {
  work_budget_ -= static_cast<int64_t>(node.size()) + 1;
  if (work_budget_ < 0) {
    return Status::InvalidArgument(
        "the document expands too much through YAML aliases (alias bomb?)",
        At(file, node));
  }
  return Status::Ok();
}

Result<std::string> ComposeReader::Str(const std::string& file,
                                       const YNode& node,
                                       const std::string& path) {
  if (!node.IsScalar()) {
    return Status::InvalidArgument(node.IsNull()
                                       ? "expected a value, got nothing"
                                       : "expected a string, number or boolean",
                                   At(file, node, path));
  }
  const std::string& s = node.Scalar();
  if (s.find('$') == std::string::npos) return s;
  return interp_->Expand(s, At(file, node, path));
}

Result<std::vector<std::string>> ComposeReader::StrList(
    const std::string& file, const YNode& node, const std::string& path,
    std::vector<Location>* where) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (!node.IsSequence())
    return Status::InvalidArgument("expected a list", At(file, node, path));
  ECOTONE_RETURN_IF_ERROR(Charge(file, node));
  size_t i = 0;
  for (const auto& item : node) {
    std::string p = Join(path, i++);
    ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(file, item, p));
    out.push_back(std::move(s));
    if (where) where->push_back(At(file, item, p));
  }
  return out;
}

Result<int64_t> ParseIntText(const std::string& s, const Location& where,
                             int64_t min, int64_t max) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE) {
    return Status::InvalidArgument("expected an integer, got '" + s + "'",
                                   where);
  }
  if (v < min || v > max) {
    return Status::InvalidArgument("value " + s + " is out of range [" +
                                       std::to_string(min) + ", " +
                                       std::to_string(max) + "]",
                                   where);
  }
  return static_cast<int64_t>(v);
}

Result<bool> ParseBoolText(const std::string& s, const Location& where) {
  std::string l = Lower(s);
  if (l == "true" || l == "yes" || l == "on") return true;
  if (l == "false" || l == "no" || l == "off") return false;
  return Status::InvalidArgument("expected true or false, got '" + s + "'",
                                 where);
}

// Docker service names: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
bool ValidServiceName(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  if (!std::isalnum(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' &&
        c != '-')
      return false;
  return true;
}

// "repo/name:tag@sha256:..." -> "tag" ("" when none).
std::string ImageTag(std::string_view image) {
  if (size_t at = image.find('@'); at != std::string_view::npos)
    image = image.substr(0, at);
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  if (colon == std::string_view::npos ||
      (slash != std::string_view::npos && colon < slash))
    return "";
  return std::string(image.substr(colon + 1));
}

// ---------------------------------------------------------------------------
// Loading.

Status ComposeReader::LoadSources() {
  files_.reserve(names_.size());
  for (size_t i = 0; i < names_.size(); ++i) {
    const std::string& name = names_[i];
    std::string_view text = texts_[i];
    ECOTONE_RETURN_IF_ERROR(PrecheckText(text, name));
    ECOTONE_ASSIGN_OR_RETURN(std::unique_ptr<YamlDocument> doc,
                             YamlDocument::Parse(text, name));
    const std::vector<YNode>& docs = doc->documents();
    if (docs.empty() || (docs.size() == 1 && docs[0].IsNull())) {
      return Status::InvalidArgument(
          "file is empty: expected a mapping with 'services'",
          {name, 1, 1, ""});
    }
    if (docs.size() > 1) {
      return Status::InvalidArgument(
          "a Compose file holds one YAML document; found " +
              std::to_string(docs.size()),
          At(name, docs[1]));
    }
    YNode root = docs[0];
    if (!root.IsMap()) {
      return Status::InvalidArgument(
          "expected a mapping with 'services' at the top level",
          At(name, root));
    }
    // Merge keys cost a tree walk; only files that can contain one pay it.
    if (text.find("<<") != std::string_view::npos) {
      ECOTONE_RETURN_IF_ERROR(doc->ResolveMerges(name));
    }
    // Aliases let a small text reach the same nodes many times; bound the
    // work to a multiple of the input size (see Charge).
    work_budget_ += 8 * text.size() + 10000;
    fs::path dir = fs::path(name).parent_path();
    if (dir.empty()) dir = ".";
    files_.push_back({name, dir, std::move(doc), root});
  }
  return Status::Ok();
}

Status ComposeReader::LoadDotEnv() {
  std::map<std::string, std::string> vars;
  fs::path dotenv = files_[0].dir / ".env";
  if (options_.read_files && IsRegularFile(dotenv)) {
    std::string path = dotenv.string();
    ECOTONE_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(path));
    ECOTONE_ASSIGN_OR_RETURN(auto lines, compose::ParseEnvFile(text, path));
    for (auto& l : lines)
      if (l.has_value) vars[l.key] = std::move(l.value);
  }
  for (const auto& [k, v] : options_.variables) vars[k] = v;
  interp_.emplace(std::move(vars), options_.use_process_env, &result_.problems);
  return Status::Ok();
}

Status ComposeReader::ReadTopConfigs(size_t file, const YNode& node) {
  const std::string& fname = files_[file].name;
  if (node.IsNull()) return Status::Ok();
  ECOTONE_RETURN_IF_ERROR(ExpectMap(fname, node, "configs"));
  for (const auto& kv : node) {
    std::string cname = kv.first.Scalar();
    std::string path = Join("configs", cname);
    top_configs_[cname] = {};  // external or inline: nothing to scan.
    if (kv.second.IsNull()) continue;
    ECOTONE_RETURN_IF_ERROR(ExpectMap(fname, kv.second, path));
    for (const auto& f : kv.second) {
      if (f.first.Scalar() != "file") continue;
      std::string fp = Join(path, "file");
      ECOTONE_ASSIGN_OR_RETURN(std::string p, Str(fname, f.second, fp));
      top_configs_[cname] = {files_[file].dir / p, At(fname, f.second, fp), p};
    }
  }
  return Status::Ok();
}

Status ComposeReader::CollectServices() {
  for (size_t i = 0; i < files_.size(); ++i) {
    const std::string& fname = files_[i].name;
    const YNode& root = files_[i].root;
    ECOTONE_RETURN_IF_ERROR(DuplicateKeyCheck(fname, root, ""));
    YNode services;
    for (const auto& kv : root) {
      const std::string& key = kv.first.Scalar();
      if (key == "services") {
        services = kv.second;
      } else if (key == "configs") {
        ECOTONE_RETURN_IF_ERROR(ReadTopConfigs(i, kv.second));
      } else if (key == "name") {
        ECOTONE_ASSIGN_OR_RETURN(project_name_, Str(fname, kv.second, "name"));
      }
    }
    if (!services.IsDefined() || services.IsNull()) {
      if (i == 0) {
        return Status::InvalidArgument(
            "no 'services' mapping: not a Compose file", At(fname, root));
      }
      continue;
    }
    if (!services.IsMap()) {
      return Status::InvalidArgument("expected a mapping of service names",
                                     At(fname, services, "services"));
    }
    std::unordered_map<std::string, int> seen;
    seen.reserve(services.size());
    for (const auto& kv : services) {
      if (!kv.first.IsScalar()) {
        return Status::InvalidArgument("expected a service name",
                                       At(fname, kv.first, "services"));
      }
      const std::string& name = kv.first.Scalar();
      std::string path = Join("services", name);
      if (!ValidServiceName(name)) {
        return Status::InvalidArgument(
            "invalid service name '" + name +
                "': expected letters, digits, '_', '.' or '-', starting with "
                "a letter or digit",
            At(fname, kv.first, path));
      }
      auto [it, inserted] = seen.emplace(name, kv.first.Mark().line + 1);
      if (!inserted) {
        return Status::InvalidArgument("duplicate service name '" + name +
                                           "' (first at line " +
                                           std::to_string(it->second) + ")",
                                       At(fname, kv.first, path));
      }
      if (!kv.second.IsMap()) {
        return Status::InvalidArgument(
            "expected a mapping describing the service",
            At(fname, kv.second.IsNull() ? kv.first : kv.second, path));
      }
      auto [sit, created] = service_index_.emplace(name, services_.size());
      if (created) {
        services_.emplace_back();
        indexes_.emplace_back();
        services_.back().name = name;
        services_.back().comp.where = At(fname, kv.first, path);
      }
      ECOTONE_RETURN_IF_ERROR(ApplyLayer(
          i, kv.second, path, &services_[sit->second], &indexes_[sit->second]));
    }
  }
  return Status::Ok();
}

Status ComposeReader::ApplyLayer(size_t file, const YNode& svc,
                                 const std::string& path, ServiceState* st,
                                 ServiceIndexes* ix) {
  const std::string& fname = files_[file].name;
  ECOTONE_RETURN_IF_ERROR(Charge(fname, svc));
  ECOTONE_RETURN_IF_ERROR(DuplicateKeyCheck(fname, svc, path));
  Component& c = st->comp;
  for (const auto& kv : svc) {
    const std::string& key = kv.first.Scalar();
    const YNode& v = kv.second;
    std::string p = Join(path, key);
    if (key == "image") {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, v, p));
      st->image = std::move(s);
      st->image_where = At(fname, v, p);
    } else if (key == "container_name" || key == "hostname") {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, v, p));
      if (!s.empty()) st->host_aliases.push_back(std::move(s));
    } else if (key == "networks") {
      if (v.IsNull()) continue;
      if (v.IsSequence()) {
        ECOTONE_RETURN_IF_ERROR(StrList(fname, v, p, nullptr).status());
        continue;
      }
      ECOTONE_RETURN_IF_ERROR(ExpectMap(fname, v, p));
      for (const auto& net : v) {
        std::string np = Join(p, net.first.Scalar());
        if (net.second.IsNull()) continue;
        ECOTONE_RETURN_IF_ERROR(ExpectMap(fname, net.second, np));
        for (const auto& f : net.second) {
          if (f.first.Scalar() != "aliases") continue;
          ECOTONE_ASSIGN_OR_RETURN(
              auto aliases,
              StrList(fname, f.second, Join(np, "aliases"), nullptr));
          for (auto& a : aliases) st->host_aliases.push_back(std::move(a));
        }
      }
    } else if (key == "links" || key == "external_links") {
      std::vector<Location> where;
      ECOTONE_ASSIGN_OR_RETURN(auto links, StrList(fname, v, p, &where));
      if (key == "external_links") continue;  // containers outside the app.
      for (size_t i = 0; i < links.size(); ++i) {
        LinkDecl l;
        l.value = links[i];
        size_t colon = links[i].find(':');
        l.target = links[i].substr(0, colon);
        if (colon != std::string::npos) l.alias = links[i].substr(colon + 1);
        l.where = where[i];
        bool dup = false;
        for (const auto& o : st->links)
          if (o.target == l.target && o.alias == l.alias) dup = true;
        if (!dup) st->links.push_back(std::move(l));
      }
    } else if (key == "depends_on") {
      ECOTONE_RETURN_IF_ERROR(ReadDependsOn(fname, v, p, st, ix));
    } else if (key == "environment") {
      ECOTONE_RETURN_IF_ERROR(ReadEnvironment(fname, v, p, st, ix));
    } else if (key == "env_file") {
      ECOTONE_RETURN_IF_ERROR(ReadEnvFiles(file, v, p, st, ix));
    } else if (key == "command") {
      st->command.clear();
      ECOTONE_RETURN_IF_ERROR(ReadArgs(fname, v, p, &st->command));
    } else if (key == "entrypoint") {
      st->entrypoint.clear();
      ECOTONE_RETURN_IF_ERROR(ReadArgs(fname, v, p, &st->entrypoint));
    } else if (key == "deploy") {
      ECOTONE_RETURN_IF_ERROR(ReadDeploy(fname, v, p, st));
    } else if (key == "scale") {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, v, p));
      ECOTONE_ASSIGN_OR_RETURN(
          st->scale, ParseIntText(s, At(fname, v, p), 0, kMaxReplicas));
    } else if (key == "ports") {
      ECOTONE_RETURN_IF_ERROR(ReadPorts(fname, v, p, false, st));
    } else if (key == "expose") {
      ECOTONE_RETURN_IF_ERROR(ReadPorts(fname, v, p, true, st));
    } else if (key == "healthcheck") {
      ECOTONE_RETURN_IF_ERROR(ReadHealthcheck(fname, v, p, st));
    } else if (key == "profiles") {
      ECOTONE_ASSIGN_OR_RETURN(c.profiles, StrList(fname, v, p, nullptr));
    } else if (key == "labels") {
      if (v.IsNull()) continue;
      if (v.IsSequence()) {
        ECOTONE_ASSIGN_OR_RETURN(auto items, StrList(fname, v, p, nullptr));
        for (const auto& item : items) {
          size_t eq = item.find('=');
          c.labels[item.substr(0, eq)] =
              eq == std::string::npos ? "" : item.substr(eq + 1);
        }
      } else {
        ECOTONE_RETURN_IF_ERROR(ExpectMap(fname, v, p));
        for (const auto& l : v) {
          std::string lp = Join(p, l.first.Scalar());
          std::string value;
          if (!l.second.IsNull()) {
            ECOTONE_ASSIGN_OR_RETURN(value, Str(fname, l.second, lp));
          }
          c.labels[l.first.Scalar()] = std::move(value);
        }
      }
    } else if (key == "configs") {
      if (v.IsNull()) continue;
      if (!v.IsSequence())
        return Status::InvalidArgument("expected a list", At(fname, v, p));
      size_t i = 0;
      for (const auto& item : v) {
        std::string ip = Join(p, i++);
        std::string source;
        if (item.IsMap()) {
          ECOTONE_RETURN_IF_ERROR(DuplicateKeyCheck(fname, item, ip));
          for (const auto& f : item) {
            if (f.first.Scalar() != "source") continue;
            ECOTONE_ASSIGN_OR_RETURN(source,
                                     Str(fname, f.second, Join(ip, "source")));
          }
          if (source.empty()) {
            return Status::InvalidArgument("a config entry needs 'source'",
                                           At(fname, item, ip));
          }
        } else {
          ECOTONE_ASSIGN_OR_RETURN(source, Str(fname, item, ip));
        }
        st->config_sources.push_back(std::move(source));
        st->config_source_where.push_back(At(fname, item, ip));
      }
    } else if (key == "volumes") {
      ECOTONE_RETURN_IF_ERROR(ReadVolumes(file, v, p, st));
    } else if (key == "cpus") {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, v, p));
      auto cpu = model::ParseCpuMillicores(s);
      if (!cpu.ok()) {
        return Status::InvalidArgument(cpu.status().message(), At(fname, v, p));
      }
      if (*cpu > kMaxCpuMillicores) {
        return Status::InvalidArgument("cpus '" + s + "' is absurdly large",
                                       At(fname, v, p));
      }
      c.limits.cpu_millicores = *cpu;
    } else if (key == "mem_limit" || key == "mem_reservation") {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, v, p));
      auto mem = compose::ParseDockerBytes(s);
      if (!mem.ok()) {
        return Status::InvalidArgument(mem.status().message(), At(fname, v, p));
      }
      if (*mem > kMaxMemoryBytes) {
        return Status::InvalidArgument(
            "memory '" + s + "' is larger than 1 PiB", At(fname, v, p));
      }
      (key == "mem_limit" ? c.limits : c.requests).memory_bytes = *mem;
    } else if (key == "extends") {
      result_.problems.push_back(
          {Severity::kWarning, At(fname, v, p),
           "'extends' is not supported; the service is read without the "
           "extended definition",
           "unsupported-field"});
    }
  }
  return Status::Ok();
}

Status ComposeReader::ReadDependsOn(const std::string& fname, const YNode& node,
                                    const std::string& path, ServiceState* st,
                                    ServiceIndexes* ix) {
  ECOTONE_RETURN_IF_ERROR(Charge(fname, node));
  auto upsert = [&](DependsDecl d) {
    auto it = ix->depends.find(d.target);
    if (it != ix->depends.end()) {
      st->depends[it->second] = std::move(d);
    } else {
      ix->depends.emplace(d.target, st->depends.size());
      st->depends.push_back(std::move(d));
    }
  };
  if (node.IsNull()) return Status::Ok();
  if (node.IsSequence()) {
    size_t i = 0;
    for (const auto& item : node) {
      std::string p = Join(path, i++);
      ECOTONE_ASSIGN_OR_RETURN(std::string target, Str(fname, item, p));
      upsert({target, At(fname, item, p), "service_started", true});
    }
    return Status::Ok();
  }
  if (!node.IsMap()) {
    return Status::InvalidArgument(
        "expected a list of service names or a mapping of service name to "
        "{condition, required, restart}",
        At(fname, node, path));
  }
  ECOTONE_RETURN_IF_ERROR(DuplicateKeyCheck(fname, node, path));
  for (const auto& kv : node) {
    DependsDecl d;
    d.target = kv.first.Scalar();
    std::string p = Join(path, d.target);
    d.where = At(fname, kv.first, p);
    d.condition = "service_started";
    if (!kv.second.IsNull()) {
      ECOTONE_RETURN_IF_ERROR(ExpectMap(fname, kv.second, p));
      for (const auto& f : kv.second) {
        const std::string& k = f.first.Scalar();
        std::string fp = Join(p, k);
        if (k == "condition") {
          ECOTONE_ASSIGN_OR_RETURN(d.condition, Str(fname, f.second, fp));
          if (d.condition != "service_started" &&
              d.condition != "service_healthy" &&
              d.condition != "service_completed_successfully") {
            return Status::InvalidArgument(
                "unknown condition '" + d.condition +
                    "': expected service_started, service_healthy or "
                    "service_completed_successfully",
                At(fname, f.second, fp));
          }
        } else if (k == "required" || k == "restart") {
          ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, f.second, fp));
          ECOTONE_ASSIGN_OR_RETURN(bool b,
                                   ParseBoolText(s, At(fname, f.second, fp)));
          if (k == "required") d.required = b;
        }
      }
    }
    upsert(std::move(d));
  }
  return Status::Ok();
}

Status ComposeReader::ReadEnvironment(const std::string& fname,
                                      const YNode& node,
                                      const std::string& path, ServiceState* st,
                                      ServiceIndexes* ix) {
  ECOTONE_RETURN_IF_ERROR(Charge(fname, node));
  if (node.IsNull()) return Status::Ok();
  if (node.IsSequence()) {
    size_t i = 0;
    for (const auto& item : node) {
      std::string ip = Join(path, i++);
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, item, ip));
      size_t eq = s.find('=');
      std::string key = s.substr(0, eq);
      if (key.empty()) {
        return Status::InvalidArgument("expected KEY=VALUE, got '" + s + "'",
                                       At(fname, item, ip));
      }
      EnvEntry e;
      e.where = At(fname, item, Join(path, key));
      e.field = "environment";
      if (eq != std::string::npos) {
        e.value = s.substr(eq + 1);
      } else if (auto v = interp_->Lookup(key)) {
        e.value = *v;  // `KEY` alone inherits from the environment.
      } else {
        e.set = false;
      }
      UpsertEnv(&st->env_entries, &ix->env, std::move(key), std::move(e));
    }
    return Status::Ok();
  }
  if (!node.IsMap()) {
    return Status::InvalidArgument(
        "expected a list of KEY=VALUE or a mapping of KEY: value",
        At(fname, node, path));
  }
  ECOTONE_RETURN_IF_ERROR(DuplicateKeyCheck(fname, node, path));
  for (const auto& kv : node) {
    std::string key = kv.first.Scalar();
    std::string p = Join(path, key);
    EnvEntry e;
    e.where = At(fname, kv.second.IsNull() ? kv.first : kv.second, p);
    e.field = "environment";
    if (kv.second.IsNull()) {
      if (auto v = interp_->Lookup(key)) {
        e.value = *v;
      } else {
        e.set = false;
      }
    } else {
      ECOTONE_ASSIGN_OR_RETURN(e.value, Str(fname, kv.second, p));
    }
    UpsertEnv(&st->env_entries, &ix->env, std::move(key), std::move(e));
  }
  return Status::Ok();
}

Status ComposeReader::ReadEnvFiles(size_t file, const YNode& node,
                                   const std::string& path, ServiceState* st,
                                   ServiceIndexes* ix) {
  ECOTONE_RETURN_IF_ERROR(Charge(files_[file].name, node));
  const std::string& fname = files_[file].name;
  if (node.IsNull()) return Status::Ok();
  struct Ref {
    std::string path;
    bool required;
    Location where;
  };
  std::vector<Ref> refs;
  auto add_scalar = [&](const YNode& n, const std::string& p) -> Status {
    ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, n, p));
    refs.push_back({s, true, At(fname, n, p)});
    return Status::Ok();
  };
  if (node.IsScalar()) {
    ECOTONE_RETURN_IF_ERROR(add_scalar(node, path));
  } else if (node.IsSequence()) {
    size_t i = 0;
    for (const auto& item : node) {
      std::string ip = Join(path, i++);
      if (item.IsMap()) {
        ECOTONE_RETURN_IF_ERROR(DuplicateKeyCheck(fname, item, ip));
        Ref r{"", true, At(fname, item, ip)};
        for (const auto& f : item) {
          const std::string& k = f.first.Scalar();
          std::string fp = Join(ip, k);
          if (k == "path") {
            ECOTONE_ASSIGN_OR_RETURN(r.path, Str(fname, f.second, fp));
          } else if (k == "required") {
            ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, f.second, fp));
            ECOTONE_ASSIGN_OR_RETURN(r.required,
                                     ParseBoolText(s, At(fname, f.second, fp)));
          }
        }
        if (r.path.empty()) {
          return Status::InvalidArgument("an env_file entry needs 'path'",
                                         r.where);
        }
        refs.push_back(std::move(r));
      } else {
        ECOTONE_RETURN_IF_ERROR(add_scalar(item, ip));
      }
    }
  } else {
    return Status::InvalidArgument(
        "expected a path or a list of paths / {path, required}",
        At(fname, node, path));
  }
  for (const auto& r : refs) {
    if (!options_.read_files) {
      result_.problems.push_back(
          {Severity::kWarning, r.where,
           "env_file '" + r.path +
               "' not read: the manifest came over the network and the "
               "reader does not open its own files; put the variables under "
               "`environment`",
           "env-file-not-read"});
      continue;
    }
    fs::path full = files_[file].dir / r.path;
    if (!IsRegularFile(full)) {
      if (!r.required) continue;
      return Status::InvalidArgument(
          "env_file '" + r.path + "' not found (looked for " + full.string() +
              "); add `required: false` to make it optional",
          r.where);
    }
    std::string fpath = full.string();
    ECOTONE_ASSIGN_OR_RETURN(std::string text, ReadFileLimited(fpath));
    ECOTONE_ASSIGN_OR_RETURN(auto lines, compose::ParseEnvFile(text, fpath));
    for (auto& l : lines) {
      EnvEntry e;
      e.where = {fpath, l.line, 1, l.key};
      e.field = "env_file";
      if (l.has_value) {
        e.value = std::move(l.value);
      } else if (auto v = interp_->Lookup(l.key)) {
        e.value = *v;
      } else {
        e.set = false;
      }
      UpsertEnv(&st->env_file_entries, &ix->env_file, l.key, std::move(e));
    }
  }
  return Status::Ok();
}

Status ComposeReader::ReadArgs(const std::string& fname, const YNode& node,
                               const std::string& path,
                               std::vector<ArgValue>* out) {
  ECOTONE_RETURN_IF_ERROR(Charge(fname, node));
  if (node.IsNull()) return Status::Ok();
  if (node.IsScalar()) {
    ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, node, path));
    out->push_back({std::move(s), At(fname, node, path)});
    return Status::Ok();
  }
  if (!node.IsSequence()) {
    return Status::InvalidArgument("expected a string or a list of strings",
                                   At(fname, node, path));
  }
  size_t i = 0;
  for (const auto& item : node) {
    std::string ip = Join(path, i++);
    ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, item, ip));
    out->push_back({std::move(s), At(fname, item, ip)});
  }
  return Status::Ok();
}

Status ComposeReader::ReadResources(const std::string& fname, const YNode& node,
                                    const std::string& path,
                                    model::Resources* res) {
  ECOTONE_RETURN_IF_ERROR(Charge(fname, node));
  if (node.IsNull()) return Status::Ok();
  ECOTONE_RETURN_IF_ERROR(ExpectMap(fname, node, path));
  for (const auto& kv : node) {
    const std::string& k = kv.first.Scalar();
    std::string p = Join(path, k);
    if (k == "cpus") {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, kv.second, p));
      auto cpu = model::ParseCpuMillicores(s);
      if (!cpu.ok()) {
        return Status::InvalidArgument(cpu.status().message(),
                                       At(fname, kv.second, p));
      }
      if (*cpu > kMaxCpuMillicores) {
        return Status::InvalidArgument(
            "cpus '" + s + "' is absurdly large (limit 100000 cores)",
            At(fname, kv.second, p));
      }
      res->cpu_millicores = *cpu;
    } else if (k == "memory") {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, kv.second, p));
      auto mem = compose::ParseDockerBytes(s);
      if (!mem.ok()) {
        return Status::InvalidArgument(mem.status().message(),
                                       At(fname, kv.second, p));
      }
      if (*mem > kMaxMemoryBytes) {
        return Status::InvalidArgument(
            "memory '" + s + "' is larger than 1 PiB", At(fname, kv.second, p));
      }
      res->memory_bytes = *mem;
    } else if (k == "pids") {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, kv.second, p));
      ECOTONE_RETURN_IF_ERROR(
          ParseIntText(s, At(fname, kv.second, p), -1, 1LL << 32).status());
    }
  }
  return Status::Ok();
}

Status ComposeReader::ReadDeploy(const std::string& fname, const YNode& node,
                                 const std::string& path, ServiceState* st) {
  ECOTONE_RETURN_IF_ERROR(Charge(fname, node));
  if (node.IsNull()) return Status::Ok();
  ECOTONE_RETURN_IF_ERROR(ExpectMap(fname, node, path));
  for (const auto& kv : node) {
    const std::string& k = kv.first.Scalar();
    std::string p = Join(path, k);
    if (k == "replicas") {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, kv.second, p));
      ECOTONE_ASSIGN_OR_RETURN(
          st->replicas,
          ParseIntText(s, At(fname, kv.second, p), 0, kMaxReplicas));
    } else if (k == "resources") {
      if (kv.second.IsNull()) continue;
      ECOTONE_RETURN_IF_ERROR(ExpectMap(fname, kv.second, p));
      for (const auto& r : kv.second) {
        const std::string& rk = r.first.Scalar();
        if (rk == "limits") {
          ECOTONE_RETURN_IF_ERROR(
              ReadResources(fname, r.second, Join(p, rk), &st->comp.limits));
        } else if (rk == "reservations") {
          ECOTONE_RETURN_IF_ERROR(
              ReadResources(fname, r.second, Join(p, rk), &st->comp.requests));
        }
      }
    }
  }
  return Status::Ok();
}

Status ComposeReader::ReadPorts(const std::string& fname, const YNode& node,
                                const std::string& path, bool expose,
                                ServiceState* st) {
  ECOTONE_RETURN_IF_ERROR(Charge(fname, node));
  if (node.IsNull()) return Status::Ok();
  if (!node.IsSequence())
    return Status::InvalidArgument("expected a list", At(fname, node, path));
  std::vector<model::Port>& out = expose ? st->expose : st->comp.ports;
  // Duplicates (also across files) are dropped; ranges make lists long, so
  // use a set rather than a scan.
  std::set<std::pair<int, std::string>> seen;
  for (const auto& o : out) seen.emplace(o.number, o.protocol);
  size_t i = 0;
  for (const auto& item : node) {
    std::string ip = Join(path, i++);
    compose::PortSpec spec;
    std::string name;
    if (item.IsMap() && !expose) {
      ECOTONE_RETURN_IF_ERROR(DuplicateKeyCheck(fname, item, ip));
      spec.protocol = "tcp";
      bool has_target = false;
      for (const auto& f : item) {
        const std::string& k = f.first.Scalar();
        std::string fp = Join(ip, k);
        if (k == "target") {
          ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, f.second, fp));
          ECOTONE_ASSIGN_OR_RETURN(
              int64_t t, ParseIntText(s, At(fname, f.second, fp), 1, 65535));
          spec.container_first = spec.container_last = static_cast<int>(t);
          has_target = true;
        } else if (k == "protocol") {
          ECOTONE_ASSIGN_OR_RETURN(spec.protocol, Str(fname, f.second, fp));
          if (spec.protocol != "tcp" && spec.protocol != "udp" &&
              spec.protocol != "sctp") {
            return Status::InvalidArgument("invalid protocol '" +
                                               spec.protocol +
                                               "': expected tcp, udp or sctp",
                                           At(fname, f.second, fp));
          }
        } else if (k == "name" || k == "app_protocol") {
          ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, f.second, fp));
          if (k == "name") name = std::move(s);
        } else if (k == "published") {
          ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, f.second, fp));
          auto pub = compose::ParseShortPort(s);
          if (!pub.ok()) {
            return Status::InvalidArgument(pub.status().message(),
                                           At(fname, f.second, fp));
          }
        }
      }
      if (!has_target) {
        return Status::InvalidArgument("a port mapping needs 'target'",
                                       At(fname, item, ip));
      }
    } else {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, item, ip));
      auto parsed = compose::ParseShortPort(s);
      if (!parsed.ok()) {
        return Status::InvalidArgument(parsed.status().message(),
                                       At(fname, item, ip));
      }
      if (expose && s.find(':') != std::string::npos) {
        return Status::InvalidArgument(
            "expose takes container ports only ('80', '8000-8010', "
            "'80/udp'), got '" +
                s + "'",
            At(fname, item, ip));
      }
      spec = *parsed;
    }
    for (int p = spec.container_first; p <= spec.container_last; ++p) {
      if (out.size() >= kMaxPortsPerService) {
        return Status::InvalidArgument(
            "more than " + std::to_string(kMaxPortsPerService) + " ports",
            At(fname, item, ip));
      }
      if (seen.emplace(p, spec.protocol).second)
        out.push_back({p, spec.protocol, name});
    }
  }
  return Status::Ok();
}

Status ComposeReader::ReadHealthcheck(const std::string& fname,
                                      const YNode& node,
                                      const std::string& path,
                                      ServiceState* st) {
  ECOTONE_RETURN_IF_ERROR(Charge(fname, node));
  if (node.IsNull()) return Status::Ok();
  ECOTONE_RETURN_IF_ERROR(ExpectMap(fname, node, path));
  for (const auto& kv : node) {
    const std::string& k = kv.first.Scalar();
    std::string p = Join(path, k);
    if (k == "test") {
      if (kv.second.IsSequence()) {
        ECOTONE_ASSIGN_OR_RETURN(auto items,
                                 StrList(fname, kv.second, p, nullptr));
        if (items.empty() || (items[0] != "NONE" && items[0] != "CMD" &&
                              items[0] != "CMD-SHELL")) {
          return Status::InvalidArgument(
              "a healthcheck test list starts with NONE, CMD or CMD-SHELL",
              At(fname, kv.second, p));
        }
      } else {
        ECOTONE_RETURN_IF_ERROR(Str(fname, kv.second, p).status());
      }
    } else if (k == "interval" || k == "timeout" || k == "start_period" ||
               k == "start_interval") {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, kv.second, p));
      auto d = model::ParseDurationMicros(s);
      if (!d.ok()) {
        return Status::InvalidArgument(d.status().message(),
                                       At(fname, kv.second, p));
      }
      if (*d < 0) {
        return Status::InvalidArgument("duration '" + s + "' is negative",
                                       At(fname, kv.second, p));
      }
      if (k == "start_period") st->comp.startup_us = *d;
    } else if (k == "retries") {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, kv.second, p));
      ECOTONE_RETURN_IF_ERROR(
          ParseIntText(s, At(fname, kv.second, p), 0, kMaxRetries).status());
    } else if (k == "disable") {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, kv.second, p));
      ECOTONE_RETURN_IF_ERROR(
          ParseBoolText(s, At(fname, kv.second, p)).status());
    }
  }
  return Status::Ok();
}

bool IsRelativeHostPath(std::string_view s) {
  return s == "." || s == ".." || s.substr(0, 2) == "./" ||
         s.substr(0, 3) == "../";
}

Status ComposeReader::ReadVolumes(size_t file, const YNode& node,
                                  const std::string& path, ServiceState* st) {
  ECOTONE_RETURN_IF_ERROR(Charge(files_[file].name, node));
  const std::string& fname = files_[file].name;
  if (node.IsNull()) return Status::Ok();
  if (!node.IsSequence())
    return Status::InvalidArgument("expected a list", At(fname, node, path));
  size_t i = 0;
  for (const auto& item : node) {
    std::string ip = Join(path, i++);
    std::string source;
    if (item.IsMap()) {
      ECOTONE_RETURN_IF_ERROR(DuplicateKeyCheck(fname, item, ip));
      std::string type;
      for (const auto& f : item) {
        const std::string& k = f.first.Scalar();
        if (k == "type") {
          ECOTONE_ASSIGN_OR_RETURN(type, Str(fname, f.second, Join(ip, k)));
        } else if (k == "source") {
          ECOTONE_ASSIGN_OR_RETURN(source, Str(fname, f.second, Join(ip, k)));
        }
      }
      if (type != "bind") continue;
    } else {
      ECOTONE_ASSIGN_OR_RETURN(std::string s, Str(fname, item, ip));
      size_t colon = s.find(':');
      if (colon == std::string::npos) continue;  // anonymous volume.
      source = s.substr(0, colon);
    }
    // Only relative bind mounts: files that belong to the application.
    if (!IsRelativeHostPath(source)) continue;
    fs::path full = files_[file].dir / source;
    bool exists =
        options_.read_files && (IsRegularFile(full) || IsDirectory(full));
    if (!exists) {
      // A missing mount is worth a note only when it looks like a config
      // file or directory we could have read (not nginx.conf, not data).
      std::string ext = Lower(fs::path(source).extension().string());
      bool readable_kind =
          ext.empty() || ext == ".json" || ext == ".yaml" || ext == ".yml";
      if (!readable_kind || Lower(source).find("conf") == std::string::npos)
        continue;
    }
    st->companions.push_back({full, At(fname, item, ip), !exists, source});
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Building the ecosystem.

void ComposeReader::BuildComponents() {
  std::unordered_set<std::string> active(options_.profiles.begin(),
                                         options_.profiles.end());
  for (auto& st : services_) {
    Component& c = st.comp;
    c.name = st.name;
    c.source_kind = "service";
    if (st.image) {
      c.image = *st.image;
      c.version = ImageTag(c.image);
    }
    // expose: ports not already published.
    for (const auto& e : st.expose) {
      bool dup = false;
      for (const auto& p : c.ports)
        if (p.number == e.number && p.protocol == e.protocol) dup = true;
      if (!dup) c.ports.push_back(e);
    }
    std::optional<ComponentKind> kind;
    if (!c.image.empty()) kind = KindFromImage(c.image);
    for (size_t i = 0; !kind && i < c.ports.size(); ++i)
      kind = KindFromPort(c.ports[i].number);
    c.kind = kind.value_or(ComponentKind::kContainer);
    c.stateful = KindIsStateful(c.kind);
    std::optional<int64_t> n = st.replicas ? st.replicas : st.scale;
    if (n) {
      int r = static_cast<int>(*n);
      c.replicas = {r, r, r};
    }
    if (!c.profiles.empty() && !active.count("*")) {
      bool on = false;
      for (const auto& p : c.profiles)
        if (active.count(p)) on = true;
      if (!on) {
        std::string list;
        for (const auto& p : c.profiles) list += (list.empty() ? "" : ", ") + p;
        result_.problems.push_back(
            {Severity::kInfo, c.where,
             "service '" + c.name + "' belongs to inactive profile(s) " + list +
                 "; imported but not started by default",
             "inactive-profile"});
      }
    }
  }
}

void ComposeReader::BuildIndex() {
  std::unordered_set<std::string> lower_names;
  lower_names.reserve(services_.size());
  for (const auto& st : services_) {
    hosts_.Add(st.name, st.name);
    lower_names.insert(Lower(st.name));
  }
  // Aliases never shadow a service name: Compose DNS answers a service name
  // with that service.
  auto add_alias = [&](const std::string& alias, const std::string& svc) {
    if (lower_names.count(Lower(alias))) return;
    hosts_.Add(alias, svc);
  };
  for (const auto& st : services_) {
    for (const auto& a : st.host_aliases) add_alias(a, st.name);
    for (const auto& l : st.links)
      if (!l.alias.empty() && service_index_.count(l.target))
        add_alias(l.alias, l.target);
  }
}

void ComposeReader::AddEdge(const std::string& from, const std::string& to,
                            DependencyKind kind, bool inferred, int port,
                            const std::string& protocol, Evidence ev,
                            model::Criticality crit) {
  std::string key = from + '\n' + to;
  auto [it, inserted] = edge_index_.emplace(
      std::move(key), result_.ecosystem.dependencies.size());
  if (inserted) {
    Dependency d;
    d.from = from;
    d.to = to;
    d.kind = kind;
    d.port = port;
    d.protocol = protocol;
    d.inferred = inferred;
    d.criticality = crit;
    d.evidence.push_back(std::move(ev));
    result_.ecosystem.dependencies.push_back(std::move(d));
    return;
  }
  Dependency& d = result_.ecosystem.dependencies[it->second];
  if (d.kind == DependencyKind::kStartOrder &&
      kind != DependencyKind::kStartOrder) {
    d.kind = kind;
    d.port = port;
    d.protocol = protocol;
  }
  if (d.port == 0 && kind == d.kind) d.port = port;
  if (!inferred) d.inferred = false;
  if (crit == model::Criticality::kHard) d.criticality = crit;
  for (const auto& e : d.evidence)
    if (e == ev) return;
  d.evidence.push_back(std::move(ev));
}

void ComposeReader::AddMentions(const ServiceState& st, std::string_view value,
                                const Location& where, const std::string& what,
                                bool allow_bare) {
  if (value.empty()) return;
  for (const auto& m : FindHostMentions(value)) {
    if (m.bare && !allow_bare) continue;
    std::optional<std::string> target = hosts_.Resolve(m.host);
    if (!target || *target == st.name) continue;
    const Component& tc = services_[service_index_.at(*target)].comp;
    DependencyKind kind = DependencyKindFor(tc.kind, m.scheme, m.port);
    std::string reason =
        what + " names " +
        (Lower(*target) == m.host
             ? "service '" + *target + "'"
             : "host '" + m.host + "' of service '" + *target + "'");
    AddEdge(st.name, *target, kind, true, m.port, m.scheme,
            Evidence{where, std::string(value), std::move(reason)},
            model::Criticality::kHard);
  }
}

void ComposeReader::BuildDependencies() {
  for (const auto& st : services_) {
    for (const auto& d : st.depends) {
      if (!service_index_.count(d.target)) {
        result_.problems.push_back({Severity::kError, d.where,
                                    "service '" + st.name +
                                        "' depends on unknown service '" +
                                        d.target + "'",
                                    "dangling-reference"});
        continue;
      }
      if (d.target == st.name) {
        result_.problems.push_back(
            {Severity::kError, d.where,
             "service '" + st.name + "' depends on itself", "self-reference"});
        continue;
      }
      AddEdge(
          st.name, d.target, DependencyKind::kStartOrder, false, 0, "",
          Evidence{d.where, d.target,
                   "depends_on (condition: " + d.condition +
                       (d.required ? "" : ", required: false") + ")"},
          d.required ? model::Criticality::kHard : model::Criticality::kSoft);
    }
    for (const auto& l : st.links) {
      auto it = service_index_.find(l.target);
      if (it == service_index_.end()) {
        result_.problems.push_back({Severity::kError, l.where,
                                    "service '" + st.name +
                                        "' links to unknown service '" +
                                        l.target + "'",
                                    "dangling-reference"});
        continue;
      }
      if (l.target == st.name) continue;
      const Component& tc = services_[it->second].comp;
      AddEdge(st.name, l.target, DependencyKindFor(tc.kind, "", 0), false, 0,
              "", Evidence{l.where, l.value, "links entry"},
              model::Criticality::kHard);
    }
    // env_file entries that environment does not override, then environment.
    std::unordered_set<std::string> env_keys;
    for (const auto& [k, e] : st.env_entries) env_keys.insert(k);
    for (const auto& [k, e] : st.env_file_entries) {
      if (!e.set || env_keys.count(k)) continue;
      AddMentions(st, e.value, e.where, "env_file variable " + k, true);
    }
    for (const auto& [k, e] : st.env_entries) {
      if (!e.set) continue;
      AddMentions(st, e.value, e.where, "environment variable " + k, true);
    }
    // Arguments: only URLs and host:port (a bare word is usually a program
    // or sub-command, e.g. hotelReservation's `entrypoint: geo`).
    for (const auto& a : st.command)
      AddMentions(st, a.value, a.where, "command argument", false);
    for (const auto& a : st.entrypoint)
      AddMentions(st, a.value, a.where, "entrypoint argument", false);
  }
}

// The leading word of a configuration key: "GeoMongoAddress" -> "Geo",
// "consulAddress" -> "consul", "user_db_host" -> "user".
std::string LeadingWord(std::string_view key) {
  size_t i = 0;
  while (i < key.size()) {
    char c = key[i];
    if (c == '_' || c == '-' || c == '.' || c == ' ') break;
    if (i > 0 && std::isupper(static_cast<unsigned char>(c)) &&
        std::islower(static_cast<unsigned char>(key[i - 1])))
      break;
    ++i;
  }
  return std::string(key.substr(0, i));
}

// The key-prefix rule (docs/import-compose.md): the consumer whose name
// best matches the leading word P of the key: equal, or starting with P, or
// sharing a prefix of at least 4 characters that covers all of P but one
// ("Reserve" -> "reservation"). Ties attribute to nobody.
std::optional<std::string> AttributeByKeyPrefix(
    std::string_view key, const std::vector<std::string>& consumers) {
  std::string p = Lower(LeadingWord(key));
  if (p.size() < 3) return std::nullopt;
  std::optional<std::string> best;
  size_t best_score = 0;
  bool tie = false;
  for (const auto& c : consumers) {
    std::string lc = Lower(c);
    size_t common = 0;
    while (common < p.size() && common < lc.size() && p[common] == lc[common])
      ++common;
    bool ok = lc == p || common == p.size() ||
              (common >= 4 && common + 1 >= p.size());
    if (!ok) continue;
    size_t score = common + (lc == p ? 1 : 0);
    if (score > best_score) {
      best = c;
      best_score = score;
      tie = false;
    } else if (score == best_score) {
      tie = true;
    }
  }
  if (tie) return std::nullopt;
  return best;
}

void ComposeReader::ScanCompanions() {
  // Companion file -> the services that mount it, in service order.
  std::map<std::string, std::vector<std::string>> consumers;
  std::map<std::string, Location> first_mount;
  std::set<std::string> reported_missing;
  auto add = [&](const fs::path& p, const std::string& svc,
                 const Location& where) {
    std::string key = p.lexically_normal().string();
    auto& v = consumers[key];
    if (v.empty() || v.back() != svc) v.push_back(svc);
    first_mount.emplace(key, where);
  };
  auto missing = [&](const std::string& text, const fs::path& p,
                     const Location& where) {
    std::string key = p.lexically_normal().string();
    if (!reported_missing.insert(key).second) return;
    result_.problems.push_back(
        {Severity::kInfo, where,
         "companion config '" + text + "' (" + key +
             ") does not exist beside the Compose file; addresses inside it "
             "were not read",
         "companion-config-missing"});
  };
  for (const auto& st : services_) {
    for (size_t i = 0; i < st.config_sources.size(); ++i) {
      auto it = top_configs_.find(st.config_sources[i]);
      if (it == top_configs_.end()) {
        result_.problems.push_back({Severity::kError, st.config_source_where[i],
                                    "service '" + st.name +
                                        "' uses undefined config '" +
                                        st.config_sources[i] + "'",
                                    "dangling-reference"});
        continue;
      }
      if (it->second.path.empty()) continue;
      if (options_.read_files && IsRegularFile(it->second.path)) {
        add(it->second.path, st.name, st.config_source_where[i]);
      } else {
        missing(it->second.text, it->second.path, it->second.where);
      }
    }
    for (const auto& c : st.companions) {
      if (c.missing) {
        missing(c.text, c.path, c.where);
        continue;
      }
      if (IsRegularFile(c.path)) {
        std::string ext = Lower(c.path.extension().string());
        if (ext == ".json" || ext == ".yaml" || ext == ".yml")
          add(c.path, st.name, c.where);
        continue;
      }
      // A directory: its JSON/YAML files, not recursive, bounded.
      std::vector<fs::path> entries;
      std::error_code ec;
      for (fs::directory_iterator it(c.path, ec), end; !ec && it != end;
           it.increment(ec)) {
        std::string ext = Lower(it->path().extension().string());
        if ((ext == ".json" || ext == ".yaml" || ext == ".yml") &&
            IsRegularFile(it->path()))
          entries.push_back(it->path());
      }
      std::sort(entries.begin(), entries.end());
      if (entries.size() > kMaxCompanionFilesPerDir)
        entries.resize(kMaxCompanionFilesPerDir);
      for (const auto& e : entries) add(e, st.name, c.where);
    }
  }
  for (const auto& entry : consumers) {
    // Named references, not structured bindings: lambdas below capture them
    // (clang 14 cannot capture structured bindings).
    const std::string& path = entry.first;
    const std::vector<std::string>& users = entry.second;
    auto text = ReadFileLimited(path);
    Status pre = text.ok() ? PrecheckText(*text, path) : text.status();
    Result<std::unique_ptr<YamlDocument>> docs =
        pre.ok() ? YamlDocument::Parse(*text, path)
                 : Result<std::unique_ptr<YamlDocument>>(pre);
    if (!docs.ok()) {
      result_.problems.push_back(
          {Severity::kWarning, first_mount[path],
           "companion config could not be read: " + docs.status().ToString(),
           "companion-config-unreadable"});
      continue;
    }
    size_t budget = kMaxCompanionNodes;
    int address_book = 0;
    // Walks string values; `top` is the top-level key they sit under.
    auto walk = [&](auto&& self, const YNode& n, const std::string& top,
                    const std::string& p, int depth) -> void {
      if (budget == 0 || depth > kMaxNesting) return;
      --budget;
      if (n.IsMap()) {
        for (const auto& kv : n) {
          if (!kv.first.IsScalar()) continue;
          const std::string& k = kv.first.Scalar();
          self(self, kv.second, depth == 0 ? k : top, Join(p, k), depth + 1);
        }
        return;
      }
      if (n.IsSequence()) {
        size_t i = 0;
        for (const auto& item : n)
          self(self, item, top, Join(p, i++), depth + 1);
        return;
      }
      if (!n.IsScalar()) return;
      const std::string& value = n.Scalar();
      for (const auto& m : FindHostMentions(value)) {
        std::optional<std::string> target = hosts_.Resolve(m.host);
        if (!target) continue;
        if (!top.empty()) {
          if (auto keyed = hosts_.Resolve(top); keyed && *keyed == *target) {
            ++address_book;  // {"svc": {"addr": "svc"}}: names, no caller.
            continue;
          }
        }
        std::optional<std::string> caller;
        std::string rule;
        if (users.size() == 1) {
          caller = users[0];
          rule = "the only service that mounts it";
        } else if (!top.empty()) {
          caller = AttributeByKeyPrefix(top, users);
          rule = "key-prefix rule: '" + LeadingWord(top) + "' -> service";
        }
        Location where = At(path, n, p);
        if (!caller) {
          result_.problems.push_back(
              {Severity::kInfo, where,
               "'" + value + "' names service '" + *target +
                   "' but no caller can be attributed among the " +
                   std::to_string(users.size()) +
                   " services that mount this file (key-prefix rule)",
               "companion-unattributed"});
          continue;
        }
        if (*caller == *target) continue;
        const Component& tc = services_[service_index_.at(*target)].comp;
        AddEdge(*caller, *target, DependencyKindFor(tc.kind, m.scheme, m.port),
                true, m.port, m.scheme,
                Evidence{where, value,
                         "companion config value names service '" + *target +
                             "'; caller '" + *caller + "' by " + rule},
                model::Criticality::kHard);
      }
    };
    for (const auto& d : (*docs)->documents()) walk(walk, d, "", "", 0);
    if (address_book > 0) {
      result_.problems.push_back(
          {Severity::kInfo,
           {path, 1, 1, ""},
           std::to_string(address_book) +
               " value(s) of this file are an address book (each entry is "
               "keyed by the service it addresses); they name no caller",
           "companion-address-book"});
    }
  }
}

Result<LoadResult> ComposeReader::Run() {
  if (names_.empty()) return Status::InvalidArgument("no Compose files");
  if (names_.size() != texts_.size())
    return Status::Internal("ReadCompose: names and texts differ in length");
  ECOTONE_RETURN_IF_ERROR(LoadSources());
  ECOTONE_RETURN_IF_ERROR(LoadDotEnv());
  ECOTONE_RETURN_IF_ERROR(CollectServices());
  BuildComponents();
  BuildIndex();
  result_.ecosystem.dependencies.reserve(services_.size() * 2);
  BuildDependencies();
  ScanCompanions();
  model::Ecosystem& eco = result_.ecosystem;
  eco.source_format = "compose";
  eco.source_files = names_;
  if (!options_.name.empty()) {
    eco.name = options_.name;
  } else if (!project_name_.empty()) {
    eco.name = project_name_;
  } else {
    // Like docker compose: the directory of the first file.
    fs::path dir = fs::path(names_[0]).parent_path();
    eco.name = dir.filename().string();
    if (eco.name.empty() || eco.name == "." || eco.name == "..")
      eco.name = fs::path(names_[0]).stem().string();
  }
  eco.components.reserve(services_.size());
  for (auto& st : services_) eco.components.push_back(std::move(st.comp));
  return std::move(result_);
}

}  // namespace

Result<LoadResult> ReadCompose(const std::vector<std::string>& names,
                               const std::vector<std::string>& texts,
                               const LoadOptions& options) {
  try {
    ComposeReader reader(names, texts, options);
    return reader.Run();
  } catch (const std::bad_alloc&) {
    return Status::InvalidArgument("input too large to read",
                                   {names.empty() ? "" : names[0], 0, 0, ""});
  } catch (const std::exception& e) {
    // Nothing below throws by design (libyaml is C); keep any surprise in.
    return Status::Internal(std::string("compose reader: ") + e.what(),
                            {names.empty() ? "" : names[0], 0, 0, ""});
  }
}

}  // namespace ecotone::manifest
