#include "compose_yaml.h"

#include <yaml.h>

#include <unordered_map>
#include <unordered_set>

namespace ecotone::manifest::compose {
namespace {

bool IsNullScalar(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool IsMergeKey(const YNodeData* k) {
  return k->type == YNodeData::Type::kScalar && k->plain && k->scalar == "<<";
}

// Owns a libyaml parser and event for exception-free cleanup.
struct Parser {
  yaml_parser_t parser;
  yaml_event_t event;
  bool has_event = false;
  Parser() { yaml_parser_initialize(&parser); }
  ~Parser() {
    if (has_event) yaml_event_delete(&event);
    yaml_parser_delete(&parser);
  }
  bool Next() {
    if (has_event) yaml_event_delete(&event);
    has_event = yaml_parser_parse(&parser, &event) != 0;
    return has_event;
  }
};

}  // namespace

const std::string& YNode::Scalar() const {
  static const std::string kEmpty;
  return d_ ? d_->scalar : kEmpty;
}

size_t YNode::size() const {
  if (!d_) return 0;
  if (d_->type == YNodeData::Type::kMap) return d_->items.size() / 2;
  if (d_->type == YNodeData::Type::kSequence) return d_->items.size();
  return 0;
}

YMark YNode::Mark() const {
  if (!d_) return {};
  return {d_->line, d_->column, d_->pos};
}

YNode::iterator YNode::begin() const { return iterator(d_, 0); }
YNode::iterator YNode::end() const {
  if (!d_ || (d_->type != YNodeData::Type::kMap &&
              d_->type != YNodeData::Type::kSequence))
    return iterator(d_, 0);
  return iterator(d_, d_->items.size());
}

YEntry YNode::iterator::operator*() const {
  if (d_->type == YNodeData::Type::kMap)
    return YEntry(YNode(), YNode(d_->items[i_]), YNode(d_->items[i_ + 1]));
  return YEntry(YNode(d_->items[i_]), YNode(), YNode());
}

YNodeData* YamlDocument::NewNode() { return &nodes_.emplace_back(); }

Result<std::unique_ptr<YamlDocument>> YamlDocument::Parse(
    std::string_view text, const std::string& file) {
  auto doc = std::make_unique<YamlDocument>();
  Parser p;
  yaml_parser_set_input_string(
      &p.parser, reinterpret_cast<const unsigned char*>(text.data()),
      text.size());
  std::unordered_map<std::string, YNodeData*> anchors;
  struct Open {
    YNodeData* node;
    std::string anchor;
  };
  std::vector<Open> stack;
  YNodeData* root = nullptr;
  auto attach = [&](YNodeData* n) {
    if (stack.empty()) {
      root = n;
    } else {
      stack.back().node->items.push_back(n);
    }
  };
  auto place = [](YNodeData* n, const yaml_mark_t& m) {
    n->line = static_cast<int>(m.line);
    n->column = static_cast<int>(m.column);
    n->pos = static_cast<int>(m.index);
  };
  while (true) {
    if (!p.Next()) {
      const yaml_mark_t& m = p.parser.problem_mark;
      std::string msg = p.parser.problem ? p.parser.problem : "syntax error";
      if (p.parser.context) msg = std::string(p.parser.context) + ": " + msg;
      return Status::InvalidArgument("malformed YAML: " + msg,
                                     {file, static_cast<int>(m.line) + 1,
                                      static_cast<int>(m.column) + 1, ""});
    }
    const yaml_event_t& e = p.event;
    switch (e.type) {
      case YAML_STREAM_END_EVENT:
        return doc;
      case YAML_DOCUMENT_START_EVENT:
        root = nullptr;
        anchors.clear();
        break;
      case YAML_DOCUMENT_END_EVENT: {
        if (root == nullptr) {
          root = doc->NewNode();
          place(root, e.start_mark);
        }
        doc->docs_.emplace_back(root);
        break;
      }
      case YAML_SCALAR_EVENT: {
        YNodeData* n = doc->NewNode();
        place(n, e.start_mark);
        n->scalar.assign(reinterpret_cast<const char*>(e.data.scalar.value),
                         e.data.scalar.length);
        n->plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        n->type = (n->plain && IsNullScalar(n->scalar))
                      ? YNodeData::Type::kNull
                      : YNodeData::Type::kScalar;
        if (n->type == YNodeData::Type::kNull) n->scalar.clear();
        attach(n);
        if (e.data.scalar.anchor)
          anchors[reinterpret_cast<const char*>(e.data.scalar.anchor)] = n;
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        YNodeData* n = doc->NewNode();
        place(n, e.start_mark);
        n->type = e.type == YAML_MAPPING_START_EVENT
                      ? YNodeData::Type::kMap
                      : YNodeData::Type::kSequence;
        attach(n);
        const yaml_char_t* anchor = e.type == YAML_MAPPING_START_EVENT
                                        ? e.data.mapping_start.anchor
                                        : e.data.sequence_start.anchor;
        stack.push_back(
            {n, anchor ? std::string(reinterpret_cast<const char*>(anchor))
                       : std::string()});
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        if (stack.empty()) break;
        Open o = std::move(stack.back());
        stack.pop_back();
        if (!o.anchor.empty()) anchors[o.anchor] = o.node;
        break;
      }
      case YAML_ALIAS_EVENT: {
        std::string name(reinterpret_cast<const char*>(e.data.alias.anchor));
        auto it = anchors.find(name);
        if (it == anchors.end()) {
          return Status::InvalidArgument(
              "unknown anchor '*" + name +
                  "' (an alias must follow its complete anchored node)",
              {file, static_cast<int>(e.start_mark.line) + 1,
               static_cast<int>(e.start_mark.column) + 1, ""});
        }
        attach(it->second);
        break;
      }
      default:
        break;
    }
  }
}

Status YamlDocument::ResolveMerges(const std::string& file) {
  std::unordered_set<YNodeData*> seen;
  // Iterative depth-first walk (no recursion: depth is not a concern here).
  std::vector<YNodeData*> todo;
  for (auto& d : docs_) todo.push_back(const_cast<YNodeData*>(d.data()));
  // A map is merged after its merge sources: resolve sources first by
  // revisiting the map once they are done.
  std::unordered_set<YNodeData*> done;
  while (!todo.empty()) {
    YNodeData* n = todo.back();
    if (n->type != YNodeData::Type::kMap &&
        n->type != YNodeData::Type::kSequence) {
      todo.pop_back();
      continue;
    }
    if (done.count(n)) {
      todo.pop_back();
      continue;
    }
    if (seen.insert(n).second) {
      // First visit: children first.
      if (n->type == YNodeData::Type::kSequence) {
        for (YNodeData* c : n->items) todo.push_back(c);
      } else {
        for (size_t i = 0; i + 1 < n->items.size(); i += 2)
          todo.push_back(n->items[i + 1]);
      }
      continue;
    }
    // Second visit: children are resolved.
    todo.pop_back();
    done.insert(n);
    if (n->type != YNodeData::Type::kMap) continue;
    bool has_merge = false;
    for (size_t i = 0; i + 1 < n->items.size(); i += 2)
      if (IsMergeKey(n->items[i])) has_merge = true;
    if (!has_merge) continue;
    std::vector<YNodeData*> kept;
    std::vector<YNodeData*> sources;
    for (size_t i = 0; i + 1 < n->items.size(); i += 2) {
      YNodeData* k = n->items[i];
      YNodeData* v = n->items[i + 1];
      if (!IsMergeKey(k)) {
        kept.push_back(k);
        kept.push_back(v);
        continue;
      }
      if (v->type == YNodeData::Type::kMap) {
        sources.push_back(v);
      } else if (v->type == YNodeData::Type::kSequence) {
        for (YNodeData* m : v->items) {
          if (m->type != YNodeData::Type::kMap) {
            return Status::InvalidArgument(
                "a merge key '<<' list must hold mappings", At(file, YNode(m)));
          }
          sources.push_back(m);
        }
      } else {
        return Status::InvalidArgument(
            "a merge key '<<' expects a mapping or a list of mappings",
            At(file, YNode(v)));
      }
    }
    std::unordered_set<std::string> present;
    for (size_t i = 0; i < kept.size(); i += 2)
      if (kept[i]->type == YNodeData::Type::kScalar)
        present.insert(kept[i]->scalar);
    for (YNodeData* src : sources) {
      // Sources were resolved before (children of some node) unless they
      // are only reachable through this merge; the walk visited merge
      // values as children above, so they are done.
      for (size_t i = 0; i + 1 < src->items.size(); i += 2) {
        YNodeData* k = src->items[i];
        if (k->type != YNodeData::Type::kScalar || IsMergeKey(k)) continue;
        if (!present.insert(k->scalar).second) continue;
        kept.push_back(k);
        kept.push_back(src->items[i + 1]);
      }
    }
    n->items = std::move(kept);
  }
  return Status::Ok();
}

Location At(const std::string& file, const YNode& node, std::string path) {
  Location loc{file, 0, 0, std::move(path)};
  if (node.IsDefined()) {
    YMark m = node.Mark();
    if (m.line >= 0) loc.line = m.line + 1;
    if (m.column >= 0) loc.column = m.column + 1;
  }
  return loc;
}

}  // namespace ecotone::manifest::compose
