// JSON encodings of the parts of the model that the store keeps in JSON
// columns (the component fields without their own column, evidence lists,
// string lists and maps). Pure functions, no I/O; nlohmann-json exceptions
// never leave this file. Private to the store module.
#ifndef ECOTONE_STORE_CODEC_H_
#define ECOTONE_STORE_CODEC_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/model/ecosystem.h"

namespace ecotone::store {

// The component fields stored in components.extra: limits, placement,
// labels, ports, startup_us, profiles, source_kind, where. kInvalidArgument
// (naming `field`) when a string is not valid UTF-8.
Result<std::string> EncodeComponentExtra(const model::Component& c);
// Fills those fields of *c from `json`; kCorruption when it is malformed.
Status DecodeComponentExtra(std::string_view json, model::Component* c);

Result<std::string> EncodeEvidence(const std::vector<model::Evidence>& e);
Result<std::vector<model::Evidence>> DecodeEvidence(std::string_view json);

Result<std::string> EncodeStrings(const std::vector<std::string>& v);
Result<std::vector<std::string>> DecodeStrings(std::string_view json);

Result<std::string> EncodeStringMap(
    const std::map<std::string, std::string>& m);
Result<std::map<std::string, std::string>> DecodeStringMap(
    std::string_view json);

// Whether `text` is one valid JSON value.
bool IsValidJson(std::string_view text);

}  // namespace ecotone::store

#endif  // ECOTONE_STORE_CODEC_H_
