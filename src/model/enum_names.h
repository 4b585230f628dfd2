// Name tables for the model's enums: name <-> value lookups shared by the
// model's .cc files. Private to the model module.
#ifndef ECOTONE_SRC_MODEL_ENUM_NAMES_H_
#define ECOTONE_SRC_MODEL_ENUM_NAMES_H_

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace ecotone::model::internal {

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::pair<std::string_view, E>, N>& t,
                        std::string_view name) {
  for (const auto& [n, e] : t)
    if (n == name) return e;
  return std::nullopt;
}

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<std::string_view, E>, N>& t,
                        E e) {
  for (const auto& [n, v] : t)
    if (v == e) return n;
  return "unknown";
}

}  // namespace ecotone::model::internal

#endif  // ECOTONE_SRC_MODEL_ENUM_NAMES_H_
