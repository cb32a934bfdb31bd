#include "recsys/data/field_reader.hpp"

#include "csv_reader.hpp"
#include "csv_rows.hpp"
#include "recsys/util/error.hpp"

namespace recsys {
namespace {

[[noreturn]] void rethrow(const std::string& path, const io::error::base& e, bool header) {
  throw_csv_error(path, e, "the columns named by --user-col and --item-col",
                  "--user-col/--item-col", header);
}

}  // namespace

FieldReader::FieldReader(const std::string& path, Separator separator, bool header) : path_(path) {
  require_csv_file(path);
  try {
    rows_ = std::make_unique<CsvRows>(open_csv(path), separator);
    if (header) header_ = rows_->read_header_fields();
  } catch (const io::error::base& e) {
    rethrow(path, e, header);
  }
}

FieldReader::~FieldReader() = default;

bool FieldReader::next(std::vector<std::string_view>& fields) {
  try {
    return rows_->read_fields(fields);
  } catch (const io::error::base& e) {
    rethrow(path_, e, !header_.empty());
  }
}

std::size_t FieldReader::line() const { return rows_->line(); }
Separator FieldReader::separator() const { return rows_->separator(); }

}  // namespace recsys
