#pragma once
// The ratings file of `topn --rated`: a new user's movieId,rating rows.
#include <cstddef>
#include <string>
#include <vector>

#include "recsys/io/trained_model.hpp"
#include "recsys/train/fold_in.hpp"

namespace recsys::cli {

struct NewUserRatings {
  std::vector<RatedMovie> movies;  // the movies the model knows, a repeated one's last rating
  std::size_t unknown = 0;         // rows whose movie the model does not know
};

// Reads path (a header with movieId and rating; other columns ignored; any
// separator, gzip, "-" for stdin). Throws Error naming the file and line for
// a bad rating, and when no row names a movie the model knows.
NewUserRatings read_new_user_ratings(const std::string& path, const TrainedModel& m);

}  // namespace recsys::cli
