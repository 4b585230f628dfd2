// GAP / GQAP instance readers and known-value tables.
#include "ecotone/instances/instances.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace ecotone::instances {
namespace {

constexpr int64_t kMaxFileBytes = int64_t{1} << 30;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

// Whitespace-separated numbers with 1-based line/column tracking.
class Tokens {
 public:
  Tokens(std::string_view text, std::string_view file)
      : text_(text), file_(file) {}

  // Reads the next number into *out. `path` is called only on error and
  // returns the field path, e.g. "c[1][4]".
  template <typename PathFn>
  Status Next(double* out, const PathFn& path) {
    SkipSpace();
    if (pos_ >= text_.size()) {
      return Status::InvalidArgument(
          "unexpected end of file (truncated?): expected a number",
          Here(path()));
    }
    size_t begin = pos_;
    int line = line_, col = col_;
    while (pos_ < text_.size() && !IsSpace(text_[pos_])) Advance();
    std::string_view tok = text_.substr(begin, pos_ - begin);
    double v = 0;
    const char* first = tok.data();
    const char* last = tok.data() + tok.size();
    if (!tok.empty() && *first == '+') ++first;
    auto [p, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || p != last || !std::isfinite(v) || first == last) {
      std::string shown(tok.substr(0, 32));
      for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 ||
            static_cast<unsigned char>(c) >= 0x7f) {
          c = '?';
        }
      }
      return Status::InvalidArgument("expected a number, got '" + shown + "'",
                                     At(line, col, path()));
    }
    last_line_ = line;
    last_col_ = col;
    *out = v;
    return Status::Ok();
  }

  // Location of the token read last.
  Location Last(std::string path) const {
    return At(last_line_, last_col_, std::move(path));
  }

  // OK if only whitespace remains, else an error at the extra token.
  Status ExpectEnd() {
    SkipSpace();
    if (pos_ < text_.size()) {
      return Status::InvalidArgument(
          "unexpected extra data after the last field", Here(""));
    }
    return Status::Ok();
  }

 private:
  void Advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }
  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) Advance();
  }
  Location Here(std::string path) const {
    return At(line_, col_, std::move(path));
  }
  Location At(int line, int col, std::string path) const {
    Location l;
    l.file = std::string(file_);
    l.line = line;
    l.column = col;
    l.path = std::move(path);
    return l;
  }

  std::string_view text_;
  std::string_view file_;
  size_t pos_ = 0;
  int line_ = 1, col_ = 1;
  int last_line_ = 0, last_col_ = 0;
};

std::string Idx2(const char* name, int64_t a, int64_t b) {
  return std::string(name) + "[" + std::to_string(a) + "][" +
         std::to_string(b) + "]";
}
std::string Idx1(const char* name, int64_t a) {
  return std::string(name) + "[" + std::to_string(a) + "]";
}

// Reads a positive integer size.
Status ReadSize(Tokens& t, const char* name, int64_t* out) {
  double v = 0;
  ECOTONE_RETURN_IF_ERROR(t.Next(&v, [&] { return std::string(name); }));
  if (v != std::floor(v) || v < 1 || v > 1e9) {
    return Status::InvalidArgument(std::string(name) +
                                       " must be an integer >= 1, got " +
                                       std::to_string(v),
                                   t.Last(name));
  }
  *out = static_cast<int64_t>(v);
  return Status::Ok();
}

Status CheckEntries(Tokens& t, int64_t a, int64_t b, const char* what,
                    const char* field) {
  if (a > kMaxEntries / b) {
    return Status::InvalidArgument(std::string(what) + " " + std::to_string(a) +
                                       " x " + std::to_string(b) +
                                       " exceeds the limit of " +
                                       std::to_string(kMaxEntries) + " entries",
                                   t.Last(field));
  }
  return Status::Ok();
}

Status NonNegative(Tokens& t, double v, const std::string& path) {
  if (v < 0) {
    return Status::InvalidArgument("must be >= 0, got " + std::to_string(v),
                                   t.Last(path));
  }
  return Status::Ok();
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Location l;
    l.file = path;
    return Status::IOError("cannot open file", l);
  }
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size < 0 || size > kMaxFileBytes) {
    Location l;
    l.file = path;
    return Status::InvalidArgument("file too large (> 1 GiB)", l);
  }
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), size);
  if (!in) {
    Location l;
    l.file = path;
    return Status::IOError("read failed", l);
  }
  return text;
}

}  // namespace

