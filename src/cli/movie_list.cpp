#include "movie_list.hpp"

#include "recsys/output/text_table.hpp"

namespace recsys::cli {

std::string format_movie_list(const TrainedModel& m, const std::vector<ListedMovie>& list,
                              const std::string& format, const MovieListFormat& how) {
  if (format == "json") {
    JsonWriter j;
    j.begin_object();
    how.json_head(j);
    j.key(how.json_list_key).begin_array();
    for (std::size_t r = 0; r < list.size(); ++r) {
      j.begin_object().field("rank", static_cast<int>(r + 1));
      j.field("movieId", m.items.token(list[r].item)).field("title", m.titles[list[r].item]);
      j.field(how.score_name, list[r].score).end_object();
    }
    j.end_array().end_object();
    return j.str() + "\n";
  }
  if (format == "csv") {
    std::string out = "rank,movieId,title," + how.score_name + "\n";
    for (std::size_t r = 0; r < list.size(); ++r)
      out += std::to_string(r + 1) + "," + csv_field(m.items.token(list[r].item)) + "," +
             csv_field(m.titles[list[r].item]) + "," + fixed(list[r].score, 4) + "\n";
    return out;
  }
  // The table adds genres (when known) so a reader can see why a film is there.
  std::vector<std::vector<std::string>> rows;
  for (std::size_t r = 0; r < list.size(); ++r)
    rows.push_back({std::to_string(r + 1), m.items.token(list[r].item), m.item_label(list[r].item),
                    fixed(list[r].score, how.table_decimals), m.genres[list[r].item]});
  return format_table({"rank", "movieId", "title", how.score_name, "genres"}, rows,
                      {true, true, false, true, false});
}

}  // namespace recsys::cli
