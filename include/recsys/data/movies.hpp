#pragma once
// movies.csv (movieId,title,genres): titles for display, genres for the demo.
#include <string>
#include <unordered_map>

namespace recsys {

struct MovieInfo {
  std::string title;
  std::string genres;  // "Comedy|Drama", empty when the file has no genres column
};

// Keyed by the raw id token as written in the file. Quoted titles with commas
// and doubled quotes parse. Throws Error with file and line on a bad row.
std::unordered_map<std::string, MovieInfo> load_movies(const std::string& path,
                                                       const std::string& id_column = "movieId");

}  // namespace recsys
