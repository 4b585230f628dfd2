// Reading replica schedules (the JSON of `ecotone scale --output json`) for
// HPA bounds and the ecotone.io/replica-schedule annotation.
#include <map>
#include <string>
#include <vector>

#include "ecotone/kubernetes/emit.h"

namespace ecotone::kubernetes {

Result<std::map<std::string, std::vector<ScheduledReplicas>>>
ReadReplicaSchedules(const std::string& file, std::string_view text) {
  using nlohmann::json;
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, out_of_range (1e999)
    return Status::InvalidArgument(std::string("invalid JSON: ") + e.what(),
                                   {file, 0, 0, ""});
  }
  auto bad = [&](const std::string& path, const std::string& msg) {
    return Status::InvalidArgument(msg, {file, 0, 0, path});
  };
  if (!root.is_array())
    return bad("",
               "expected the array printed by `ecotone scale --output json`");
  std::map<std::string, std::vector<ScheduledReplicas>> out;
  for (size_t i = 0; i < root.size(); ++i) {
    const json& e = root[i];
    std::string p = "[" + std::to_string(i) + "]";
    if (!e.is_object()) return bad(p, "expected an object");
    if (!e.contains("component") || !e["component"].is_string() ||
        e["component"].get<std::string>().empty())
      return bad(p + ".component", "expected a component name");
    std::string comp = e["component"].get<std::string>();
    if (out.count(comp)) return bad(p + ".component", "'" + comp + "' twice");
    if (!e.contains("schedule") || !e["schedule"].is_array() ||
        e["schedule"].empty())
      return bad(p + ".schedule", "expected a non-empty array");
    std::vector<ScheduledReplicas> steps;
    for (size_t k = 0; k < e["schedule"].size(); ++k) {
      const json& st = e["schedule"][k];
      std::string sp = p + ".schedule[" + std::to_string(k) + "]";
      if (!st.is_object()) return bad(sp, "expected an object");
      if (!st.contains("replicas") || !st["replicas"].is_number_integer())
        return bad(sp + ".replicas", "expected an integer");
      long long r = st["replicas"].get<long long>();
      if (r < 0 || r > 100000)
        return bad(sp + ".replicas", "must be in [0, 100000]");
      if (!st.contains("timestamp") || !st["timestamp"].is_string())
        return bad(sp + ".timestamp", "expected a string");
      steps.push_back(
          {st["timestamp"].get<std::string>(), static_cast<int>(r)});
    }
    out[comp] = std::move(steps);
  }
  return out;
}

}  // namespace ecotone::kubernetes
