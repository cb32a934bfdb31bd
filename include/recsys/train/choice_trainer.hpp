#pragma once
// The choice objective: which films a user rates, not how. A film a user
// rated is a 1, every other film a 0 with weight `negative_weight` (alpha),
// as in implicit ALS (Hu, Koren and Volinsky 2008):
//
//   L = sum over rated (u,i) of (1 - s_ui)^2  +  alpha * sum over unrated (u,i) of s_ui^2
//       + weight_decay * (|user_vec|^2 + |item_vec|^2),     s_ui = user_vec . item_vec + item_bias
//
// All user-film pairs count, yet an epoch costs O(ratings * dim + (users +
// items) * dim^2): the sum over every pair of s^2 is user_vec' G user_vec with
// G the Gramian of the film table (and the same with the user table's for
// the films), so no pair is ever enumerated. An epoch is a user phase (Adam
// over mini-batches of users, the film table fixed) then a film phase (the
// same over films); gradients are exact for the rows of each batch.
//
// The user bias plays no part (it would not change any ranking) and stays 0;
// the score s is no rating, so predictions in stars mean nothing for it.
#include "recsys/data/rated_items.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/train/model.hpp"
#include "recsys/train/train_config.hpp"
#include "recsys/train/trainer.hpp"

namespace recsys {

// Trains model's user_vec, item_vec and item_bias on the rated pairs of
// train_rows (their stars are not used); each epoch's record holds, as
// train_mse, the loss per rated pair of the model between the epoch's user
// and film phases, and NaN validation figures.
TrainReport train_choice(Embeddings& model, const Ratings& train_rows, const TrainConfig& config,
                         const TrainHooks& hooks);

// Half the gradient of the loss (without the division by the rated pairs) at
// the model as it is, and the loss per rated pair summed row by row over
// either side, through the same code as training, for the tests.
struct ChoiceGradients {
  std::vector<float> user_vec, item_vec, item_bias;
  double loss_by_users = 0, loss_by_items = 0;
};
ChoiceGradients choice_gradients(Embeddings& model, const RatedItems& by_user,
                                 const RatedItems& by_item, const TrainConfig& config);

// The loss above divided by the number of rated pairs, written apart from
// the training code so that tests can hold one against the other.
double choice_loss(const Embeddings& model, const RatedItems& rated_by_user, double negative_weight,
                   double weight_decay);

}  // namespace recsys
