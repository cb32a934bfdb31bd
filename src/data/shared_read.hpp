#pragma once
// Reading one ratings file with the processes of an mpirun (LoadOptions::ranks).
#include <cstdint>
#include <string>
#include <vector>

#include "byte_ranges.hpp"
#include "recsys/data/ratings.hpp"

namespace recsys {

// The rows of one range of split, ids interned into users and items: what
// one thread (or one rank) of a parallel load parses. Errors name the line
// within the range (its line 1 is the header, when the file has one).
// Returns the separator used (options' own, or found on the header line).
Separator read_range(const std::string& path, const SplitFile& split, std::size_t range,
                     const LoadOptions& options, IdMap& users, IdMap& items, Ratings& out,
                     std::vector<std::int64_t>* timestamps);

// The log line of a load whose separator was found rather than given.
void log_found_separator(const std::string& path, const LoadOptions& options, Separator found);

// One rank's part of a file read across ranks: its rows in file order, with
// ids already the same on every rank; first_line counts the rows of the
// ranks before it, so its row k is the file's row first_line + k (0-based,
// blank lines and the header not counted).
struct SharedPart {
  Ratings rows;
  std::vector<std::int64_t> times;  // each row's timestamp, when asked for
  std::uint64_t first_line = 0;
};

// load_ratings across ranks: rank r parses range r of the file cut into as
// many ranges as ranks (a file that cannot be cut, such as gzip data or
// standard input, is read whole by rank 0). The ranks then agree on:
//  - the first error in file order, thrown on every rank with the file's
//    line number;
//  - the ids, interned in rank order, which is file order, so users and
//    items end the same on every rank and as a single read would leave them.
// Each rank keeps the rows it parsed. options.ranks is not consulted.
SharedPart read_shared(const std::string& path, const LoadOptions& options, Communicator& ranks,
                       IdMap& users, IdMap& items, bool with_times);

}  // namespace recsys
