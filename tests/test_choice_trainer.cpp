// The choice objective: its loss through the Gramians must equal the plain
// sum over every user-film pair, its gradients must match finite differences
// of that loss, it must learn which films users rate (held-out rated films
// above unrated ones), and it must give the same bytes on any thread count.
#include <catch2/catch.hpp>
#include <cmath>

#include "planted.hpp"
#include "recsys/eval/evaluation.hpp"
#include "recsys/eval/top_n.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/train/choice_trainer.hpp"
#include "recsys/train/fit.hpp"

namespace {

using namespace recsys;

// 3 users, 4 films, dim 2, with biases; user 0 rated films 0 and 2, user 1
// film 3, user 2 nothing.
struct Tiny {
  Embeddings m;
  Ratings rows;
  RatedItems by_user, by_item;
  Tiny() {
    Rng rng(7);
    m = Embeddings::random(3, 4, 2, 0.5, rng);
    std::fill(m.user_bias.begin(), m.user_bias.end(), 0.0f);
    rows.push(0, 0, 4);
    rows.push(0, 2, 1);
    rows.push(1, 3, 5);
    index();
  }
  void index() {
    by_user = RatedItems::build(3, rows.user, rows.item);
    by_item = RatedItems::build(4, rows.item, rows.user);
  }
};

// The loss written out pair by pair, as its definition reads.
double brute_force_loss(const Embeddings& m, const RatedItems& by_user, double alpha,
                        double decay) {
  double loss = 0;
  for (std::uint32_t u = 0; u < m.n_users; ++u)
    for (std::uint32_t i = 0; i < m.n_items; ++i) {
      double s = m.item_bias[i];
      for (int k = 0; k < m.dim; ++k) s += double(m.user_row(u)[k]) * m.item_row(i)[k];
      loss += by_user.contains(u, i) ? (1 - s) * (1 - s) : alpha * s * s;
    }
  for (const float x : m.user_vec) loss += decay * x * x;
  for (const float x : m.item_vec) loss += decay * x * x;
  return loss / double(by_user.items.size());
}

TrainConfig choice_config(double alpha, double decay) {
  TrainConfig c = TrainConfig::from_preset("choice");
  c.negative_weight = alpha;
  c.weight_decay = decay;
  return c;
}

}  // namespace

TEST_CASE("choice: the loss through the Gramians is the sum over every pair", "[choice]") {
  const Tiny t;
  for (const double alpha : {0.1, 0.5, 1.0})
    for (const double decay : {0.0, 0.3}) {
      INFO("alpha " << alpha << " decay " << decay);
      const double expected = brute_force_loss(t.m, t.by_user, alpha, decay);
      CHECK(choice_loss(t.m, t.by_user, alpha, decay) == Approx(expected).epsilon(1e-6));
      // Training reports the loss as the sum of the rows' shares of either side.
      Tiny copy;
      const ChoiceGradients g =
          choice_gradients(copy.m, copy.by_user, copy.by_item, choice_config(alpha, decay));
      CHECK(g.loss_by_users == Approx(expected).epsilon(1e-6));
      CHECK(g.loss_by_items == Approx(expected).epsilon(1e-6));
    }
}

TEST_CASE("choice: gradients match finite differences of the loss", "[choice]") {
  Tiny t;
  const double alpha = 0.3, decay = 0.2;
  const ChoiceGradients g =
      choice_gradients(t.m, t.by_user, t.by_item, choice_config(alpha, decay));
  // choice_gradients gives half the gradient of the undivided loss.
  const double scale = double(t.by_user.items.size()) / 2;
  auto check = [&](std::vector<float>& table, const std::vector<float>& grad, const char* name) {
    for (std::size_t k = 0; k < table.size(); ++k) {
      INFO(name << "[" << k << "]");
      const float kept = table[k];
      const float h = 1e-2f;
      table[k] = kept + h;
      const double up = choice_loss(t.m, t.by_user, alpha, decay);
      table[k] = kept - h;
      const double down = choice_loss(t.m, t.by_user, alpha, decay);
      table[k] = kept;
      CHECK(grad[k] == Approx((up - down) / (2 * h) * scale).margin(1e-4).epsilon(1e-3));
    }
  };
  check(t.m.user_vec, g.user_vec, "user_vec");
  check(t.m.item_vec, g.item_vec, "item_vec");
  // The bias has no decay term: its finite difference sees none either.
  check(t.m.item_bias, g.item_bias, "item_bias");
}

