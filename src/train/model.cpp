#include "recsys/train/model.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <type_traits>

#include "row_length.hpp"

namespace recsys {
namespace {
// Rows as Eigen vectors of compile-time length Dim (0: Eigen::Dynamic): the
// common sizes get fully unrolled loops, with the sums in one fixed order.
template <int Dim>
using ConstRow = Eigen::Map<const Eigen::Matrix<float, Dim ? Dim : Eigen::Dynamic, 1>>;
template <int Dim>
using Row = Eigen::Map<Eigen::Matrix<float, Dim ? Dim : Eigen::Dynamic, 1>>;

template <int Dim>
float dot_of(const float* a, const float* b, int dim) {
  return ConstRow<Dim>(a, dim).dot(ConstRow<Dim>(b, dim));
}

void fill_normal(std::vector<float>& table, std::size_t n, double std_dev, Rng& rng) {
  table.resize(n);
  for (auto& x : table) x = static_cast<float>(rng.normal() * std_dev);
}
}  // namespace

Embeddings Embeddings::random(std::uint32_t n_users, std::uint32_t n_items, int dim,
                              double init_std, Rng& rng) {
  Embeddings e;
  e.dim = dim;
  e.n_users = n_users;
  e.n_items = n_items;
  // Same order as the notebook's module: user vectors, user bias, item vectors, item bias.
  fill_normal(e.user_vec, std::size_t(n_users) * dim, init_std, rng);
  fill_normal(e.user_bias, n_users, init_std, rng);
  fill_normal(e.item_vec, std::size_t(n_items) * dim, init_std, rng);
  fill_normal(e.item_bias, n_items, init_std, rng);
  return e;
}

float Embeddings::logit(std::uint32_t u, std::uint32_t i) const {
  const float d = with_row_length(
      dim, [&](auto n) { return dot_of<decltype(n)::value>(user_row(u), item_row(i), dim); });
  return d + user_bias[u] + item_bias[i];
}

Gradients::Gradients(const Embeddings& shape)
    : dim_(shape.dim), user_slot_of_(shape.n_users, kNone), item_slot_of_(shape.n_items, kNone) {}

std::uint32_t Gradients::add_slot(std::vector<std::uint32_t>& touched, std::vector<float>& rows,
                                  std::uint32_t index) {
  const auto slot = static_cast<std::uint32_t>(touched.size());
  touched.push_back(index);
  // rows only grows (clear() keeps it): after the first batches a new slot
  // is a short inline fill, not a resize and a call to memset.
  const std::size_t end = (std::size_t(slot) + 1) * width();
  if (rows.size() < end) rows.resize(end);
  std::fill_n(rows.data() + end - width(), width(), 0.0f);
  return slot;
}

float Gradients::user_value(std::uint32_t u, int k) const {
  const std::uint32_t slot = user_slot_of_[u];
  return slot == kNone ? 0.0f : user_rows_[slot * width() + std::size_t(k)];
}

float Gradients::item_value(std::uint32_t i, int k) const {
  const std::uint32_t slot = item_slot_of_[i];
  return slot == kNone ? 0.0f : item_rows_[slot * width() + std::size_t(k)];
}

void Gradients::clear() {
  for (const auto u : touched_users) user_slot_of_[u] = kNone;
  for (const auto i : touched_items) item_slot_of_[i] = kNone;
  touched_users.clear();
  touched_items.clear();
  // user_rows_ and item_rows_ keep their size: a slot row is zeroed when taken.
}

namespace {
// The shared loop of both batch forms; row(k) is the k-th rating of the batch.
template <int Dim, typename RowOf>
double accumulate(const Embeddings& model, const TrainingRows& rows, std::size_t n, RowOf row,
                  Gradients& grad) {
  const int dim = model.dim;
  const float scale = 2.0f / static_cast<float>(n);  // d(mean of squares)/d(error)
  double squared_error = 0.0;
  // The model rows of a shuffled batch are random memory accesses: ask for
  // the rows a few ratings ahead while this one is computed.
  constexpr std::size_t kAhead = 8;
  for (std::size_t k = 0; k < n; ++k) {
    if (k + kAhead < n) {
      const std::size_t ahead = row(k + kAhead);
      // A row spans two or three cache lines (the tables are not line-aligned).
      const float* ua = model.user_row(rows.user[ahead]);
      const float* ia = model.item_row(rows.item[ahead]);
      for (int e = 0; e < dim; e += 16) {
        __builtin_prefetch(ua + e);
        __builtin_prefetch(ia + e);
      }
      __builtin_prefetch(ua + dim - 1);
      __builtin_prefetch(ia + dim - 1);
      __builtin_prefetch(grad.user_slot_entry(rows.user[ahead]));
      __builtin_prefetch(grad.item_slot_entry(rows.item[ahead]));
    }
    const std::size_t r = row(k);
    const std::uint32_t u = rows.user[r];
    const std::uint32_t i = rows.item[r];
    const float* uv = model.user_row(u);
    const float* iv = model.item_row(i);
    const float p =
        Embeddings::sigmoid(dot_of<Dim>(uv, iv, dim) + model.user_bias[u] + model.item_bias[i]);
    const float error = p - rows.target(r);
    squared_error += double(error) * error;
    const float dz = scale * error * p * (1.0f - p);  // through the sigmoid
    const std::uint32_t su = grad.user_slot(u);
    const std::uint32_t si = grad.item_slot(i);
    float* gu = grad.user_grad(su);
    float* gi = grad.item_grad(si);
    Row<Dim>(gu, dim) += dz * ConstRow<Dim>(iv, dim);
    Row<Dim>(gi, dim) += dz * ConstRow<Dim>(uv, dim);
    gu[dim] += dz;
    gi[dim] += dz;
  }
  return squared_error / static_cast<double>(n);
}
}  // namespace

double accumulate_batch_gradient(const Embeddings& model, const TrainingRows& rows,
                                 std::span<const std::uint32_t> batch, Gradients& grad) {
  return with_row_length(model.dim, [&](auto d) {
    return accumulate<decltype(d)::value>(
        model, rows, batch.size(), [&](std::size_t k) { return std::size_t(batch[k]); }, grad);
  });
}

double accumulate_range_gradient(const Embeddings& model, const TrainingRows& rows,
                                 std::size_t first, std::size_t n, Gradients& grad) {
  return with_row_length(model.dim, [&](auto d) {
    return accumulate<decltype(d)::value>(
        model, rows, n, [first](std::size_t k) { return first + k; }, grad);
  });
}

}  // namespace recsys
