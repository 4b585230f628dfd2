// Reading and writing the infrastructure description (docs/infra.md, schema
// docs/infra.schema.json) and placement plan files (the JSON written by
// `ecotone place --output json`, read back as `--current`).
// Invalid input is a non-OK Status (kInvalidArgument) whose location names
// file, line, column and field path; unreadable files are kIOError.
// The functions are thread-safe (no shared state).
#ifndef ECOTONE_MANIFEST_INFRA_H_
#define ECOTONE_MANIFEST_INFRA_H_

#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"
#include "ecotone/model/ecosystem.h"
#include "ecotone/model/plan.h"
#include "ecotone/model/topology.h"

namespace ecotone::manifest {

// Parses an infrastructure description (YAML or JSON) named `file` (used in
// locations). Checks: known field names, duplicate region/zone/rack/host
// names, non-negative capacities and prices, known states, the latency matrix
// square over exactly the declared zones with every pair present, symmetric
// and with a zero diagonal, egress prices non-negative over declared zones.
// Fills in derived values (zone capacity = sum of racks, rack capacity = sum
// of hosts, default failure domains, region labels merged into zones).
// Returns the topology or kInvalidArgument with the location of the bad node.
Result<model::Topology> ReadInfra(const std::string& file,
                                  std::string_view text);
// Reads the file and calls ReadInfra. kIOError when it cannot be read.
Result<model::Topology> LoadInfraFile(const std::string& path);

// Parses a plan (JSON or YAML): an object with `assignments`, a list of
// {component, replica, zone, rack?, host?}; other keys (the rest of the
// `ecotone place` JSON output) are ignored. Duplicate (component, replica)
// entries are an error. Each Assignment keeps its location.
Result<model::PlacementPlan> ReadPlan(const std::string& file,
                                      std::string_view text);
Result<model::PlacementPlan> LoadPlanFile(const std::string& path);

// Checks a plan read from `file` against an ecosystem and a topology: every
// component, zone, rack and host named must exist and replica indices must
// be >= 0. Replicas beyond a component's current count are allowed (a
// scale-down drops them). kInvalidArgument at the assignment's location.
Status ValidatePlan(const model::PlacementPlan& plan,
                    const model::Ecosystem& ecosystem,
                    const model::Topology& topology);

// The plan as a JSON document ({"ecosystem", "infra", "metadata",
// "assignments"}) that ReadPlan accepts.
std::string WritePlanJson(const model::PlacementPlan& plan);

}  // namespace ecotone::manifest

#endif  // ECOTONE_MANIFEST_INFRA_H_