Result<placement::Problem> ParseGap(std::string_view text,
                                    std::string_view file_name) {
  Tokens t(text, file_name);
  int64_t m, n;
  ECOTONE_RETURN_IF_ERROR(ReadSize(t, "m", &m));
  ECOTONE_RETURN_IF_ERROR(ReadSize(t, "n", &n));
  ECOTONE_RETURN_IF_ERROR(CheckEntries(t, m, n, "agents x jobs", "n"));
  // Values are appended as read, so memory follows the file size, not the
  // header's claims.
  std::vector<double> c, a, b;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double v = 0;
      ECOTONE_RETURN_IF_ERROR(t.Next(&v, [&] { return Idx2("c", i, j); }));
      c.push_back(v);
    }
  }
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double v = 0;
      ECOTONE_RETURN_IF_ERROR(t.Next(&v, [&] { return Idx2("a", i, j); }));
      ECOTONE_RETURN_IF_ERROR(NonNegative(t, v, Idx2("a", i, j)));
      a.push_back(v);
    }
  }
  for (int64_t i = 0; i < m; ++i) {
    double v = 0;
    ECOTONE_RETURN_IF_ERROR(t.Next(&v, [&] { return Idx1("b", i); }));
    ECOTONE_RETURN_IF_ERROR(NonNegative(t, v, Idx1("b", i)));
    b.push_back(v);
  }
  ECOTONE_RETURN_IF_ERROR(t.ExpectEnd());
  placement::Problem p;
  p.num_items = static_cast<int>(n);
  p.num_bins = static_cast<int>(m);
  p.num_dims = 1;
  p.cost.resize(n * m);
  p.item_bin_demand.resize(n * m);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      p.cost[j * m + i] = c[i * n + j];
      p.item_bin_demand[j * m + i] = a[i * n + j];
    }
  }
  p.bin_capacity = std::move(b);
  return p;
}

Result<placement::Problem> ReadGap(const std::string& path) {
  ECOTONE_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseGap(text, path);
}

Result<placement::Problem> ParseGqap(std::string_view text,
                                     std::string_view file_name) {
  Tokens t(text, file_name);
  int64_t n, m;
  double v = 0;
  ECOTONE_RETURN_IF_ERROR(ReadSize(t, "n", &n));
  ECOTONE_RETURN_IF_ERROR(ReadSize(t, "m", &m));
  ECOTONE_RETURN_IF_ERROR(t.Next(&v, [] { return std::string("v"); }));
  ECOTONE_RETURN_IF_ERROR(NonNegative(t, v, "v"));
  ECOTONE_RETURN_IF_ERROR(
      CheckEntries(t, n, n, "facilities x facilities", "m"));
  ECOTONE_RETURN_IF_ERROR(CheckEntries(t, m, m, "sites x sites", "m"));
  ECOTONE_RETURN_IF_ERROR(CheckEntries(t, n, m, "facilities x sites", "m"));
  std::vector<double> tr, d, a, q, cap;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double x = 0;
      ECOTONE_RETURN_IF_ERROR(t.Next(&x, [&] { return Idx2("t", i, j); }));
      ECOTONE_RETURN_IF_ERROR(NonNegative(t, x, Idx2("t", i, j)));
      tr.push_back(x);
    }
  }
  for (int64_t h = 0; h < m; ++h) {
    for (int64_t k = 0; k < m; ++k) {
      double x = 0;
      ECOTONE_RETURN_IF_ERROR(t.Next(&x, [&] { return Idx2("d", h, k); }));
      ECOTONE_RETURN_IF_ERROR(NonNegative(t, x, Idx2("d", h, k)));
      d.push_back(x);
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < m; ++k) {
      double x = 0;
      ECOTONE_RETURN_IF_ERROR(t.Next(&x, [&] { return Idx2("a", i, k); }));
      a.push_back(x);
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    double x = 0;
    ECOTONE_RETURN_IF_ERROR(t.Next(&x, [&] { return Idx1("q", i); }));
    ECOTONE_RETURN_IF_ERROR(NonNegative(t, x, Idx1("q", i)));
    q.push_back(x);
  }
  for (int64_t k = 0; k < m; ++k) {
    double x = 0;
    ECOTONE_RETURN_IF_ERROR(t.Next(&x, [&] { return Idx1("Q", k); }));
    ECOTONE_RETURN_IF_ERROR(NonNegative(t, x, Idx1("Q", k)));
    cap.push_back(x);
  }
  ECOTONE_RETURN_IF_ERROR(t.ExpectEnd());
  bool d_sym = true, t_sym = true;
  for (int64_t h = 0; h < m && d_sym; ++h) {
    for (int64_t k = h + 1; k < m; ++k) {
      if (d[h * m + k] != d[k * m + h]) {
        d_sym = false;
        break;
      }
    }
  }
  for (int64_t i = 0; i < n && t_sym; ++i) {
    for (int64_t j = i + 1; j < n; ++j) {
      if (tr[i * n + j] != tr[j * n + i]) {
        t_sym = false;
        break;
      }
    }
  }
  if (!d_sym && !t_sym) {
    Location l;
    l.file = std::string(file_name);
    l.path = "t, d";
    return Status::InvalidArgument(
        "neither the traffic matrix t nor the distance matrix d is symmetric; "
        "this objective cannot be expressed with symmetric pairwise weights",
        l);
  }
  placement::Problem p;
  p.num_items = static_cast<int>(n);
  p.num_bins = static_cast<int>(m);
  p.num_dims = 1;
  p.lambda = v;
  p.cost = std::move(a);
  p.item_demand = std::move(q);
  p.bin_capacity = std::move(cap);
  p.distance.resize(m * m);
  for (int64_t h = 0; h < m; ++h) {
    for (int64_t k = 0; k < m; ++k) {
      p.distance[h * m + k] =
          d_sym ? d[h * m + k] : 0.5 * (d[h * m + k] + d[k * m + h]);
    }
  }
  std::vector<placement::WeightedPair> pairs;
  for (int64_t i = 0; i < n; ++i) {
    double self = tr[i * n + i];
    if (self != 0) {
      for (int64_t h = 0; h < m; ++h)
        p.cost[i * m + h] += v * self * d[h * m + h];
    }
    for (int64_t j = i + 1; j < n; ++j) {
      double w = tr[i * n + j] + tr[j * n + i];
      if (w != 0) {
        pairs.push_back({static_cast<int>(i), static_cast<int>(j), w});
      }
    }
  }
  ECOTONE_ASSIGN_OR_RETURN(p.pair_weight,
                           placement::BuildSymmetric(p.num_items, pairs));
  return p;
}

