#include "input_options.hpp"

#include "recsys/util/error.hpp"

namespace recsys::cli {

void add_input_options(CLI::App* cmd, InputOptions& o, const std::string& of_what,
                       InputColumns columns) {
  const std::string of = of_what.empty() ? "" : " of " + of_what;
  cmd->add_option("--sep", o.sep,
                  "Field separator" + of + ": auto (from the first line), ',', tab, '::' or ';'")
      ->capture_default_str();
  cmd->add_flag("--no-header", o.no_header,
                "The file" + of + " has no header line: fields in the order of --columns");
  cmd->add_option("--columns", o.columns,
                  std::string("With --no-header: the fields of a line, in order (skip: one to "
                              "ignore); default ") +
                      (columns.rating ? "user,item,rating,timestamp" : "user,item"));
  cmd->add_option("--user-col", o.user_col, "User id column" + of)->capture_default_str();
  cmd->add_option("--item-col", o.item_col, "Item id column" + of)->capture_default_str();
  if (columns.rating)
    cmd->add_option("--rating-col", o.rating_col, "Rating column" + of)->capture_default_str();
  if (columns.timestamp)
    cmd->add_option("--timestamp-col", o.timestamp_col,
                    "Timestamp column (read for --split user-time and time)")
        ->capture_default_str();
}

LoadOptions load_options(const CLI::App& cmd, const InputOptions& o, InputColumns columns) {
  LoadOptions load;
  load.columns = {o.user_col, o.item_col, o.rating_col, o.timestamp_col};
  load.layout.separator = parse_separator(o.sep);
  load.layout.header = !o.no_header;
  if (!o.columns.empty()) {
    if (!o.no_header)
      throw Error(
          "--columns names the fields of a file without a header: add --no-header (with "
          "a header, columns are found by name: --user-col, --item-col, --rating-col)");
    load.layout.positions = parse_column_order(o.columns, columns.rating);
  }
  if (o.no_header)
    for (const char* name : {"--user-col", "--item-col", "--rating-col", "--timestamp-col"})
      if (cmd.get_option_no_throw(name) && cmd.count(name) > 0)
        throw Error(std::string(name) +
                    " finds a column by its name in the header, and --no-header says there is "
                    "none: give the order of the fields with --columns instead");
  return load;
}

}  // namespace recsys::cli
