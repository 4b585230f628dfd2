// Fuzzes the Docker Compose reader: any input must give an ecosystem or a
// Status, never a crash, a hang or undefined behaviour. The input is split
// into two files at the first "\n---8<---\n" (if any) to fuzz multi-file
// merging too. Names live in a directory that does not exist, so the reader
// never touches the disk (.env, env_file, companion configs).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/manifest/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> names = {"/nonexistent-ecotone-fuzz/compose.yml"};
  std::vector<std::string> texts;
  constexpr std::string_view kSplit = "\n---8<---\n";
  size_t cut = in.find(kSplit);
  if (cut == std::string_view::npos) {
    texts.emplace_back(in);
  } else {
    texts.emplace_back(in.substr(0, cut));
    texts.emplace_back(in.substr(cut + kSplit.size()));
    names.push_back("/nonexistent-ecotone-fuzz/override.yml");
  }
  ecotone::manifest::LoadOptions options;
  options.variables = {{"TAG", "1.0"}, {"EMPTY", ""}};
  auto r = ecotone::manifest::ReadCompose(names, texts, options);
  if (r.ok()) {
    // Touch the result so the work is not optimised away.
    size_t n =
        r->ecosystem.components.size() + r->ecosystem.dependencies.size();
    if (n == static_cast<size_t>(-1)) return 1;
  }
  return 0;
}
