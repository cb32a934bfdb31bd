#pragma once
// A ranked list of movies with one score each (topn's recommendations,
// similar's neighbours) in the three output formats: a table with genres, CSV
// (rank,movieId,title,<score>) and a JSON object whose list sits under one key.
#include <functional>
#include <string>
#include <vector>

#include "recsys/io/trained_model.hpp"
#include "recsys/output/json_writer.hpp"

namespace recsys::cli {

struct ListedMovie {
  std::uint32_t item;
  double score;
};

struct MovieListFormat {
  std::string score_name;  // the score column ("score", "cosine")
  int table_decimals = 2;  // CSV and JSON keep more
  std::string json_list_key;
  std::function<void(JsonWriter&)> json_head;  // fields before the list
};

std::string format_movie_list(const TrainedModel& m, const std::vector<ListedMovie>& list,
                              const std::string& format, const MovieListFormat& how);

}  // namespace recsys::cli
