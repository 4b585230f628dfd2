// Private helpers shared by the manifest readers: safe loading of YAML/JSON
// text with a size and nesting limit, locations of nodes, merge keys, and
// typed scalar access that reports `file:line:column: path: message`.
#ifndef ECOTONE_MANIFEST_YAML_UTIL_H_
#define ECOTONE_MANIFEST_YAML_UTIL_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"

namespace ecotone::manifest {

// Inputs larger than this are rejected before parsing (documented limit).
inline constexpr size_t kMaxInputBytes = 64u << 20;
// Deeper flow/block nesting is rejected before yaml-cpp recurses into it.
inline constexpr int kMaxNesting = 200;

// Reads a whole file. kIOError when it cannot be read, kInvalidArgument when
// it is larger than kMaxInputBytes.
Result<std::string> ReadFileLimited(const std::string& path);

// Checks text that is about to be parsed: not larger than kMaxInputBytes,
// no NUL bytes (binary garbage), nesting of [ { and indentation within
// kMaxNesting. Returns kInvalidArgument naming the file and line.
Status PrecheckText(std::string_view text, const std::string& file);

// Checks the syntax of a YAML (or JSON) stream with libyaml's event parser
// (no tree is built). kInvalidArgument with file:line:column on the first
// error. LoadAllDocuments calls it before yaml-cpp, which can hang on some
// invalid streams.
Status ValidateYamlSyntax(std::string_view text, const std::string& file);

// Parses all documents of a YAML (or JSON) stream. Parser exceptions become
// kInvalidArgument with file:line:column. Empty documents are kept as Null.
Result<std::vector<YAML::Node>> LoadAllDocuments(std::string_view text,
                                                 const std::string& file);

// Parses a stream that must hold exactly one non-empty document (infra and
// plan files). kInvalidArgument naming the second document's line when
// there are more, or the file when there is none.
Result<YAML::Node> LoadSingleDocument(std::string_view text,
                                      const std::string& file);

// Location of a node (1-based), with a field path.
Location At(const std::string& file, const YAML::Node& node,
            std::string path = {});

// Resolves YAML merge keys ("<<": map or sequence of maps) recursively IN
// PLACE and returns the same (now resolved) tree: explicit keys win over
// merged ones, earlier maps in a merge sequence win over later ones (YAML
// 1.1 merge spec). Every node keeps its source mark (merged keys and values
// are the nodes of the merged map), so At() still points into the file.
// Work is linear in the parsed text even with many aliases. Depth is bounded
// by kMaxNesting; invalid merge values (a scalar after "<<") are ignored.
YAML::Node ResolveMergeKeys(const YAML::Node& node, int depth = 0);

// The same, but an invalid merge value or nesting deeper than kMaxNesting
// is kInvalidArgument at its location in `file`.
Status ResolveMergeKeysInPlace(const std::string& file, YAML::Node root);

// Scalar accessors: return kInvalidArgument at the node's location with the
// field path when the node is not a scalar of the expected type.
Result<std::string> AsString(const std::string& file, const YAML::Node& node,
                             const std::string& path);
Result<int64_t> AsInt(const std::string& file, const YAML::Node& node,
                      const std::string& path, int64_t min, int64_t max);
Result<double> AsDouble(const std::string& file, const YAML::Node& node,
                        const std::string& path, double min, double max);
Result<bool> AsBool(const std::string& file, const YAML::Node& node,
                    const std::string& path);

// "a.b" + "c" -> "a.b.c"; "a" + 3 -> "a[3]".
std::string Join(const std::string& path, std::string_view key);
std::string Join(const std::string& path, size_t index);

}  // namespace ecotone::manifest

#endif  // ECOTONE_MANIFEST_YAML_UTIL_H_
