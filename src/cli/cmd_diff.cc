// `ecotone diff OLD NEW`: components and dependencies added, removed and
// changed between two versions of an ecosystem. Exit codes like diff(1):
// 0 identical, 1 different, 2 unreadable or invalid input or bad usage.
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli.h"
#include "ecotone/jsonio/ecosystem_json.h"
#include "ecotone/graph/diff.h"
#include "ecotone/manifest/manifest.h"

namespace ecotone::cli {

using jsonio::Dump;
using jsonio::ToJson;
namespace {

struct DiffFlags {
  std::string old_file;
  std::string new_file;
  std::string format = "auto";
  std::string output = "text";
};

std::string Changes(const std::vector<graph::FieldChange>& changes) {
  std::string s;
  for (const auto& c : changes) {
    if (!s.empty()) s += "; ";
    s += c.field + " " + (c.old_value.empty() ? "\"\"" : c.old_value) + " -> " +
         (c.new_value.empty() ? "\"\"" : c.new_value);
  }
  return s;
}

std::string Edge(const graph::EdgeKey& k) {
  return k.from + " -> " + k.to + " (" +
         std::string(model::DependencyKindName(k.kind)) + ")";
}

nlohmann::json ChangesJson(const std::vector<graph::FieldChange>& changes) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& c : changes)
    a.push_back(
        {{"field", c.field}, {"old", c.old_value}, {"new", c.new_value}});
  return a;
}

nlohmann::json EdgeJson(const graph::EdgeKey& k) {
  return {{"from", k.from},
          {"to", k.to},
          {"kind", model::DependencyKindName(k.kind)}};
}

nlohmann::json Head(const model::Ecosystem& e) {
  return {{"name", e.name},
          {"version", e.version},
          {"format", e.source_format},
          {"files", e.source_files}};
}

int RunDiff(const DiffFlags& flags) {
  auto old_load = LoadManifests({flags.old_file}, flags.format);
  if (!old_load.ok()) return ReportError(old_load.status());
  auto new_load = LoadManifests({flags.new_file}, flags.format);
  if (!new_load.ok()) return ReportError(new_load.status());
  const model::Ecosystem& a = old_load->ecosystem;
  const model::Ecosystem& b = new_load->ecosystem;
  graph::EcosystemDiff d = graph::DiffEcosystems(a, b);

  if (flags.output == "json") {
    nlohmann::json j;
    j["old"] = Head(a);
    j["new"] = Head(b);
    j["identical"] = d.empty();
    j["ecosystem_changes"] = ChangesJson(d.ecosystem_changes);
    nlohmann::json changed = nlohmann::json::array();
    for (const auto& c : d.changed_components)
      changed.push_back(
          {{"name", c.name}, {"changes", ChangesJson(c.changes)}});
    j["components"] = {{"added", d.added_components},
                       {"removed", d.removed_components},
                       {"changed", std::move(changed)}};
    nlohmann::json added = nlohmann::json::array(),
                   removed = nlohmann::json::array(),
                   echanged = nlohmann::json::array();
    for (const auto& k : d.added_edges) added.push_back(EdgeJson(k));
    for (const auto& k : d.removed_edges) removed.push_back(EdgeJson(k));
    for (const auto& c : d.changed_edges) {
      nlohmann::json e = EdgeJson(c.key);
      e["changes"] = ChangesJson(c.changes);
      echanged.push_back(std::move(e));
    }
    j["dependencies"] = {{"added", std::move(added)},
                         {"removed", std::move(removed)},
                         {"changed", std::move(echanged)}};
    std::cout << Dump(j, 2) << "\n";
  } else {
    std::ostream& out = std::cout;
    out << "--- " << flags.old_file << " (" << (a.name.empty() ? "-" : a.name)
        << " " << (a.version.empty() ? "unversioned" : a.version) << ")\n"
        << "+++ " << flags.new_file << " (" << (b.name.empty() ? "-" : b.name)
        << " " << (b.version.empty() ? "unversioned" : b.version) << ")\n";
    if (!d.ecosystem_changes.empty())
      out << "~ ecosystem: " << Changes(d.ecosystem_changes) << "\n";
    for (const auto& n : d.added_components) out << "+ component " << n << "\n";
    for (const auto& n : d.removed_components)
      out << "- component " << n << "\n";
    for (const auto& c : d.changed_components)
      out << "~ component " << c.name << ": " << Changes(c.changes) << "\n";
    for (const auto& k : d.added_edges)
      out << "+ dependency " << Edge(k) << "\n";
    for (const auto& k : d.removed_edges)
      out << "- dependency " << Edge(k) << "\n";
    for (const auto& c : d.changed_edges)
      out << "~ dependency " << Edge(c.key) << ": " << Changes(c.changes)
          << "\n";
    out << "components: " << d.added_components.size() << " added, "
        << d.removed_components.size() << " removed, "
        << d.changed_components.size()
        << " changed; dependencies: " << d.added_edges.size() << " added, "
        << d.removed_edges.size() << " removed, " << d.changed_edges.size()
        << " changed\n";
  }
  std::cout.flush();
  if (!std::cout)
    return ReportError(Status::IOError("cannot write the output"));
  return d.empty() ? kExitOk : kExitProblems;
}

}  // namespace

void RegisterDiff(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<DiffFlags>();
  CLI::App* cmd = app.add_subcommand(
      "diff",
      "List components and dependencies added, removed and changed between "
      "two versions of an ecosystem (exit 0 same, 1 different, 2 error)");
  cmd->add_option("old", flags->old_file, "The old manifest")->required();
  cmd->add_option("new", flags->new_file, "The new manifest")->required();
  cmd->add_option("--format", flags->format, "Input format of both files")
      ->check(CLI::IsMember({"auto", "ecotone", "compose", "kubernetes", "k8s",
                             "docker-compose"}))
      ->capture_default_str();
  cmd->add_option("--output,-o", flags->output, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([flags, exit_code] {
    try {
      *exit_code = RunDiff(*flags);
    } catch (const std::exception& e) {
      *exit_code =
          ReportError(Status::Internal(std::string("diff: ") + e.what()));
    }
  });
}

}  // namespace ecotone::cli
