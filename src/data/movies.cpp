#include "recsys/data/movies.hpp"

#include "csv_reader.hpp"
#include "recsys/util/error.hpp"

namespace recsys {

std::unordered_map<std::string, MovieInfo> load_movies(const std::string& path,
                                                       const std::string& id_column) {
  require_csv_file(path);
  std::unordered_map<std::string, MovieInfo> movies;
  try {
    CsvReader<3> reader(path, open_csv(path));
    reader.read_header(io::ignore_extra_column | io::ignore_missing_column, id_column, "title",
                       "genres");
    if (!reader.has_column(id_column) || !reader.has_column("title"))
      throw Error(path, 1,
                  "expected columns " + id_column +
                      ",title[,genres] in the header (a titles file "
                      "such as MovieLens movies.csv; pass another with --movies)");
    char* id = nullptr;
    char* title = nullptr;
    char* genres = nullptr;
    while (reader.read_row(id, title, genres)) {
      if (!id || !*id)
        throw Error(path, reader.get_file_line(), "empty " + id_column + "; fix or remove the row");
      MovieInfo& info = movies[id];
      info.title = title ? title : "";
      info.genres = genres ? genres : "";
    }
  } catch (const io::error::base& e) {
    throw_csv_error(path, e, id_column + ",title,genres", "--item-col");
  }
  return movies;
}

}  // namespace recsys
