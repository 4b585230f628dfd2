#include "yaml_util.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <yaml-cpp/eventhandler.h>
#include <yaml.h>

namespace ecotone::manifest {

Result<std::string> ReadFileLimited(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::IOError(std::string("cannot open: ") + std::strerror(errno),
                           {path, 0, 0, ""});
  }
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) {
    // Not seekable (a pipe): read incrementally with the limit.
    in.clear();
    in.seekg(0);
  } else if (static_cast<uint64_t>(size) > kMaxInputBytes) {
    return Status::InvalidArgument(
        "file is " + std::to_string(size >> 20) + " MiB; the limit is " +
            std::to_string(kMaxInputBytes >> 20) + " MiB",
        {path, 0, 0, ""});
  }
  in.seekg(0, std::ios::beg);
  std::string data;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > kMaxInputBytes) {
      return Status::InvalidArgument("input exceeds the limit of " +
                                         std::to_string(kMaxInputBytes >> 20) +
                                         " MiB",
                                     {path, 0, 0, ""});
    }
  }
  if (in.bad()) return Status::IOError("read failed", {path, 0, 0, ""});
  return data;
}

Status PrecheckText(std::string_view text, const std::string& file) {
  if (text.size() > kMaxInputBytes) {
    return Status::InvalidArgument("input exceeds the limit of " +
                                       std::to_string(kMaxInputBytes >> 20) +
                                       " MiB",
                                   {file, 0, 0, ""});
  }
  int line = 1;
  int col = 1;
  int depth = 0;
  bool in_single = false, in_double = false, in_comment = false;
  size_t line_start = 0;
  bool at_line_start = true;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0) {
      return Status::InvalidArgument(
          "binary data (NUL byte): not a YAML or JSON text",
          {file, line, col, ""});
    }
    if (c == '\n') {
      ++line;
      col = 1;
      in_comment = false;
      // Flow collections may span lines; quoted scalars too.
      line_start = i + 1;
      at_line_start = true;
      continue;
    }
    if (at_line_start) {
      // Block nesting: indentation deeper than kMaxNesting*2 spaces plus many
      // "- " prefixes is what makes yaml-cpp recurse; bound indentation width.
      size_t j = i;
      while (j < text.size() && (text[j] == ' ' || text[j] == '-')) ++j;
      if (j - line_start > static_cast<size_t>(kMaxNesting) * 8) {
        return Status::InvalidArgument("nesting too deep (indentation over " +
                                           std::to_string(kMaxNesting * 8) +
                                           " columns)",
                                       {file, line, 1, ""});
      }
      at_line_start = false;
    }
    ++col;
    if (in_comment) continue;
    if (in_single) {
      if (c == '\'') in_single = false;
      continue;
    }
    if (in_double) {
      if (c == '\\') {
        ++i;
        ++col;
      } else if (c == '"') {
        in_double = false;
      }
      continue;
    }
    switch (c) {
      case '#':
        if (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' ||
            text[i - 1] == '\n')
          in_comment = true;
        break;
      case '\'':
        if (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])))
          in_single = true;
        break;
      case '"':
        in_double = true;
        break;
      case '[':
      case '{':
        if (++depth > kMaxNesting) {
          return Status::InvalidArgument(
              "nesting deeper than " + std::to_string(kMaxNesting) + " levels",
              {file, line, col - 1, ""});
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return Status::Ok();
}

namespace {

// Byte offset of a libyaml mark (0-based line, column counted in
// characters), found from the line starts so it does not depend on how the
// libyaml build counts `index`.
size_t ByteOffset(std::string_view text, const std::vector<size_t>& line_start,
                  const yaml_mark_t& m) {
  if (m.line >= line_start.size()) return text.size();
  size_t i = line_start[m.line];
  for (size_t c = 0; c < m.column && i < text.size(); ++c) {
    ++i;  // one character: a lead byte, then its continuation bytes
    while (i < text.size() &&
           (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80)
      ++i;
  }
  return i;
}

bool HasYamlCppBrokenEscape(const unsigned char* v, size_t n) {
  for (size_t i = 0; i + 1 < n; ++i)
    if (v[i] == 0xC2 && (v[i + 1] == 0x85 || v[i + 1] == 0xA0)) return true;
  return false;
}

// Validates with libyaml; when `dq` is given, also collects the byte ranges
// of double-quoted scalars whose value holds U+0085 or U+00A0.
Status ScanYaml(std::string_view text, const std::string& file,
                std::vector<std::pair<size_t, size_t>>* dq) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser))
    return Status::Internal("libyaml: out of memory", {file, 0, 0, ""});
  yaml_parser_set_input_string(
      &parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  Status result;
  std::vector<size_t> line_start;
  while (true) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      const yaml_mark_t& m = parser.problem_mark;
      std::string msg = parser.problem ? parser.problem : "syntax error";
      if (parser.context) msg = std::string(parser.context) + ": " + msg;
      result = Status::InvalidArgument(
          "malformed YAML: " + msg,
          {file, static_cast<int>(m.line) + 1, static_cast<int>(m.column) + 1, ""});
      break;
    }
    if (dq && event.type == YAML_SCALAR_EVENT &&
        event.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE &&
        HasYamlCppBrokenEscape(event.data.scalar.value,
                               event.data.scalar.length)) {
      if (line_start.empty()) {
        line_start.push_back(0);
        for (size_t i = 0; i < text.size(); ++i)
          if (text[i] == '\n') line_start.push_back(i + 1);
      }
      dq->emplace_back(ByteOffset(text, line_start, event.start_mark),
                       ByteOffset(text, line_start, event.end_mark));
    }
    bool end = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (end) break;
  }
  yaml_parser_delete(&parser);
  return result;
}

