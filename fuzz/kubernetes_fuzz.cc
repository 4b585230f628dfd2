// Fuzzes the Kubernetes reader (ReadKubernetes): any input must give an
// ecosystem or a located error, never a crash, a hang or UB. A form feed
// splits the input into two files to exercise the multi-file path.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ecotone/manifest/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> names = {"fuzz.yaml"};
  std::vector<std::string> texts;
  if (size_t ff = text.find('\f'); ff != std::string::npos) {
    texts.push_back(text.substr(0, ff));
    texts.push_back(text.substr(ff + 1));
    names.push_back("fuzz2.yaml");
  } else {
    texts.push_back(text);
  }
  auto r = ecotone::manifest::ReadKubernetes(names, texts, {});
  if (!r.ok() && r.status().message().empty()) __builtin_trap();
  return 0;
}
