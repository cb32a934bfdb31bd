#pragma once
// "Did you mean" for mistyped command and option names. Plain strings only
// (no CLI11), so the tests compile it on its own.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace recsys::cli {

// Edits (insert, delete, replace, swap of two neighbours) from a to b: a swap
// counts once, since "trian" for "train" is one slip of the fingers, not two.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to typed, when it is near enough to be a likely typo:
// at most 2 edits, and fewer than half the longer name, so that "-k" is not
// "corrected" to "-n". Leading dashes are ignored. Ties go to the first.
std::optional<std::string> closest(std::string_view typed, const std::vector<std::string>& names);

}  // namespace recsys::cli
