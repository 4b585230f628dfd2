// TEMPORARY placeholder (replaced by the Kubernetes work in this session).
#include "ecotone/manifest/manifest.h"
namespace ecotone::manifest {
Result<LoadResult> ReadKubernetes(const std::vector<std::string>& names,
                                  const std::vector<std::string>&, const LoadOptions&) {
  return Status::Internal("kubernetes reader not built yet", {names[0], 0, 0, ""});
}
}  // namespace ecotone::manifest
