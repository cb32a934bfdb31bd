#pragma once
// A large CSV file cut into byte ranges that threads parse side by side: each
// range starts at a line start, and each is read with the file's header line
// in front, so one CSV reader per range sees a complete file of its own.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "csv_reader.hpp"

namespace recsys {

struct ByteRange {
  std::uint64_t begin = 0, end = 0;  // [begin, end) of the file, whole lines
};

// The file is opened once and every range read from that descriptor, so a
// file renamed over the path meanwhile is not mixed in; bytes appended after
// the split are not read (the file is taken as it was when the load began).
class OpenFile;

struct SplitFile {
  std::string path;
  std::shared_ptr<const OpenFile> file;
  std::string header;  // the first line, with its '\n'
  // With a header, each range is read with it in front and the ranges cover
  // everything after it; without one, the ranges cover the whole file.
  bool has_header = true;
  std::vector<ByteRange> ranges;
};

// Cuts a regular file into at most `parts` ranges of about equal size, cut
// after a '\n'. No ranges when the file is not a regular file, has no
// complete header line, or its first line is blank (the CSV reader would skip
// it and take the next line as the header: one thread reads such a file).
SplitFile split_lines(const std::string& path, int parts, bool has_header = true);

// The '\n' bytes in a range (to turn a line of a range into a line of the file).
std::size_t count_newlines(const SplitFile& split, const ByteRange& range);

// The header (when the file has one) followed by the bytes of one range, for
// a CsvReader; ends with a NUL after the last byte, as open_csv's source.
std::unique_ptr<io::ByteSourceBase> open_range(const SplitFile& split, const ByteRange& range);

}  // namespace recsys
