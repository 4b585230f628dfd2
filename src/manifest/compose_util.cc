#include "compose_util.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace ecotone::manifest::compose {
namespace {

bool IsNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// Maximum nesting of `${A:-${B:-...}}`; deeper input is rejected.
constexpr int kMaxInterpolationDepth = 16;

int ParsePortNumber(std::string_view s) {
  if (s.empty() || s.size() > 5) return -1;
  int v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    v = v * 10 + (c - '0');
  }
  return (v >= 1 && v <= 65535) ? v : -1;
}

// "8000-8010" or "80" -> [first, last].
Status ParseRange(std::string_view s, int* first, int* last) {
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    *first = *last = ParsePortNumber(s);
  } else {
    *first = ParsePortNumber(s.substr(0, dash));
    *last = ParsePortNumber(s.substr(dash + 1));
  }
  if (*first < 0 || *last < 0)
    return Status::InvalidArgument("invalid port '" + std::string(s) +
                                   "': expected a number in 1..65535 or a "
                                   "range like 8000-8010");
  if (*last < *first)
    return Status::InvalidArgument("invalid port range '" + std::string(s) +
                                   "': the end is below the start");
  return Status::Ok();
}

}  // namespace

Result<std::vector<EnvLine>> ParseEnvFile(std::string_view text,
                                          const std::string& file) {
  std::vector<EnvLine> out;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    ++line_no;
    size_t next = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view t = Trim(line);
    if (t.empty() || t.front() == '#') {
      pos = next;
      if (eol == text.size()) break;
      continue;
    }
    if (t.substr(0, 7) == "export ") t = Trim(t.substr(7));
    size_t eq = t.find('=');
    std::string_view key = Trim(t.substr(0, eq));
    bool valid = !key.empty() && IsNameStart(key.front());
    for (char c : key)
      if (!IsNameChar(c) && c != '.' && c != '-') valid = false;
    if (!valid) {
      return Status::InvalidArgument(
          "expected KEY=VALUE with a variable name, got '" + std::string(t) +
              "'",
          {file, line_no, 1, ""});
    }
    EnvLine el;
    el.key = std::string(key);
    el.line = line_no;
    if (eq == std::string_view::npos) {
      el.has_value = false;
      out.push_back(std::move(el));
      pos = next;
      if (eol == text.size()) break;
      continue;
    }
    std::string_view v = t.substr(eq + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
      v.remove_prefix(1);
    if (!v.empty() && (v.front() == '\'' || v.front() == '"')) {
      char q = v.front();
      // A quoted value may span lines: continue in the whole text.
      size_t start = pos + (v.data() - line.data()) + 1;
      std::string value;
      size_t i = start;
      bool closed = false;
      for (; i < text.size(); ++i) {
        char c = text[i];
        if (c == q) {
          closed = true;
          break;
        }
        if (q == '"' && c == '\\' && i + 1 < text.size()) {
          char n = text[++i];
          switch (n) {
            case 'n':
              value += '\n';
              break;
            case 't':
              value += '\t';
              break;
            case 'r':
              value += '\r';
              break;
            default:
              value += n;
              break;
          }
          continue;
        }
        if (c == '\n') ++line_no;
        value += c;
      }
      if (!closed) {
        return Status::InvalidArgument(
            std::string("unterminated ") + q + " quote in value of " + el.key,
            {file, el.line, 1, ""});
      }
      el.value = std::move(value);
      out.push_back(std::move(el));
      size_t after = text.find('\n', i);
      if (after == std::string_view::npos) break;
      pos = after + 1;
      continue;
    }
    // Unquoted: an inline comment starts at " #".
    size_t hash = v.find(" #");
    if (hash != std::string_view::npos) v = v.substr(0, hash);
    el.value = std::string(Trim(v));
    out.push_back(std::move(el));
    pos = next;
    if (eol == text.size()) break;
  }
  return out;
}

std::optional<std::string> Interpolator::Lookup(const std::string& name) const {
  if (use_process_env_) {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
  }
  auto it = vars_.find(name);
  if (it != vars_.end()) return it->second;
  return std::nullopt;
}