TEST_CASE("choice: rated films the model never saw score above unrated ones", "[choice]") {
  // Planted tastes decide which films a user rates, so held-out rated pairs
  // should outrank random unrated pairs far more often than chance.
  const test_support::PlantedFile file(300, 200, 15000, 6, 0.3, 4);
  TrainConfig c = TrainConfig::from_preset("choice");
  c.epochs = 30;
  c.threads = 1;
  const FitResult f = fit(file.files(), c);
  const TrainedModel& m = f.model;
  CHECK(std::isnan(f.validation.rmse));  // no stars for a choice model
  CHECK(m.history.size() == 30u);
  CHECK(m.history.back().train_mse < m.history.front().train_mse);
  Rng rng(3);
  std::size_t wins = 0, trials = 0;
  for (std::size_t r = 0; r < m.validation.size(); ++r) {
    const std::uint32_t u = m.validation.user[r], i = m.validation.item[r];
    std::uint32_t j = 0;
    do j = static_cast<std::uint32_t>(rng.below(m.items.size()));
    while (m.train_rated.contains(u, j) || j == i);
    wins += m.tables.logit(u, i) > m.tables.logit(u, j);
    ++trials;
  }
  const double auc = double(wins) / double(trials);
  INFO("pairwise accuracy " << auc << " over " << trials);
  CHECK(auc > 0.75);
}

TEST_CASE("choice: one model whatever the thread count and the batch", "[choice]") {
  const test_support::PlantedFile file(120, 80, 3000, 4, 0.3, 9);
  TrainConfig c = TrainConfig::from_preset("choice");
  c.epochs = 5;
  c.threads = 1;
  c.negative_weight = 0.6;
  const TrainedModel one = fit(file.files(), c).model;
  c.threads = 2;
  c.batch = 7;  // every row still takes one step per epoch
  const TrainedModel two = fit(file.files(), c).model;
  CHECK(one.tables.user_vec == two.tables.user_vec);
  CHECK(one.tables.item_vec == two.tables.item_vec);
  CHECK(one.tables.item_bias == two.tables.item_bias);
  CHECK(one.history.back().train_mse == two.history.back().train_mse);
  // And the model file keeps what it is.
  const TrainedModel back = parse_model(serialize_model(one), "choice.model");
  CHECK(back.settings.objective == Objective::Choice);
  CHECK(back.settings.negative_weight == 0.6);
  CHECK_FALSE(back.predicts_stars());
  CHECK(std::string(back.score_name()) == "choice_score");
  CHECK(back.shown_score(0.75f) == 0.75);
}

TEST_CASE("choice: on planted choices it beats the rating objective and popularity on ndcg@10",
          "[choice]") {
  // Users take 60% of their films from their favourite genre: which films
  // they rate follows their taste, which a rating model never learns.
  const test_support::PlantedFile file(600, 400, 36000, 8, 0.5, 5, 0.6);
  TrainConfig rating = TrainConfig::from_preset("default", Objective::Rating);
  rating.threads = 1;
  TrainConfig choice = TrainConfig::from_preset("choice");
  choice.epochs = 30;
  choice.threads = 1;
  MetricsOptions o;
  o.threads = 1;
  const TrainedModel r = fit(file.files(), rating).model;
  const TrainedModel c = fit(file.files(), choice).model;
  const MetricsReport by_rating = evaluate(r, r.validation, o);
  const MetricsReport by_choice = evaluate(c, c.validation, o);
  const double popularity = by_choice.popularity.ranking.ndcg;
  INFO("ndcg@10 choice " << by_choice.ranking.ndcg << ", rating " << by_rating.ranking.ndcg
                         << ", popularity " << popularity << ", users " << by_choice.ranking.users);
  // Margins of several standard errors (ndcg per user is at most 1, over
  // hundreds of users: one standard error is about 0.015).
  CHECK(by_choice.ranking.ndcg > popularity + 0.06);
  CHECK(by_choice.ranking.ndcg > by_rating.ranking.ndcg + 0.06);
}
