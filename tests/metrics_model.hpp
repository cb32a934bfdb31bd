#pragma once
// The hand-worked model behind the metrics tests: 3 users, 5 movies, 2-D
// embeddings, every number small enough to follow on paper.
//
//   items  i0 ( 1, 0) b 0    i1 (0, 1) b 0    i2 (1, 1) b 0
//          i3 ( 0, 0) b 0.5 (a zero vector)   i4 (-1, 0) b 0
//   users  u0 ( 2, 1) b 0    u1 (-1, 1) b 0.25    u2 (1, 1) b -1
//
//   logits     i0     i1     i2     i3     i4
//     u0       2      1      3      0.5   -2
//     u1      -0.75   1.25   0.25   0.75   1.25   (i1 and i4 tie)
//     u2       0      0      1     -0.5   -2      (i0 and i1 tie)
//
//   training rows   u0 i0 4 | u1 i1 3, u1 i4 1 | u2 i0 2, u2 i1 5, u2 i2 3, u2 i2 5
//                   (u2's i2 twice, as a pair present in both a training
//                   file and a --val file would be: count(i2) = 2)
//   validation rows u0 i1 5, u0 i3 2 | u2 i3 4.5 | none for u1
//   stars 1..5
//
//   item stats over all 10 rows: count 2, 3, 2, 2, 1;
//   mean 3, 13/3, 4, 3.25, 1; training mean 23 / 7.
#include <string>
#include <vector>

#include "recsys/data/item_stats.hpp"
#include "recsys/io/trained_model.hpp"

namespace metrics_test {

inline recsys::Ratings hand_training_rows() {
  recsys::Ratings train;
  train.push(0, 0, 4.0f);
  train.push(1, 1, 3.0f);
  train.push(1, 4, 1.0f);
  train.push(2, 0, 2.0f);
  train.push(2, 1, 5.0f);
  train.push(2, 2, 3.0f);
  train.push(2, 2, 5.0f);
  return train;
}

inline recsys::TrainedModel hand_model() {
  recsys::TrainedModel m;
  m.settings.preset = "hand";
  m.settings.dim = 2;
  m.settings.optimizer = recsys::Adam::Mode::Dense;
  m.scaler = {1.0, 5.0};
  m.users = recsys::IdMap::from_tokens({"u0", "u1", "u2"});
  m.items = recsys::IdMap::from_tokens({"m0", "m1", "m2", "m3", "m4"});
  m.titles = {"Zero (2000)", "One, with comma", "Two \"quoted\"", "Three", ""};
  m.genres = {"A", "B", "A|B", "", ""};
  auto& e = m.tables;
  e.dim = 2;
  e.n_users = 3;
  e.n_items = 5;
  e.user_vec = {2.0f, 1.0f, -1.0f, 1.0f, 1.0f, 1.0f};
  e.user_bias = {0.0f, 0.25f, -1.0f};
  e.item_vec = {1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f, 0.0f, 0.0f, -1.0f, 0.0f};
  e.item_bias = {0.0f, 0.0f, 0.0f, 0.5f, 0.0f};
  const recsys::Ratings train = hand_training_rows();
  m.train_rated = recsys::RatedItems::build(3, train);
  m.validation.push(0, 1, 5.0f);
  m.validation.push(0, 3, 2.0f);
  m.validation.push(2, 3, 4.5f);
  m.stats = recsys::ItemStats::compute(5, train, m.validation);
  m.index_validation();
  return m;
}

}  // namespace metrics_test