Result<placement::Problem> ReadGqap(const std::string& path) {
  ECOTONE_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseGqap(text, path);
}

Result<std::map<std::string, KnownValue>> ParseFontanfBounds(
    std::string_view text, std::string_view file_name) {
  std::map<std::string, KnownValue> out;
  std::istringstream in{std::string(text)};
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line_no == 1) continue;  // header
    std::vector<std::string> cells;
    std::vector<int> starts;
    size_t begin = 0;
    while (true) {
      size_t comma = line.find(',', begin);
      starts.push_back(static_cast<int>(begin) + 1);
      cells.push_back(line.substr(begin, comma == std::string::npos
                                             ? std::string::npos
                                             : comma - begin));
      if (comma == std::string::npos) break;
      begin = comma + 1;
    }
    Location where;
    where.file = std::string(file_name);
    where.line = line_no;
    if (cells.size() < 8) {
      where.column = 1;
      return Status::InvalidArgument(
          "expected 8 comma-separated columns, got " +
              std::to_string(cells.size()),
          where);
    }
    KnownValue kv;
    double* fields[3] = {&kv.lower_bound, &kv.optimum, &kv.best_known};
    const char* names[3] = {"Best known bound", "Optimum",
                            "Best known solution value"};
    for (int k = 0; k < 3; ++k) {
      const std::string& cell = cells[5 + k];
      if (cell.empty()) continue;
      double v = 0;
      auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
      if (ec != std::errc() || p != cell.data() + cell.size()) {
        where.column = starts[5 + k];
        where.path = names[k];
        return Status::InvalidArgument("expected a number, got '" + cell + "'",
                                       where);
      }
      *fields[k] = v;
    }
    out[cells[0]] = kv;
  }
  return out;
}

Result<std::map<std::string, KnownValue>> ReadFontanfBounds(
    const std::string& path) {
  ECOTONE_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseFontanfBounds(text, path);
}

Result<std::map<std::string, KnownValue>> ParseGqapBestKnown(
    std::string_view text, std::string_view file_name) {
  std::map<std::string, KnownValue> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 2 || line[0] != '|') continue;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    std::string cell;
    while (std::getline(ss, cell, '|')) {
      size_t a = cell.find_first_not_of(' ');
      size_t b = cell.find_last_not_of(' ');
      cells.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
    }
    if (cells.size() < 5) continue;
    const std::string& name = cells[0];
    // Instance names look like 20-15-35.
    int dashes = 0;
    bool ok = !name.empty();
    for (char c : name) {
      if (c == '-') {
        ++dashes;
      } else if (c < '0' || c > '9') {
        ok = false;
      }
    }
    if (!ok || dashes != 2) continue;
    const std::string& val = cells[4];
    double v = 0;
    auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), v);
    if (ec != std::errc() || p != val.data() + val.size()) continue;
    KnownValue kv;
    kv.best_known = v;
    out[name] = kv;
  }
  if (out.empty()) {
    Location l;
    l.file = std::string(file_name);
    return Status::InvalidArgument("no GQAP best-known table rows found", l);
  }
  return out;
}

Result<std::map<std::string, KnownValue>> ReadGqapBestKnown(
    const std::string& path) {
  ECOTONE_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseGqapBestKnown(text, path);
}

}  // namespace ecotone::instances