Result<std::string> Interpolator::Expand(std::string_view text,
                                         const Location& where) {
  if (text.find('$') == std::string_view::npos) return std::string(text);
  return ExpandDepth(text, where, 0);
}

Result<std::string> Interpolator::ExpandDepth(std::string_view text,
                                              const Location& where,
                                              int depth) {
  if (depth > kMaxInterpolationDepth) {
    return Status::InvalidArgument(
        "variable interpolation nested deeper than " +
            std::to_string(kMaxInterpolationDepth) + " levels",
        where);
  }
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) {
      out += '$';
      ++i;
      continue;
    }
    char n = text[i + 1];
    if (n == '$') {  // "$$" is a literal "$".
      out += '$';
      i += 2;
      continue;
    }
    if (IsNameStart(n)) {  // $VAR
      size_t e = i + 1;
      while (e < text.size() && IsNameChar(text[e])) ++e;
      std::string name(text.substr(i + 1, e - i - 1));
      auto v = Lookup(name);
      if (v) {
        out += *v;
      } else if (problems_ && reported_.insert(name).second) {
        problems_->push_back(
            {model::Severity::kWarning, where,
             "variable " + name + " is not set; substituting an empty string",
             "unset-variable"});
      }
      i = e;
      continue;
    }
    if (n != '{') {
      out += '$';
      ++i;
      continue;
    }
    // ${...}: find the matching brace (nested ${} allowed in defaults).
    size_t j = i + 2;
    int braces = 1;
    while (j < text.size()) {
      if (text[j] == '{') {
        ++braces;
      } else if (text[j] == '}') {
        if (--braces == 0) break;
      }
      ++j;
    }
    if (j >= text.size()) {
      return Status::InvalidArgument(
          "unterminated '${' in '" + std::string(text) + "'", where);
    }
    std::string_view body = text.substr(i + 2, j - i - 2);
    size_t k = 0;
    while (k < body.size() && IsNameChar(body[k])) ++k;
    std::string name(body.substr(0, k));
    if (name.empty() || !IsNameStart(name.front())) {
      return Status::InvalidArgument(
          "invalid variable name in '${" + std::string(body) + "}'", where);
    }
    std::string_view rest = body.substr(k);
    std::optional<std::string> value = Lookup(name);
    if (rest.empty()) {
      if (value) {
        out += *value;
      } else if (problems_ && reported_.insert(name).second) {
        problems_->push_back(
            {model::Severity::kWarning, where,
             "variable " + name + " is not set; substituting an empty string",
             "unset-variable"});
      }
      i = j + 1;
      continue;
    }
    bool colon = rest.front() == ':';
    if (colon) rest.remove_prefix(1);
    if (rest.empty() ||
        (rest.front() != '-' && rest.front() != '?' && rest.front() != '+')) {
      return Status::InvalidArgument(
          "invalid interpolation '${" + std::string(body) +
              "}': expected ${VAR}, ${VAR:-default}, ${VAR-default}, "
              "${VAR:?error}, ${VAR?error}, ${VAR:+alt} or ${VAR+alt}",
          where);
    }
    char op = rest.front();
    std::string_view arg = rest.substr(1);
    // With ':' an empty value counts as unset.
    bool set = value.has_value() && (!colon || !value->empty());
    switch (op) {
      case '-': {
        if (set) {
          out += *value;
        } else {
          ECOTONE_ASSIGN_OR_RETURN(std::string d,
                                   ExpandDepth(arg, where, depth + 1));
          out += d;
        }
        break;
      }
      case '+': {
        if (set) {
          ECOTONE_ASSIGN_OR_RETURN(std::string a,
                                   ExpandDepth(arg, where, depth + 1));
          out += a;
        }
        break;
      }
      case '?': {
        if (!set) {
          ECOTONE_ASSIGN_OR_RETURN(std::string msg,
                                   ExpandDepth(arg, where, depth + 1));
          return Status::InvalidArgument(
              "required variable " + name + " is " +
                  (value.has_value() ? "empty" : "not set") +
                  (msg.empty() ? std::string() : ": " + msg),
              where);
        }
        out += *value;
        break;
      }
      default:
        break;
    }
    i = j + 1;
  }
  return out;
}

