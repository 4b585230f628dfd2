// A pre-parse check that keeps yaml-cpp 0.7 out of a known infinite loop.
//
// yaml-cpp 0.7 never returns (and allocates without bound) when a document
// starts with a comma (`, a`) or its root node is a flow collection followed
// by a comma: `[a],`, `{"a": 1},`, `{"a": 1}\n,` — a truncated or
// concatenated JSON file is enough. This check finds exactly these shapes
// without parsing, so the readers can report them as ordinary syntax errors.
#ifndef ECOTONE_MANIFEST_NATIVE_PRECHECK_H_
#define ECOTONE_MANIFEST_NATIVE_PRECHECK_H_

#include <string>
#include <string_view>

#include "ecotone/base/status.h"

namespace ecotone::manifest {

// Returns kInvalidArgument at the comma's file:line:column when a document
// starts with ',' or its root is a flow collection ([...] or {...}) that is
// followed by ','; OK for everything else (other syntax errors are left to the parser).
// Linear in the size of `text`; pure and thread-safe.
Status CheckFlowRootFollowedByComma(std::string_view text,
                                    const std::string& file);

}  // namespace ecotone::manifest

#endif  // ECOTONE_MANIFEST_NATIVE_PRECHECK_H_
