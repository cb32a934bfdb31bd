#pragma once
// Ratings as a structure of arrays: the training loop streams these three
// contiguous arrays, so no per-rating object exists anywhere. Nine bytes a
// row: two 4-byte indexes and a byte for the rating (star_column.hpp).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "recsys/data/file_layout.hpp"
#include "recsys/data/id_map.hpp"
#include "recsys/data/star_column.hpp"

namespace recsys {

class Communicator;

struct Ratings {
  std::vector<std::uint32_t> user;  // dense user index
  std::vector<std::uint32_t> item;  // dense item index
  StarColumn stars;                 // rating as written in the file

  std::size_t size() const { return stars.size(); }
  void reserve(std::size_t n) {
    user.reserve(n);
    item.reserve(n);
    stars.reserve(n);
  }
  void push(std::uint32_t u, std::uint32_t i, float r) {
    user.push_back(u);
    item.push_back(i);
    stars.push(r);
  }
};

struct ColumnNames {
  std::string user = "userId";
  std::string item = "movieId";
  std::string rating = "rating";
  std::string timestamp = "timestamp";  // read only for a time split
};

struct RatingRange {
  double min;
  double max;
};

struct LoadOptions {
  ColumnNames columns;               // found by name in the header
  FileLayout layout;                 // separator; without a header, columns by position
  std::optional<RatingRange> range;  // ratings outside it are an error
  // A regular file of at least parallel_above_bytes is parsed by this many
  // threads, each a byte range of whole lines; the rows and ids are the same
  // as one thread's, in the same order.
  int threads = 1;
  std::size_t parallel_above_bytes = std::size_t(8) << 20;
  // Several processes of one mpirun (load_dataset_on_ranks reads with them;
  // load_ratings does not consult this).
  Communicator* ranks = nullptr;
};

// Appends every row of a ratings file (columns found by name in the header,
// or by position without one; extra columns ignored, blank lines skipped) to
// out, interning raw ids in users/items. path "-" is standard input; gzip
// data is decompressed, whatever the name. Any bad row throws Error naming
// the file and line.
void load_ratings(const std::string& path, const LoadOptions& options, IdMap& users, IdMap& items,
                  Ratings& out);
// The same, also appending each row's timestamp (a whole number, as MovieLens's
// Unix seconds) to timestamps: a column only the time splits need, so it is
// not read otherwise. A missing column or a bad value throws Error.
void load_ratings(const std::string& path, const LoadOptions& options, IdMap& users, IdMap& items,
                  Ratings& out, std::vector<std::int64_t>& timestamps);

// "0.5,5" -> {0.5, 5}; throws Error on anything else.
RatingRange parse_rating_range(const std::string& text);

}  // namespace recsys
