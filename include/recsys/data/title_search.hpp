#pragma once
// Finding a movie by part of its title, as a person types it ("toy story")
// instead of its movieId.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace recsys {

// The indexes of titles that contain text, ignoring the case of ASCII
// letters (other bytes compare as they are), in index order. A title equal
// to text as a whole wins alone: otherwise a title inside a longer one
// ("Up (2009)" in "Fired Up (2009)") could never be chosen. Empty text or
// empty titles match nothing.
std::vector<std::uint32_t> find_titles(const std::vector<std::string>& titles,
                                       std::string_view text);

}  // namespace recsys
