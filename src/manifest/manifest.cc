#include "ecotone/manifest/manifest.h"

#include <cctype>

#include "yaml_util.h"

namespace ecotone::manifest {

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kAuto: return "auto";
    case Format::kEcotone: return "ecotone";
    case Format::kCompose: return "compose";
    case Format::kKubernetes: return "kubernetes";
  }
  return "unknown";
}

std::optional<Format> ParseFormat(std::string_view name) {
  for (Format f : {Format::kAuto, Format::kEcotone, Format::kCompose,
                   Format::kKubernetes})
    if (FormatName(f) == name) return f;
  if (name == "k8s") return Format::kKubernetes;
  if (name == "docker-compose") return Format::kCompose;
  return std::nullopt;
}

Result<Format> DetectFormat(std::string_view text, const std::string& file) {
  // A cheap scan instead of a parse: detection must not double the cost of
  // reading a large file. Top-level keys start at column 0 in YAML; in JSON
  // we look for the quoted keys.
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  bool json = i < text.size() && (text[i] == '{' || text[i] == '[');
  if (json) {
    if (text.find("\"components\"") != std::string_view::npos) return Format::kEcotone;
    if (text.find("\"apiVersion\"") != std::string_view::npos) return Format::kKubernetes;
    if (text.find("\"services\"") != std::string_view::npos) return Format::kCompose;
  } else {
    bool api = false, kind = false, services = false, components = false;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t eol = text.find('\n', pos);
      std::string_view line =
          text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
      auto starts = [&](std::string_view key) {
        return line.size() > key.size() && line.substr(0, key.size()) == key &&
               line[key.size()] == ':';
      };
      if (starts("components")) components = true;
      if (starts("services")) services = true;
      if (starts("apiVersion")) api = true;
      if (starts("kind")) kind = true;
      if (eol == std::string_view::npos) break;
      pos = eol + 1;
    }
    if (components) return Format::kEcotone;
    if (api && kind) return Format::kKubernetes;
    if (services) return Format::kCompose;
    if (api || kind) return Format::kKubernetes;
  }
  bool blank = true;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) blank = false;
  if (blank) return Status::InvalidArgument("file is empty", {file, 0, 0, ""});
  return Status::InvalidArgument(
      "cannot tell the format: expected a top-level 'components' (ecotone), "
      "'services' (compose) or Kubernetes objects with 'apiVersion' and 'kind'; "
      "use --format to say which",
      {file, 1, 1, ""});
}

Result<LoadResult> LoadTexts(const std::vector<std::string>& names,
                             const std::vector<std::string>& texts,
                             const LoadOptions& options) {
  if (names.empty()) return Status::InvalidArgument("no input files");
  if (names.size() != texts.size())
    return Status::Internal("LoadTexts: names and texts differ in length");
  Format format = options.format;
  if (format == Format::kAuto) {
    ECOTONE_ASSIGN_OR_RETURN(format, DetectFormat(texts[0], names[0]));
    // All files of one invocation must agree.
    for (size_t i = 1; i < texts.size(); ++i) {
      auto f = DetectFormat(texts[i], names[i]);
      // A Compose override file may lack 'services' only if empty; keep strict.
      if (f.ok() && *f != format) {
        return Status::InvalidArgument(
            "file is " + std::string(FormatName(*f)) + " but " + names[0] +
                " is " + std::string(FormatName(format)) +
                "; all files of one ecosystem must have one format",
            {names[i], 1, 1, ""});
      }
    }
  }
  switch (format) {
    case Format::kEcotone:
      if (names.size() != 1)
        return Status::InvalidArgument(
            "the native format takes one file per ecosystem", {names[1], 0, 0, ""});
      return ReadNative(names[0], texts[0], options);
    case Format::kCompose:
      return ReadCompose(names, texts, options);
    case Format::kKubernetes:
      return ReadKubernetes(names, texts, options);
    case Format::kAuto:
      break;
  }
  return Status::Internal("unreachable format");
}

Result<LoadResult> LoadFiles(const std::vector<std::string>& files,
                             const LoadOptions& options) {
  std::vector<std::string> texts;
  texts.reserve(files.size());
  for (const auto& f : files) {
    ECOTONE_ASSIGN_OR_RETURN(std::string t, ReadFileLimited(f));
    texts.push_back(std::move(t));
  }
  return LoadTexts(files, texts, options);
}

}  // namespace ecotone::manifest
