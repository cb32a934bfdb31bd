// The choice objective trained across ranks (train/choice_ranks), the ranks
// run as threads (thread_ranks.hpp): the same model as one process, up to
// the order in which the film gradients' shares are added, and the same
// bits again for the same seed.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "planted.hpp"
#include "recsys/train/choice_ranks.hpp"
#include "recsys/train/choice_trainer.hpp"
#include "thread_ranks.hpp"

namespace {

using namespace recsys;

float largest_gap(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  float gap = 0;
  for (std::size_t k = 0; k < a.size(); ++k) gap = std::max(gap, std::abs(a[k] - b[k]));
  return gap;
}

struct Trained {
  Embeddings model;
  TrainReport report;
};

Trained on_ranks(const Dataset& data, const TrainConfig& c, const Embeddings& start, int n) {
  const RingPlan plan = RingPlan::balanced(data.train, start.n_users, start.n_items, n);
  std::vector<Ratings> parts(static_cast<std::size_t>(n));  // each rank's user group's rows
  for (std::size_t k = 0; k < data.train.size(); ++k)
    parts[std::size_t(plan.user_group(data.train.user[k]))].push(
        data.train.user[k], data.train.item[k], data.train.stars[k]);
  Trained first;
  test::ThreadRanks ranks(n);
  ranks.run([&](Communicator& comm) {
    Embeddings model = start;
    TrainReport report =
        train_choice_on_ranks(model, plan, parts[std::size_t(comm.rank())], c, {}, comm);
    if (comm.rank() == 0) first = {std::move(model), std::move(report)};
  });
  return first;
}

}  // namespace

TEST_CASE("choice across 2 and 3 ranks trains the model one process trains", "[choice][ranks]") {
  const test_support::PlantedFile file(240, 120, 6000, 4, 0.3, 12);
  const Dataset data = load_dataset(file.files());
  TrainConfig c = TrainConfig::from_preset("choice");
  c.epochs = 6;
  c.threads = 1;
  c.batch = 32;
  Rng rng(5);
  const Embeddings start = Embeddings::random(std::uint32_t(data.users.size()),
                                              std::uint32_t(data.items.size()), 8, 0.1, rng);
  Embeddings alone = start;
  const TrainReport one = train_choice(alone, data.train, c, {});
  for (const int n : {2, 3}) {
    const Trained t = on_ranks(data, c, start, n);
    INFO(n << " ranks");
    // Float sums in another order, compounded over 6 epochs: far below the
    // weights' own scale, and far below what one epoch changes.
    CHECK(largest_gap(t.model.user_vec, alone.user_vec) < 2e-4f);
    CHECK(largest_gap(t.model.item_vec, alone.item_vec) < 2e-4f);
    CHECK(largest_gap(t.model.item_bias, alone.item_bias) < 2e-4f);
    CHECK(largest_gap(start.item_vec, alone.item_vec) > 0.05f);
    REQUIRE(t.report.history.size() == one.history.size());
    for (std::size_t e = 0; e < one.history.size(); ++e)
      CHECK(t.report.history[e].train_mse == Approx(one.history[e].train_mse).epsilon(1e-5));
    CHECK(t.report.ring.bytes_passed > 0);
  }
  // The same seed and ranks: the same bits.
  const Trained again = on_ranks(data, c, start, 3), once_more = on_ranks(data, c, start, 3);
  CHECK(again.model.user_vec == once_more.model.user_vec);
  CHECK(again.model.item_vec == once_more.model.item_vec);
  CHECK(again.model.item_bias == once_more.model.item_bias);
}
