#include "recsys/movies.hpp"

#include <sys/stat.h>

#include <cstring>

#include "csv_reader.hpp"
#include "recsys/error.hpp"

namespace recsys {

std::unordered_map<std::string, MovieInfo> load_movies(const std::string& path,
                                                       const std::string& id_column) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw Error(path, 0, std::string("cannot open: ") + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw Error(path, 0, "is a directory, expected a CSV file");
  std::unordered_map<std::string, MovieInfo> movies;
  try {
    CsvReader<3> reader(path);
    reader.read_header(io::ignore_extra_column | io::ignore_missing_column, id_column, "title",
                       "genres");
    if (!reader.has_column(id_column) || !reader.has_column("title"))
      throw Error(path, 1, "expected columns " + id_column + ",title[,genres]");
    char* id = nullptr;
    char* title = nullptr;
    char* genres = nullptr;
    while (reader.read_row(id, title, genres)) {
      if (!id || !*id) throw Error(path, reader.get_file_line(), "empty " + id_column);
      MovieInfo& info = movies[id];
      info.title = title ? title : "";
      info.genres = genres ? genres : "";
    }
  } catch (const io::error::base& e) {
    std::size_t line = 0;
    if (auto* with_line = dynamic_cast<const io::error::with_file_line*>(&e))
      line = with_line->file_line > 0 ? static_cast<std::size_t>(with_line->file_line) : 0;
    // The parser's own text repeats the file and line; keep only its first sentence's gist.
    std::string what = e.what();
    if (auto in_line = what.find(" in line "); in_line != std::string::npos) what.erase(in_line);
    if (!what.empty() && what.back() == '.') what.pop_back();
    throw Error(path, line, what);
  }
  return movies;
}

}  // namespace recsys
