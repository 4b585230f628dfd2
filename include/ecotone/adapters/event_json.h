// JSON for events and actions: the body of POST /v1/events, the audit log
// (JSON Lines of actions), simulator timelines. Field names are the struct
// fields (snake_case); enums by name (model::EventKindName...); absent
// metric values are left out. Only the fields of an object's kind are
// written; readers reject unknown fields and wrong types with the field path.
// Documented in docs/events.md.
#ifndef ECOTONE_ADAPTERS_EVENT_JSON_H_
#define ECOTONE_ADAPTERS_EVENT_JSON_H_

#include <string_view>

#include <nlohmann/json.hpp>

#include "ecotone/base/status.h"
#include "ecotone/model/action.h"
#include "ecotone/model/event.h"

namespace ecotone::adapters {

nlohmann::json ToJson(const model::Event& event);
nlohmann::json ToJson(const model::Action& action);

// `path` names the value in messages, e.g. "body" or "events[3]": errors
// read "body.hardware.zone: expected a string". Round trip: for every valid
// x, FromJson(ToJson(x)) == x.
Result<model::Event> EventFromJson(const nlohmann::json& j, std::string_view path);
Result<model::Action> ActionFromJson(const nlohmann::json& j, std::string_view path);

}  // namespace ecotone::adapters

#endif  // ECOTONE_ADAPTERS_EVENT_JSON_H_
