#include "recsys/io/trained_model.hpp"

namespace recsys {

std::string TrainedModel::item_label(std::uint32_t item) const {
  if (item < titles.size() && !titles[item].empty()) return titles[item];
  return "movieId " + items.token(item);
}

}  // namespace recsys
