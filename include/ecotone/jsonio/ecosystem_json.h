// The ecotone_jsonio library: JSON forms of the model's value types, shared
// by the CLI verbs that print components, dependencies or problems (analyze,
// diff, place...) and the server's API. The field names are documented in
// docs/analyze.md. Pure functions, thread-safe.
#ifndef ECOTONE_JSONIO_ECOSYSTEM_JSON_H_
#define ECOTONE_JSONIO_ECOSYSTEM_JSON_H_

#include <nlohmann/json.hpp>

#include "ecotone/base/status.h"
#include "ecotone/model/ecosystem.h"

namespace ecotone::jsonio {

// j.dump() that never throws: invalid UTF-8 from an input file is replaced
// by U+FFFD instead of raising nlohmann's type_error 316.
std::string Dump(const nlohmann::json& j, int indent = -1);

// {"file", "line", "column", "path"}.
nlohmann::json ToJson(const Location& where);
// {"cpu_millicores", "memory_bytes", "bandwidth_bps", "storage_bytes"} plus
// human strings "cpu", "memory", "bandwidth", "storage" (empty when 0).
nlohmann::json ToJson(const model::Resources& r);
// {"file", "line", "column", "path", "value", "reason"}.
nlohmann::json ToJson(const model::Evidence& e);
// Every field of a component: name, kind, version, image,
// replicas{min,max,initial}, requests, limits, latency_slo_us, stateful,
// placement, labels, ports[{number,protocol,name}], capacity_rps_per_replica,
// startup_us, profiles, source_kind, location.
nlohmann::json ToJson(const model::Component& c);
// from, to, kind, port, protocol, traffic_rps, traffic_bytes_per_s,
// latency_budget_us, criticality, inferred, evidence[].
nlohmann::json ToJson(const model::Dependency& d);
// severity, code, file, line, column, path, message.
nlohmann::json ToJson(const model::Problem& p);
// kind, name, reason, file, line, column, path.
nlohmann::json ToJson(const model::SkippedObject& s);

}  // namespace ecotone::jsonio

#endif  // ECOTONE_JSONIO_ECOSYSTEM_JSON_H_
