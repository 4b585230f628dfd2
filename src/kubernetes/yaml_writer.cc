#include "yaml_writer.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

namespace ecotone::kubernetes {
namespace {

using nlohmann::ordered_json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Words some YAML resolver (1.1 booleans, null, .inf/.nan) reads as
// non-strings.
bool IsReservedWord(std::string_view s) {
  static const char* const kWords[] = {
      "y",    "n", "yes",  "no",    "on",    "off",  "true", "false",
      "null", "~", ".inf", "-.inf", "+.inf", ".nan", "=",    "<<"};
  std::string l = Lower(s);
  for (const char* w : kWords)
    if (l == w) return true;
  return false;
}

bool LooksNumeric(std::string_view s) {
  // Anything starting like a number (digits, sign, dot + digit) is quoted:
  // YAML 1.1 reads 0x1F, 0o17, 1_000, 1:30 (sexagesimal), 1e3 as numbers.
  if (s.empty()) return false;
  size_t i = 0;
  if (s[0] == '+' || s[0] == '-' || s[0] == '.') i = 1;
  return i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]));
}

void WriteScalar(const ordered_json& v, std::string* out);

void Indent(int n, std::string* out) {
  out->append(static_cast<size_t>(n), ' ');
}

bool IsEmptyContainer(const ordered_json& v) {
  return (v.is_object() || v.is_array()) && v.empty();
}

void WriteValue(const ordered_json& v, int indent, std::string* out);

// Writes the entries of a non-empty object at `indent`; the first key is
// written at the current position when `first_inline` (list item "- key:").
void WriteObject(const ordered_json& v, int indent, bool first_inline,
                 std::string* out) {
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!(first && first_inline)) Indent(indent, out);
    first = false;
    WriteScalar(ordered_json(it.key()), out);
    out->push_back(':');
    const ordered_json& val = it.value();
    if ((val.is_object() || val.is_array()) && !val.empty()) {
      out->push_back('\n');
      // Lists under a key are indented like their key's children.
      WriteValue(val, indent + 2, out);
    } else {
      out->push_back(' ');
      WriteScalar(val, out);
      out->push_back('\n');
    }
  }
}

void WriteArray(const ordered_json& v, int indent, std::string* out) {
  for (const auto& e : v) {
    Indent(indent, out);
    out->append("- ");
    if (e.is_object() && !e.empty()) {
      WriteObject(e, indent + 2, true, out);
    } else if (e.is_array() && !e.empty()) {
      out->push_back('\n');
      WriteArray(e, indent + 2, out);
    } else {
      WriteScalar(e, out);
      out->push_back('\n');
    }
  }
}

void WriteValue(const ordered_json& v, int indent, std::string* out) {
  if (v.is_object() && !v.empty()) {
    WriteObject(v, indent, false, out);
  } else if (v.is_array() && !v.empty()) {
    WriteArray(v, indent, out);
  } else {
    Indent(indent, out);
    WriteScalar(v, out);
    out->push_back('\n');
  }
}

void WriteScalar(const ordered_json& v, std::string* out) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (IsSafePlainScalar(s)) {
      out->append(s);
    } else {
      out->append(ordered_json(s).dump(-1, ' ', false,
                                       ordered_json::error_handler_t::replace));
    }
  } else if (v.is_null()) {
    out->append("null");
  } else if (IsEmptyContainer(v)) {
    out->append(v.is_object() ? "{}" : "[]");
  } else {
    // Booleans and numbers: JSON spelling is valid YAML.
    out->append(v.dump());
  }
}

}  // namespace

bool IsSafePlainScalar(std::string_view s) {
  if (s.empty() || s.size() > 1024) return false;
  if (IsReservedWord(s) || LooksNumeric(s)) return false;
  unsigned char c0 = static_cast<unsigned char>(s[0]);
  if (!(std::isalpha(c0) || c0 == '_' || c0 == '/')) return false;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/'))
      return false;
  }
  return true;
}

std::string ToYaml(const ordered_json& value) {
  std::string out;
  WriteValue(value, 0, &out);
  return out;
}

}  // namespace ecotone::kubernetes
