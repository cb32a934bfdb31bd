#include "new_user_ratings.hpp"

#include <charconv>
#include <cmath>

#include "recsys/data/field_reader.hpp"
#include "recsys/util/error.hpp"

namespace recsys::cli {
namespace {

std::size_t column(const FieldReader& reader, const std::string& name) {
  const auto& header = reader.header();
  for (std::size_t k = 0; k < header.size(); ++k)
    if (header[k] == name) return k;
  throw Error(reader.path(), 1,
              "missing column '" + name +
                  "' in the header (expected movieId,rating: one row per "
                  "movie the new user rated)");
}

}  // namespace

NewUserRatings read_new_user_ratings(const std::string& path, const TrainedModel& m) {
  FieldReader reader(path, Separator::automatic, true);
  const std::size_t item_at = column(reader, "movieId"), rating_at = column(reader, "rating");
  NewUserRatings out;
  std::vector<std::int64_t> row_of(m.items.size(), -1);  // a movie rated twice: the last row wins
  std::vector<std::string_view> fields;
  while (reader.next(fields)) {
    const std::string_view stars = fields[rating_at];
    double value = 0;
    const auto [end, ec] = std::from_chars(stars.data(), stars.data() + stars.size(), value);
    if (ec != std::errc() || end != stars.data() + stars.size() || stars.empty() ||
        !std::isfinite(value))
      throw Error(path, reader.line(),
                  "rating '" + std::string(stars.substr(0, 40)) +
                      "' is not a number; fix or remove the row");
    const auto item = m.items.find(fields[item_at]);
    if (!item) {
      ++out.unknown;
      continue;
    }
    if (row_of[*item] >= 0) {
      out.movies[std::size_t(row_of[*item])].stars = static_cast<float>(value);
      continue;
    }
    row_of[*item] = static_cast<std::int64_t>(out.movies.size());
    out.movies.push_back({*item, static_cast<float>(value)});
  }
  if (out.movies.empty())
    throw Error(path, 0,
                out.unknown > 0 ? "none of its " + std::to_string(out.unknown) +
                                      " movies is in this model (movieIds as in the ratings file "
                                      "the model was trained on)"
                                : "no rows: expected movieId,rating rows of the new user");
  return out;
}

}  // namespace recsys::cli
