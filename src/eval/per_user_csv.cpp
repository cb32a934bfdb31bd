#include "recsys/eval/per_user_csv.hpp"

#include <charconv>
#include <cmath>

#include "recsys/output/text_table.hpp"

namespace recsys {
namespace {

// ",x" with x in shortest round-trip form; "," alone for NaN.
void append_number(std::string& out, double x) {
  out += ',';
  if (std::isnan(x)) return;
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, ec == std::errc() ? end : buf);
}

}  // namespace

std::string per_user_csv(const PerUserFigures& figures, const IdMap& users) {
  std::string out =
      "userId,held_out_rows,relevant,list_length,precision_at_k,recall_at_k,ndcg_at_k,hit_at_k,"
      "ap_at_k,diversity,novelty,mean_rating_of_recommended,mean_popularity\n";
  for (std::uint32_t u = 0; u < users.size(); ++u) {
    const UserRanking rank = u < figures.ranking.size() ? figures.ranking[u] : UserRanking{};
    const UserList list = u < figures.lists.size() ? figures.lists[u] : UserList{};
    const std::uint32_t rows = u < figures.held_out_rows.size() ? figures.held_out_rows[u] : 0;
    out += csv_field(users.token(u));
    out += ',' + std::to_string(rows) + ',' + std::to_string(rank.relevant) + ',' +
           std::to_string(list.length);
    for (const double x :
         {rank.precision, rank.recall, rank.ndcg, rank.hit, rank.ap, list.diversity, list.novelty,
          list.mean_rating_of_recommended, list.mean_popularity})
      append_number(out, x);
    out += '\n';
  }
  return out;
}

}  // namespace recsys
