// TEMPORARY placeholder (replaced by the Compose work in this session).
#include "ecotone/manifest/manifest.h"
namespace ecotone::manifest {
Result<LoadResult> ReadCompose(const std::vector<std::string>& names,
                               const std::vector<std::string>&, const LoadOptions&) {
  return Status::Internal("compose reader not built yet", {names[0], 0, 0, ""});
}
}  // namespace ecotone::manifest
