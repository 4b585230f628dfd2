// TEMPORARY placeholder (replaced by the native-format work in this session).
#include "ecotone/manifest/manifest.h"
namespace ecotone::manifest {
Result<LoadResult> ReadNative(const std::string& name, std::string_view,
                              const LoadOptions&) {
  return Status::Internal("native reader not built yet", {name, 0, 0, ""});
}
}  // namespace ecotone::manifest
