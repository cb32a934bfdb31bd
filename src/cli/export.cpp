// recsys export --what items|users: the embedding tables as CSV or TSV, one
// row per movie or user, for numpy, pandas or an embedding projector.
#include <charconv>
#include <memory>

#include "commands.hpp"
#include "model_option.hpp"
#include "output.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/output/text_table.hpp"

namespace recsys::cli {
namespace {

struct ExportOptions {
  std::string model = "recsys.model", what, format = "csv";
};

// Shortest text that reads back as the same float, so a reader gets the
// model's exact weights.
void append_float(std::string& out, float x) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, ec == std::errc() ? end : buf);
}

// TSV has no quoting: a tab or line break inside a title becomes a space.
std::string tsv_field(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

void run(const ExportOptions& o) {
  const TrainedModel m = load_model(o.model);
  const Embeddings& e = m.tables;
  const bool items = o.what == "items";
  const char sep = o.format == "tsv" ? '\t' : ',';
  auto field = [&](const std::string& s) { return sep == '\t' ? tsv_field(s) : csv_field(s); };

  std::string out = items ? std::string("movieId") + sep + "title" : std::string("userId");
  out += sep;
  out += "bias";
  for (int d = 0; d < e.dim; ++d) out += sep + ("e" + std::to_string(d));
  out += '\n';
  const std::uint32_t n = items ? e.n_items : e.n_users;
  out.reserve(out.size() + std::size_t(n) * (std::size_t(e.dim) + 2) * 14);
  for (std::uint32_t r = 0; r < n; ++r) {
    out += field(items ? m.items.token(r) : m.users.token(r));
    if (items) {
      out += sep;
      out += field(m.titles[r]);
    }
    out += sep;
    append_float(out, items ? e.item_bias[r] : e.user_bias[r]);
    const float* v = items ? e.item_row(r) : e.user_row(r);
    for (int d = 0; d < e.dim; ++d) {
      out += sep;
      append_float(out, v[d]);
    }
    out += '\n';
  }
  write_stdout(out);
}

}  // namespace

void register_export(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export",
      "Write the embeddings: movieId,title,bias,e0,... (items) or userId,bias,e0,... (users)");
  cmd->add_option("--what", o->what, "items | users")
      ->required()
      ->check(CLI::IsMember({"items", "users"}));
  add_format_option(cmd, o->format, {"csv", "tsv"});
  add_model_option(cmd, o->model);
  cmd->callback([o] { run(*o); });
}

}  // namespace recsys::cli