Result<PortSpec> ParseShortPort(std::string_view text) {
  std::string_view s = Trim(text);
  PortSpec spec;
  spec.protocol = "tcp";
  size_t slash = s.rfind('/');
  if (slash != std::string_view::npos) {
    std::string_view proto = s.substr(slash + 1);
    if (proto != "tcp" && proto != "udp" && proto != "sctp") {
      return Status::InvalidArgument("invalid port protocol '" +
                                     std::string(proto) +
                                     "': expected tcp, udp or sctp");
    }
    spec.protocol = std::string(proto);
    s = s.substr(0, slash);
  }
  // An IPv6 host address in brackets: "[::1]:80:80".
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() ||
        s[close + 1] != ':')
      return Status::InvalidArgument("invalid port '" + std::string(text) +
                                     "': unterminated IPv6 address");
    s = s.substr(close + 2);
  }
  size_t colon = s.rfind(':');
  std::string_view container =
      colon == std::string_view::npos ? s : s.substr(colon + 1);
  if (colon != std::string_view::npos) {
    // The published part (and host IP) must be well formed too.
    std::string_view head = s.substr(0, colon);
    size_t c2 = head.rfind(':');
    std::string_view published =
        c2 == std::string_view::npos ? head : head.substr(c2 + 1);
    if (!published.empty()) {
      int a = 0, b = 0;
      Status st = ParseRange(published, &a, &b);
      if (!st.ok()) return st;
    }
  }
  Status st =
      ParseRange(container, &spec.container_first, &spec.container_last);
  if (!st.ok()) return st;
  return spec;
}

Result<int64_t> ParseDockerBytes(std::string_view text) {
  std::string_view s = Trim(text);
  auto bad = [&]() {
    return Status::InvalidArgument(
        "invalid memory size '" + std::string(text) +
        "': expected a number with an optional unit b, k, m, g, t or p "
        "(binary, as Docker reads them), e.g. 512m or 2GiB");
  };
  size_t i = 0;
  while (i < s.size() &&
         (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'))
    ++i;
  if (i == 0) return bad();
  std::string number(s.substr(0, i));
  if (std::count(number.begin(), number.end(), '.') > 1) return bad();
  std::string_view unit = s.substr(i);
  if (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  double mult = 1;
  if (!unit.empty()) {
    switch (std::tolower(static_cast<unsigned char>(unit.front()))) {
      case 'b':
        mult = 1;
        unit.remove_prefix(1);
        break;
      case 'k':
        mult = 1024.0;
        unit.remove_prefix(1);
        break;
      case 'm':
        mult = 1024.0 * 1024;
        unit.remove_prefix(1);
        break;
      case 'g':
        mult = 1024.0 * 1024 * 1024;
        unit.remove_prefix(1);
        break;
      case 't':
        mult = 1024.0 * 1024 * 1024 * 1024;
        unit.remove_prefix(1);
        break;
      case 'p':
        mult = 1024.0 * 1024 * 1024 * 1024 * 1024;
        unit.remove_prefix(1);
        break;
      default:
        return bad();
    }
    if (!unit.empty() && (unit.front() == 'i' || unit.front() == 'I') &&
        mult > 1)
      unit.remove_prefix(1);
    if (!unit.empty() && (unit.front() == 'b' || unit.front() == 'B') &&
        mult > 1)
      unit.remove_prefix(1);
    if (!unit.empty()) return bad();
  }
  double v = std::strtod(number.c_str(), nullptr) * mult;
  if (!(v >= 0) || v > 4.6e18) {
    return Status::InvalidArgument("memory size '" + std::string(text) +
                                   "' is too large");
  }
  return static_cast<int64_t>(v);
}

}  // namespace ecotone::manifest::compose
