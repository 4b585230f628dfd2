// Reading ecosystems from files: the native Ecotone format (YAML or JSON),
// Docker Compose (one or several files merged in order) and Kubernetes YAML.
// Every reader returns the ecosystem plus the problems and skipped objects it
// met; a file that cannot be read or is invalid is a non-OK Status whose
// location names file, line, column and field path.
// The functions are thread-safe (no shared state).
#ifndef ECOTONE_MANIFEST_MANIFEST_H_
#define ECOTONE_MANIFEST_MANIFEST_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/model/ecosystem.h"

namespace ecotone::manifest {

enum class Format {
  kAuto = 0,    // decide from the content of the first file.
  kEcotone,     // native format (docs/manifest.md).
  kCompose,     // Compose Specification.
  kKubernetes,  // Kubernetes YAML, multi-document.
};
std::string_view FormatName(Format f);  // "auto", "ecotone", ...
std::optional<Format> ParseFormat(std::string_view name);

struct LoadOptions {
  Format format = Format::kAuto;
  // Compose: variables for ${VAR} interpolation. They win over `.env` beside
  // the first file; when `use_process_env` is true the process environment
  // wins over both (as `docker compose` does).
  std::map<std::string, std::string> variables;
  bool use_process_env = false;
  // Compose: read files the manifest refers to (.env, env_file, configs,
  // bind-mounted config files). False for text received over the network
  // (`ecotone serve`): nothing on the reader's disk is looked at; env_file
  // entries are then skipped with a warning and companion configs are
  // reported as not read.
  bool read_files = true;
  // Compose: active profiles. Services with profiles that are not active are
  // still imported but marked (Component::profiles); see docs/manifest.md.
  std::vector<std::string> profiles;
  // Ecosystem name when the input has none (default: derived from the file).
  std::string name;
};

struct LoadResult {
  model::Ecosystem ecosystem;
  std::vector<model::Problem> problems;       // warnings and notes.
  std::vector<model::SkippedObject> skipped;  // objects not imported.
};

// Detects the format of a text: a top-level `components` key = ecotone,
// `services` = compose, documents with `apiVersion` and `kind` = kubernetes.
// kInvalidArgument naming the file when none matches.
Result<Format> DetectFormat(std::string_view text, const std::string& file);

// Reads and merges `files` (all of one format; Compose files are merged in
// order like `docker compose -f a -f b`, Kubernetes files are concatenated,
// several native files are an error). Returns kIOError when a file cannot
// be read and kInvalidArgument (with location) when it is invalid.
Result<LoadResult> LoadFiles(const std::vector<std::string>& files,
                             const LoadOptions& options);

// The same for in-memory texts: `texts[i]` is the content of `names[i]`
// (names are used in locations and evidence). Compose `.env` and env_file
// are looked up relative to the names when they are paths on disk.
Result<LoadResult> LoadTexts(const std::vector<std::string>& names,
                             const std::vector<std::string>& texts,
                             const LoadOptions& options);

// Format-specific readers (used by LoadTexts; exposed for tests and fuzzing).
Result<LoadResult> ReadNative(const std::string& name, std::string_view text,
                              const LoadOptions& options);
Result<LoadResult> ReadCompose(const std::vector<std::string>& names,
                               const std::vector<std::string>& texts,
                               const LoadOptions& options);
Result<LoadResult> ReadKubernetes(const std::vector<std::string>& names,
                                  const std::vector<std::string>& texts,
                                  const LoadOptions& options);

}  // namespace ecotone::manifest

#endif  // ECOTONE_MANIFEST_MANIFEST_H_
