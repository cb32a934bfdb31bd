#pragma once
// `recsys topn --all-users`: every user's list from the blocked, threaded
// top-N, kept out of topn.cpp so the single-user path stays as it is.
#include <cstddef>
#include <string>

#include "recsys/io/trained_model.hpp"

namespace recsys::cli {

// The whole output for format csv (userId,rank,movieId,score), json or table;
// calibrate > 0 re-ranks each list for its genre mix (genre_calibration.hpp).
std::string all_users_topn(const TrainedModel& m, std::size_t n, bool include_rated,
                           double calibrate, const std::string& format);

}  // namespace recsys::cli