// yaml-cpp 0.7 decodes the escapes \N and \_ in double-quoted scalars to the
// single bytes 0x85 and 0xA0, which are not UTF-8 (and make JSON output
// throw). Rewrites them as \u0085 and \u00A0 inside the given ranges.
std::string RewriteBrokenEscapes(
    std::string_view text, const std::vector<std::pair<size_t, size_t>>& dq) {
  std::string out;
  out.reserve(text.size() + 8 * dq.size());
  size_t pos = 0;
  for (auto [a, b] : dq) {
    if (a < pos || b > text.size() || a > b) continue;
    out.append(text.substr(pos, a - pos));
    for (size_t i = a; i < b; ++i) {
      if (text[i] == '\\' && i + 1 < b) {
        char e = text[i + 1];
        if (e == 'N') out += "\\u0085";
        else if (e == '_') out += "\\u00A0";
        else { out += '\\'; out += e; }
        ++i;
      } else {
        out += text[i];
      }
    }
    pos = b;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace

Status ValidateYamlSyntax(std::string_view text, const std::string& file) {
  return ScanYaml(text, file, nullptr);
}

namespace {

// yaml-cpp 0.7 loops forever (growing a vector of empty documents) when a
// ',' flow-entry token stands where a document's root node or its end is
// expected (",a", "\"a\",b", "a: 1\n---\n,"). Before LoadAllDocuments we
// replay the event stream when a ',' appears outside quotes, comments and
// flow collections, and stop when a document starts where the previous one
// did without consuming input.
// Thrown by ProgressHandler when yaml-cpp has produced more events than the
// text can hold: it is generating nodes from nothing (it never stops).
struct NoProgress {
  YAML::Mark mark;
};

class ProgressHandler : public YAML::EventHandler {
 public:
  explicit ProgressHandler(int64_t limit) : limit_(limit) {}
  void OnDocumentStart(const YAML::Mark& mark) override {
    Tick(mark);
    start = mark;
    events = 0;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override {
    Tick(m);
    ++events;
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override {
    Tick(m);
    events += 2;
  }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Tick(m);
    events += 2;
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Tick(m);
    events += 2;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Tick(m);
    events += 2;
  }
  void OnMapEnd() override {}
  YAML::Mark start;
  int events = 0;

 private:
  void Tick(const YAML::Mark& m) {
    if (++total_ > limit_) throw NoProgress{m};
  }
  int64_t total_ = 0;
  int64_t limit_;
};

bool HasBareComma(std::string_view text) {
  int depth = 0;
  bool in_single = false, in_double = false, in_comment = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      in_comment = false;
      continue;
    }
    if (in_comment) continue;
    if (in_single) {
      if (c == '\'') in_single = false;
      continue;
    }
    if (in_double) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_double = false;
      }
      continue;
    }
    switch (c) {
      case '#':
        if (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' ||
            text[i - 1] == '\n')
          in_comment = true;
        break;
      case '\'':
        in_single = true;
        break;
      case '"':
        in_double = true;
        break;
      case '[':
      case '{':
        ++depth;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      case ',':
        if (depth == 0) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

Status CheckParserProgress(const std::string& text, const std::string& file) {
  const bool comma = HasBareComma(text);
  try {
    std::stringstream in(text);
    YAML::Parser parser(in);
    // Every node, document or alias takes at least one character of text
    // (a flow entry like "{a}" gives three events for three characters):
    // more events than 4 per character plus slack means yaml-cpp loops.
    ProgressHandler h(4 * static_cast<int64_t>(text.size()) + 64);
    int prev_pos = -1;
    while (parser.HandleNextDocument(h)) {
      if (comma && h.events <= 1 && h.start.pos == prev_pos) {
        return Status::InvalidArgument(
            "malformed YAML: unexpected ',' outside a flow collection",
            {file, h.start.line + 1, h.start.column + 1, ""});
      }
      prev_pos = h.start.pos;
    }
  } catch (const NoProgress& np) {
    return Status::InvalidArgument(
        "malformed YAML: the parser makes no progress here (a stream yaml-cpp "
        "0.7 cannot read)",
        {file, np.mark.line + 1, np.mark.column + 1, ""});
  } catch (const YAML::Exception&) {
    // LoadAllDocuments reports the syntax error with its location.
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<YAML::Node>> LoadAllDocuments(std::string_view text,
                                                 const std::string& file) {
  ECOTONE_RETURN_IF_ERROR(PrecheckText(text, file));
  // yaml-cpp 0.7 never returns on some invalid streams (a ',' where a
  // document or a block node should start: `[a],`, `,a`; found by fuzzing).
  // libyaml is a strict YAML 1.1 parser that always terminates, so the
  // stream is validated with its event parser first (about 30 ms per 2 MB,
  // no tree built) and yaml-cpp only sees text libyaml accepts.
  std::vector<std::pair<size_t, size_t>> broken_escapes;
  ECOTONE_RETURN_IF_ERROR(ScanYaml(text, file, &broken_escapes));
  std::string copy = broken_escapes.empty()
                         ? std::string(text)
                         : RewriteBrokenEscapes(text, broken_escapes);
  // Some streams libyaml accepts still make yaml-cpp loop (see above).
  ECOTONE_RETURN_IF_ERROR(CheckParserProgress(copy, file));
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(copy);
    return docs;
  } catch (const YAML::Exception& e) {
    // e.msg is the bare message; e.mark is 0-based.
    Location where{file, e.mark.line >= 0 ? e.mark.line + 1 : 0,
                   e.mark.column >= 0 ? e.mark.column + 1 : 0, ""};
    return Status::InvalidArgument("malformed YAML: " + e.msg, where);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("malformed YAML: ") + e.what(),
                                   {file, 0, 0, ""});
  }
}

Result<YAML::Node> LoadSingleDocument(std::string_view text,
                                      const std::string& file) {
  ECOTONE_ASSIGN_OR_RETURN(std::vector<YAML::Node> docs,
                           LoadAllDocuments(text, file));
  std::vector<YAML::Node> real;
  for (auto& d : docs)
    if (d && !d.IsNull()) real.push_back(d);
  if (real.size() != 1) {
    return Status::InvalidArgument(
        "expected exactly one document, found " + std::to_string(real.size()),
        {file, real.size() > 1 ? At(file, real[1]).line : 0, 0, ""});
  }
  return real[0];
}

Location At(const std::string& file, const YAML::Node& node, std::string path) {
  Location loc{file, 0, 0, std::move(path)};
  if (node.IsDefined()) {
    YAML::Mark m = node.Mark();
    if (m.line >= 0) loc.line = m.line + 1;
    if (m.column >= 0) loc.column = m.column + 1;
  }
  return loc;
}

namespace {

bool IsMergeKey(const YAML::Node& key) {
  return key.IsScalar() && key.Scalar() == "<<" && key.Tag() != "!" &&
         key.Tag() != "tag:yaml.org,2002:str";
}

// Resolves merge keys in place. Each map or sequence is visited once even
// when aliases make it reachable many times (an alias is the same node), so
// the work is linear in the size of the parsed text and "billion laughs"
// inputs cannot blow up. Node identity is the yaml-cpp node pointer, which
// Node::is() compares; nodes are bucketed by their source position.
class MergeResolver {
 public:
  // `file` may be null: then invalid merge values are ignored, not errors.
  explicit MergeResolver(const std::string* file) : file_(file) {}

  Status Resolve(YAML::Node node, int depth) {
    if (!node.IsMap() && !node.IsSequence()) return Status::Ok();
    if (depth > kMaxNesting) {
      if (file_ == nullptr) return Status::Ok();
      return Status::InvalidArgument(
          "nesting deeper than " + std::to_string(kMaxNesting) + " levels",
          At(*file_, node));
    }
    if (Visited(node)) return Status::Ok();
    if (node.IsSequence()) {
      for (auto item : node) ECOTONE_RETURN_IF_ERROR(Resolve(item, depth + 1));
      return Status::Ok();
    }
    std::vector<YAML::Node> merge_values;
    for (auto kv : node) {
      if (IsMergeKey(kv.first)) {
        merge_values.push_back(kv.second);
      } else {
        ECOTONE_RETURN_IF_ERROR(Resolve(kv.second, depth + 1));
      }
    }
    if (merge_values.empty()) return Status::Ok();
    std::vector<YAML::Node> sources;
    for (auto& mv : merge_values) {
      if (mv.IsMap()) {
        ECOTONE_RETURN_IF_ERROR(Resolve(mv, depth + 1));
        sources.push_back(mv);
      } else if (mv.IsSequence()) {
        for (auto m : mv) {
          if (m.IsMap()) {
            ECOTONE_RETURN_IF_ERROR(Resolve(m, depth + 1));
            sources.push_back(m);
          } else if (file_ != nullptr) {
            return Status::InvalidArgument(
                "a merge key '<<' list must hold mappings", At(*file_, m));
          }
        }
      } else if (file_ != nullptr) {
        return Status::InvalidArgument(
            "a merge key '<<' expects a mapping or a list of mappings",
            At(*file_, mv));
      }
    }
    // Drop the merge entries, then add the keys the map does not have:
    // explicit keys win, earlier sources win over later ones.
    for (size_t i = 0; i < merge_values.size(); ++i) {
      if (!node.remove(std::string("<<"))) break;
    }
    std::unordered_set<std::string> present;
    for (const auto& kv : node)
      if (kv.first.IsScalar()) present.insert(kv.first.Scalar());
    for (const auto& src : sources) {
      for (const auto& kv : src) {
        if (!kv.first.IsScalar() || IsMergeKey(kv.first)) continue;
        if (!present.insert(kv.first.Scalar()).second) continue;
        // Key and value are the source's nodes: their marks are kept.
        node[kv.first] = kv.second;
      }
    }
    return Status::Ok();
  }

 private:
  bool Visited(const YAML::Node& n) {
    auto& bucket = seen_[n.Mark().pos];
    for (const auto& o : bucket)
      if (o.is(n)) return true;
    bucket.push_back(n);
    return false;
  }

  const std::string* file_;
  std::unordered_map<int, std::vector<YAML::Node>> seen_;
};

}  // namespace

YAML::Node ResolveMergeKeys(const YAML::Node& node, int depth) {
  YAML::Node root = node;
  MergeResolver resolver(nullptr);
  (void)resolver.Resolve(root, depth);
  return root;
}

Status ResolveMergeKeysInPlace(const std::string& file, YAML::Node root) {
  MergeResolver resolver(&file);
  return resolver.Resolve(root, 0);
}

Result<std::string> AsString(const std::string& file, const YAML::Node& node,
                             const std::string& path) {
  if (!node.IsScalar())
    return Status::InvalidArgument("expected a string", At(file, node, path));
  return node.Scalar();
}

Result<int64_t> AsInt(const std::string& file, const YAML::Node& node,
                      const std::string& path, int64_t min, int64_t max) {
  if (!node.IsScalar())
    return Status::InvalidArgument("expected an integer", At(file, node, path));
  const std::string& s = node.Scalar();
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE) {
    return Status::InvalidArgument("expected an integer, got '" + s + "'",
                                   At(file, node, path));
  }
  if (v < min || v > max) {
    return Status::InvalidArgument("value " + s + " is out of range [" +
                                       std::to_string(min) + ", " +
                                       std::to_string(max) + "]",
                                   At(file, node, path));
  }
  return static_cast<int64_t>(v);
}

Result<double> AsDouble(const std::string& file, const YAML::Node& node,
                        const std::string& path, double min, double max) {
  if (!node.IsScalar())
    return Status::InvalidArgument("expected a number", At(file, node, path));
  const std::string& s = node.Scalar();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) {
    return Status::InvalidArgument("expected a number, got '" + s + "'",
                                   At(file, node, path));
  }
  if (v < min || v > max) {
    std::ostringstream os;
    os << "value " << s << " is out of range [" << min << ", " << max << "]";
    return Status::InvalidArgument(os.str(), At(file, node, path));
  }
  return v;
}

Result<bool> AsBool(const std::string& file, const YAML::Node& node,
                    const std::string& path) {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "True" || s == "TRUE" || s == "yes") return true;
    if (s == "false" || s == "False" || s == "FALSE" || s == "no") return false;
  }
  return Status::InvalidArgument("expected true or false",
                                 At(file, node, path));
}

std::string Join(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return path + "." + std::string(key);
}

std::string Join(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

}  // namespace ecotone::manifest
