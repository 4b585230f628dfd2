// Writes JSON values as block-style YAML that Kubernetes tools (go-yaml,
// js-yaml) read back to the same typed values. Strings are written plain only
// when no YAML 1.1 or 1.2 resolver could read them as anything else
// (`true`, `yes`, `on`, `null`, `0x1F`, `1e3`, `12:30` ... are quoted), else
// double-quoted with JSON escapes (a valid YAML double-quoted scalar).
// Deterministic: keys come out in the order of the ordered_json object.
// Pure; thread-safe.
#ifndef ECOTONE_KUBERNETES_YAML_WRITER_H_
#define ECOTONE_KUBERNETES_YAML_WRITER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace ecotone::kubernetes {

// True when `s` may be written as a plain YAML scalar and reads back as the
// same string.
bool IsSafePlainScalar(std::string_view s);

// One YAML document (no leading `---`), ending in a newline.
std::string ToYaml(const nlohmann::ordered_json& value);

}  // namespace ecotone::kubernetes

#endif  // ECOTONE_KUBERNETES_YAML_WRITER_H_
