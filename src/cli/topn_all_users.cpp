#include "topn_all_users.hpp"

#include "recsys/eval/genre_calibration.hpp"
#include "recsys/eval/top_n.hpp"
#include "recsys/output/json_writer.hpp"
#include "recsys/output/text_table.hpp"

namespace recsys::cli {

namespace {

TopNLists every_list(const TrainedModel& m, std::size_t n, bool include_rated, double calibrate) {
  TopNRequest request{calibrate > 0 ? calibration_pool(n) : n, {}, nullptr};
  if (!include_rated) request.exclude = {&m.train_rated, &m.validation_rated};
  TopNLists lists = std::move(top_n_all(m.tables, {request}, 0).front());
  if (calibrate <= 0) return lists;
  const GenreIndex genres = GenreIndex::required(m.genres);
  return calibrate_lists(lists, genres, m.train_rated, n, calibrate);
}

}  // namespace

std::string all_users_topn(const TrainedModel& m, std::size_t n, bool include_rated,
                           double calibrate, const std::string& format) {
  const TopNLists lists = every_list(m, n, include_rated, calibrate);
  // Scores as `topn --user` prints them: predicted stars, or a choice score.
  auto stars = [&](float logit) { return m.shown_score(logit); };
  const std::string score = m.score_name();
  std::string out;
  if (format == "json") {
    JsonWriter j;
    j.begin_object()
        .field("k", static_cast<std::uint64_t>(n))
        .field("excluded_rated", !include_rated);
    if (calibrate > 0) j.field("calibrate", calibrate);
    j.key("users").begin_array();
    for (std::uint32_t u = 0; u < lists.n_users(); ++u) {
      j.begin_object().field("userId", m.users.token(u)).key("recommendations").begin_array();
      const auto items = lists.of(u);
      const auto logits = lists.logits_of(u);
      for (std::size_t r = 0; r < items.size(); ++r) {
        j.begin_object().field("rank", static_cast<int>(r + 1));
        j.field("movieId", m.items.token(items[r])).field("title", m.titles[items[r]]);
        j.field(score, stars(logits[r])).end_object();
      }
      j.end_array().end_object();
    }
    j.end_array().end_object();
    return j.str() + "\n";
  }
  if (format == "csv") {
    out.reserve(lists.items.size() * 24 + 32);
    out = "userId,rank,movieId," + score + "\n";
    for (std::uint32_t u = 0; u < lists.n_users(); ++u) {
      const std::string user = csv_field(m.users.token(u)) + ",";
      const auto items = lists.of(u);
      const auto logits = lists.logits_of(u);
      for (std::size_t r = 0; r < items.size(); ++r) {
        out += user;
        out += std::to_string(r + 1);
        out += ',';
        out += csv_field(m.items.token(items[r]));
        out += ',';
        out += fixed(stars(logits[r]), 4);
        out += '\n';
      }
    }
    return out;
  }
  // Row r of the table is (user, rank) r / stride, r % stride; users whose
  // list is short leave gaps, skipped by indexing only the filled slots.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> slots;  // (user, rank - 1) of each row
  slots.reserve(lists.items.size());
  for (std::uint32_t u = 0; u < lists.n_users(); ++u)
    for (std::uint32_t r = 0; r < lists.length[u]; ++r) slots.emplace_back(u, r);
  return format_table({"userId", "rank", "movieId", "title", score}, slots.size(),
                      [&](std::size_t row, std::size_t column) -> std::string {
                        const auto [u, r] = slots[row];
                        const std::uint32_t item = lists.of(u)[r];
                        switch (column) {
                          case 0:
                            return m.users.token(u);
                          case 1:
                            return std::to_string(r + 1);
                          case 2:
                            return m.items.token(item);
                          case 3:
                            return m.item_label(item);
                          default:
                            return fixed(stars(lists.logits_of(u)[r]), 2);
                        }
                      },
                      {true, true, true, false, true});
}

}  // namespace recsys::cli
