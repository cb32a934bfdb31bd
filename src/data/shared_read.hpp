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

// load_ratings across ranks: rank r parses range r of the file cut into as
// many ranges as ranks (a file that cannot be cut, such as gzip data or
// standard input, is read whole by rank 0). The ranks then agree on:
//  - the first error in file order, thrown on every rank with the file's
//    line number;
//  - the ids, interned in rank order, which is file order, so users and
//    items end the same on every rank and as a single read would leave them;
//  - the rows, appended to rank 0's out (and timestamps) in file order.
// options.ranks is not consulted: `ranks` is.
void read_shared(const std::string& path, const LoadOptions& options, Communicator& ranks,
                 IdMap& users, IdMap& items, Ratings& out, std::vector<std::int64_t>* timestamps);

}  // namespace recsys
