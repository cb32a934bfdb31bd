// recsys predict PAIRS: each input row written back with the model's
// prediction for its (user, movie) pair, for scoring a test file in pandas.
#include <spdlog/spdlog.h>

#include <array>
#include <cmath>
#include <memory>

#include "commands.hpp"
#include "input_options.hpp"
#include "model_option.hpp"
#include "output.hpp"
#include "recsys/data/field_reader.hpp"
#include "recsys/eval/pair_prediction.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/output/json_writer.hpp"
#include "recsys/output/text_table.hpp"
#include "recsys/util/error.hpp"

namespace recsys::cli {
namespace {

struct PredictOptions {
  std::string pairs, model = "recsys.model", format = "csv";
  InputOptions input;
};

// Where the user and movie ids are in a row, and every column's name.
struct PairColumns {
  std::size_t user = 0, item = 0;
  std::vector<std::string> names;
};

PairColumns find_columns(const FieldReader& reader, const LoadOptions& load, std::size_t fields) {
  PairColumns c;
  if (!reader.header().empty()) {
    c.names = reader.header();
    auto find = [&](const std::string& name, const char* option) {
      for (std::size_t k = 0; k < c.names.size(); ++k)
        if (c.names[k] == name) return k;
      throw Error(reader.path(), 1,
                  "no column '" + name + "' in the header (name it with " + option +
                      "; a file without a header line needs --no-header)");
    };
    c.user = find(load.columns.user, "--user-col");
    c.item = find(load.columns.item, "--item-col");
    return c;
  }
  const auto& at = load.layout.positions;
  const std::array<std::string, 4> names = {load.columns.user, load.columns.item,
                                            load.columns.rating, load.columns.timestamp};
  for (std::size_t k = 0; k < fields; ++k) c.names.push_back("field" + std::to_string(k + 1));
  for (std::size_t col = 0; col < 4; ++col)
    if (at[col] >= 0 && std::size_t(at[col]) < fields) c.names[std::size_t(at[col])] = names[col];
  c.user = std::size_t(at[kUserColumn]);
  c.item = std::size_t(at[kItemColumn]);
  if (c.user >= fields || c.item >= fields)
    throw Error(reader.path(), reader.line(),
                "too few fields on the first line for --columns; fix --columns or the file");
  return c;
}

void run(const CLI::App& cmd, const PredictOptions& o) {
  LoadOptions load = load_options(cmd, o.input, {false, false});
  if (o.input.columns.empty()) load.layout.positions = {0, 1, -1, -1};
  const TrainedModel m = load_model(o.model);
  FieldReader reader(o.pairs, load.layout.separator, load.layout.header);
  const char* score = m.predicts_stars() ? "prediction" : "choice_score";

  std::string csv;
  JsonWriter json;
  json.begin_object().field("model", o.model).field("score", score).key("rows").begin_array();
  std::array<std::size_t, 4> by_source{};
  std::vector<std::string_view> fields;
  PairColumns cols;
  bool first = true;
  while (reader.next(fields)) {
    if (first) {
      cols = find_columns(reader, load, fields.size());
      for (const auto& name : cols.names) csv += csv_field(name) + ",";
      csv += std::string(score) + ",prediction_source\n";
      first = false;
    }
    const PairPrediction p =
        predict_pair(m, m.users.find(fields[cols.user]), m.items.find(fields[cols.item]));
    ++by_source[std::size_t(p.source)];
    const std::string value = std::isnan(p.value) ? "" : fixed(p.value, 4);
    if (o.format == "csv") {
      for (const auto& f : fields) csv += csv_field(f) + ",";
      csv += value + "," + source_name(p.source) + "\n";
    } else {
      json.begin_object();
      for (std::size_t k = 0; k < fields.size(); ++k) json.field(cols.names[k], fields[k]);
      if (std::isnan(p.value))
        json.key(score).null();
      else
        json.field(score, p.value);
      json.field("prediction_source", source_name(p.source)).end_object();
    }
  }
  if (first) throw Error(o.pairs, 0, "no rows: expected (user, movie) pairs to predict");
  json.end_array().key("sources").begin_object();
  for (const auto s : {PredictionSource::model, PredictionSource::movie_mean,
                       PredictionSource::global_mean, PredictionSource::none})
    json.field(source_name(s), std::uint64_t(by_source[std::size_t(s)]));
  json.end_object().end_object();

  const std::size_t fallback = by_source[1] + by_source[2] + by_source[3];
  if (fallback > 0)
    spdlog::warn(
        "{}: {} of {} pairs have a user or movie this model does not know: {} predicted with "
        "the movie's mean rating, {} with the mean of all ratings, {} left empty "
        "(prediction_source says which)",
        o.pairs, with_commas(fallback), with_commas(fallback + by_source[0]),
        with_commas(by_source[1]), with_commas(by_source[2]), with_commas(by_source[3]));
  write_stdout(o.format == "csv" ? csv : json.str() + "\n");
}

}  // namespace

void register_predict(CLI::App& app) {
  auto o = std::make_shared<PredictOptions>();
  CLI::App* cmd = app.add_subcommand(
      "predict", "Write each row of a file of (user, movie) pairs with the model's prediction");
  cmd->add_option("pairs", o->pairs,
                  "File of (user, movie) pairs: any ratings layout, gzip, or - for stdin")
      ->required();
  add_input_options(cmd, o->input, "", {false, false});
  add_format_option(cmd, o->format, {"csv", "json"});
  add_model_option(cmd, o->model);
  cmd->callback([cmd, o] { run(*cmd, *o); });
}

}  // namespace recsys::cli
