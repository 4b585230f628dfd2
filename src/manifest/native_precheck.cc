#include "native_precheck.h"

#include <cstddef>

namespace ecotone::manifest {
namespace {

// A cursor over the text that keeps 1-based line and column.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  bool at_line_start() const { return col_ == 1; }
  int line() const { return line_; }
  int col() const { return col_; }
  void next() {
    if (done()) return;
    if (text_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }
  void skip_line() {
    while (!done() && peek() != '\n') next();
  }
  // Skips spaces, tabs, line breaks and comments.
  void skip_blank() {
    while (!done()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        next();
      } else if (c == '#') {
        skip_line();
      } else {
        break;
      }
    }
  }
  bool starts_with(std::string_view s) const {
    return text_.substr(pos_, s.size()) == s;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0';
}

// Skips a quoted scalar starting at the cursor (on the quote).
void SkipQuoted(Cursor& c) {
  char q = c.peek();
  c.next();
  while (!c.done()) {
    char ch = c.peek();
    if (q == '"' && ch == '\\') {
      c.next();
      c.next();
      continue;
    }
    if (ch == q) {
      if (q == '\'' && c.peek(1) == '\'') {  // '' is an escaped quote.
        c.next();
        c.next();
        continue;
      }
      c.next();
      return;
    }
    c.next();
  }
}

// Skips a flow collection starting at the cursor (on '[' or '{').
// Returns false when the text ends before it closes.
bool SkipFlow(Cursor& c) {
  int depth = 0;
  char prev = ' ';  // previous significant character.
  while (!c.done()) {
    char ch = c.peek();
    if ((ch == '"' || ch == '\'') &&
        (prev == '[' || prev == '{' || prev == ',' || prev == ':' ||
         prev == '?' || IsBlank(prev))) {
      SkipQuoted(c);
      prev = 'q';
      continue;
    }
    if (ch == '#' && IsBlank(prev)) {
      c.skip_line();
      continue;
    }
    if (ch == '[' || ch == '{') ++depth;
    if (ch == ']' || ch == '}') {
      if (--depth == 0) {
        c.next();
        return true;
      }
    }
    prev = ch;
    c.next();
  }
  return false;
}

}  // namespace

Status CheckFlowRootFollowedByComma(std::string_view text,
                                    const std::string& file) {
  Cursor c(text);
  while (!c.done()) {
    // Start of a document: directives, markers, comments.
    c.skip_blank();
    while (!c.done() && c.at_line_start() &&
           (c.peek() == '%' || c.starts_with("---") || c.starts_with("..."))) {
      if (c.peek() == '%') {
        c.skip_line();
      } else {
        for (int i = 0; i < 3; ++i) c.next();
      }
      c.skip_blank();
    }
    // Anchors and tags before the root node.
    while (c.peek() == '&' || c.peek() == '!') {
      while (!c.done() && !IsBlank(c.peek())) c.next();
      c.skip_blank();
    }
    if (c.peek() == ',') {
      return Status::InvalidArgument(
          "malformed YAML: a document cannot start with ','",
          {file, c.line(), c.col(), ""});
    }
    if (c.peek() != '[' && c.peek() != '{') return Status::Ok();
    if (!SkipFlow(c)) return Status::Ok();
    c.skip_blank();
    if (c.peek() == ',') {
      return Status::InvalidArgument(
          "malformed YAML: unexpected ',' after the end of the document's "
          "top-level collection",
          {file, c.line(), c.col(), ""});
    }
    // Another document may follow; anything else is for the parser.
    if (!(c.at_line_start() && (c.starts_with("---") || c.starts_with("..."))))
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace ecotone::manifest
