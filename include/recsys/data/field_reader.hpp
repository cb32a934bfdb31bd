#pragma once
// A delimited file read row by row with every field kept: for commands that
// pass the user's rows through (predict writes each input row back with a
// prediction). Same dialect and layouts as the ratings loader (file_layout.hpp),
// same sources (gzip, "-" for standard input); errors are recsys::Error
// lines naming the file and line.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "recsys/data/file_layout.hpp"

namespace recsys {

class CsvRows;

class FieldReader {
 public:
  // Reads the header when layout.header; the fields of each row must then
  // number as the header's, or without one as the first row's.
  FieldReader(const std::string& path, Separator separator, bool header);
  ~FieldReader();
  FieldReader(const FieldReader&) = delete;
  FieldReader& operator=(const FieldReader&) = delete;

  // The header's names; empty for a file without a header.
  const std::vector<std::string>& header() const { return header_; }
  // The next row's fields, valid until the next call; false at the end.
  bool next(std::vector<std::string_view>& fields);
  // The file line of the row just read.
  std::size_t line() const;
  Separator separator() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::unique_ptr<CsvRows> rows_;
  std::vector<std::string> header_;
};

}  // namespace recsys
