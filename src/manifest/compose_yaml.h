// A compact YAML document model for the Compose reader, built from libyaml
// events. yaml-cpp needs about 1 s and 90 MB to parse a 2 MB Compose file
// with 10,000 services (one heap node, node_ref, node_data and memory-holder
// entry per YAML node); libyaml parses it in about 30 ms and this model
// keeps one small struct per node. The handle class YNode mirrors the part
// of the yaml-cpp Node API the reader uses (IsMap, Scalar, Mark, iteration
// with .first/.second), so the reader reads like yaml-cpp code.
//
// Aliases are shared nodes (not copies), so alias bombs cost no memory;
// anchors are registered when their node is complete, so an alias cannot
// refer to an enclosing node and the graph has no cycles.
// A YamlDocument is immutable after parsing except for ResolveMerges, and
// safe to read from several threads.
#ifndef ECOTONE_MANIFEST_COMPOSE_YAML_H_
#define ECOTONE_MANIFEST_COMPOSE_YAML_H_

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ecotone/base/status.h"

namespace ecotone::manifest::compose {

struct YNodeData {
  enum class Type : unsigned char { kNull, kScalar, kSequence, kMap };
  Type type = Type::kNull;
  bool plain = true;  // a plain (unquoted) scalar; "<<" merges only if plain.
  int line = 0;       // 0-based, like yaml-cpp marks.
  int column = 0;
  int pos = 0;
  std::string scalar;
  // Sequence: the items. Map: key0, value0, key1, value1, ...
  std::vector<YNodeData*> items;
};

// yaml-cpp-like mark (0-based).
struct YMark {
  int line = -1;
  int column = -1;
  int pos = -1;
};

class YNode;

// One map entry (first = key, second = value) or one sequence item (the
// entry itself is the item, like yaml-cpp's iterator value).
class YEntry;

// A borrowed handle on a node of a YamlDocument; default = undefined.
class YNode {
 public:
  YNode() = default;
  explicit YNode(const YNodeData* d) : d_(d) {}

  bool IsDefined() const { return d_ != nullptr; }
  bool IsNull() const { return d_ && d_->type == YNodeData::Type::kNull; }
  bool IsScalar() const { return d_ && d_->type == YNodeData::Type::kScalar; }
  bool IsSequence() const {
    return d_ && d_->type == YNodeData::Type::kSequence;
  }
  bool IsMap() const { return d_ && d_->type == YNodeData::Type::kMap; }
  bool IsPlain() const { return d_ && d_->plain; }
  // The scalar text ("" for non-scalars).
  const std::string& Scalar() const;
  // Items of a sequence, entries of a map, 0 otherwise.
  size_t size() const;
  YMark Mark() const;
  const YNodeData* data() const { return d_; }

  class iterator;
  iterator begin() const;
  iterator end() const;

 private:
  const YNodeData* d_ = nullptr;
};

class YEntry : public YNode {
 public:
  YEntry() = default;
  YEntry(YNode item, YNode key, YNode value)
      : YNode(item), first(key), second(value) {}
  YNode first;
  YNode second;
};

class YNode::iterator {
 public:
  iterator(const YNodeData* d, size_t i) : d_(d), i_(i) {}
  YEntry operator*() const;
  iterator& operator++() {
    i_ += (d_ && d_->type == YNodeData::Type::kMap) ? 2 : 1;
    return *this;
  }
  bool operator!=(const iterator& o) const { return i_ != o.i_; }
  bool operator==(const iterator& o) const { return i_ == o.i_; }

 private:
  const YNodeData* d_;
  size_t i_;
};

// Owns the nodes of all documents of one YAML stream.
class YamlDocument {
 public:
  YamlDocument() = default;
  YamlDocument(const YamlDocument&) = delete;
  YamlDocument& operator=(const YamlDocument&) = delete;

  // Parses `text` (all documents). Returns kInvalidArgument with
  // file:line:column for a syntax error or an unknown alias. The caller
  // runs PrecheckText first (size, NUL bytes, nesting).
  static Result<std::unique_ptr<YamlDocument>> Parse(std::string_view text,
                                                     const std::string& file);

  // The documents, in order; an empty document is a Null node.
  const std::vector<YNode>& documents() const { return docs_; }

  // Resolves merge keys ("<<": map or list of maps) in place: explicit keys
  // win, earlier merged maps win over later ones; marks are kept (merged
  // entries are the source nodes). Each node is visited once. Returns
  // kInvalidArgument at the value for a merge value that is not a map or a
  // list of maps.
  Status ResolveMerges(const std::string& file);

 private:
  YNodeData* NewNode();

  std::deque<YNodeData> nodes_;
  std::vector<YNode> docs_;
};

// Location of a node (1-based), like manifest::At for yaml-cpp nodes.
Location At(const std::string& file, const YNode& node, std::string path = {});

}  // namespace ecotone::manifest::compose

#endif  // ECOTONE_MANIFEST_COMPOSE_YAML_H_
