#include "recsys/train/model.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "recsys/util/huge_pages.hpp"
#include "recsys/util/thread_parts.hpp"

namespace recsys {
namespace {

// The four tables in the order they take their draws, as one sequence.
class TableSequence {
 public:
  explicit TableSequence(std::array<std::vector<float>*, 4> tables) : tables_(tables) {}
  std::size_t size() const {
    std::size_t n = 0;
    for (const auto* t : tables_) n += t->size();
    return n;
  }
  // Writes values [from, from + n) of the sequence.
  template <typename Next>
  void fill(std::size_t from, std::size_t n, Next next) const {
    for (auto* t : tables_) {
      if (from >= t->size()) {
        from -= t->size();
        continue;
      }
      const std::size_t here = std::min(n, t->size() - from);
      for (std::size_t k = 0; k < here; ++k) (*t)[from + k] = next();
      n -= here;
      from = 0;
      if (n == 0) return;
    }
  }

 private:
  std::array<std::vector<float>*, 4> tables_;
};

// Normals for every entry, exactly those of calling rng.normal() entry by
// entry. Box-Muller pairs are independent once their uniform draws are
// known, and the draws are cheap next to the logarithm, root, sine and
// cosine: one pass finds the generator's state at each part's first pair,
// then each part computes its pairs on a thread of its own.
void fill_normals(const TableSequence& tables, double std_dev, Rng& rng, int threads) {
  const std::size_t n = tables.size();
  if (n == 0) return;
  auto value = [&](Rng& g) { return static_cast<float>(g.normal() * std_dev); };
  std::size_t first = 0;
  if (rng.has_spare()) tables.fill(first++, 1, [&] { return value(rng); });
  const std::size_t pairs = (n - first + 1) / 2;
  // Below this many pairs a part is not worth a thread of its own.
  constexpr std::size_t kPairsPerPart = std::size_t(1) << 16;
  const std::size_t parts =
      std::clamp<std::size_t>(pairs / kPairsPerPart, 1, std::size_t(std::clamp(threads, 1, 64)));
  std::vector<Rng> part_start(parts, rng);
  Rng last_pair = rng;
  for (std::size_t k = 0, p = 0; k < parts; ++k) {
    part_start[k] = rng;
    for (const std::size_t end = pairs * (k + 1) / parts; p < end; ++p) {
      last_pair = rng;
      rng.skip_normal_pair();
    }
  }
  run_thread_parts_or_throw(parts, [&](std::size_t k) {
    Rng g = part_start[k];
    const std::size_t from = first + 2 * (pairs * k / parts);
    const std::size_t to = std::min(n, first + 2 * (pairs * (k + 1) / parts));
    tables.fill(from, to - from, [&] { return value(g); });
  });
  // An odd count leaves the last pair's second value for the next draw, as
  // entry-by-entry calls would.
  if ((n - first) % 2 == 1) {
    rng = last_pair;
    rng.normal();
  }
}

}  // namespace

Embeddings Embeddings::random(std::uint32_t n_users, std::uint32_t n_items, int dim,
                              double init_std, Rng& rng, int threads) {
  Embeddings e;
  e.dim = dim;
  e.n_users = n_users;
  e.n_items = n_items;
  for (auto [table, n] : {std::pair{&e.user_vec, std::size_t(n_users) * dim},
                          std::pair{&e.user_bias, std::size_t(n_users)},
                          std::pair{&e.item_vec, std::size_t(n_items) * dim},
                          std::pair{&e.item_bias, std::size_t(n_items)}}) {
    reserve_huge(*table, n);
    table->resize(n);
  }
  // Same order as the notebook's module: user vectors, user bias, item vectors, item bias.
  fill_normals(TableSequence({&e.user_vec, &e.user_bias, &e.item_vec, &e.item_bias}), init_std, rng,
               threads);
  return e;
}

float Embeddings::logit(std::uint32_t u, std::uint32_t i) const {
  return kernels::active().dot(user_row(u), item_row(i), std::size_t(dim)) + user_bias[u] +
         item_bias[i];
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
kernels::SlotTable open_slots(std::vector<std::uint32_t>& slot_of,
                              std::vector<std::uint32_t>& touched, std::vector<float>& rows,
                              std::size_t width, std::size_t more) {
  const std::size_t count = touched.size();
  touched.resize(count + more);
  if (rows.size() < (count + more) * width) rows.resize((count + more) * width);
  return {slot_of.data(), touched.data(), rows.data(), count};
}

double accumulate(const Embeddings& model, const TrainingRows& rows, const std::uint32_t* order,
                  std::size_t first, std::size_t n, Gradients& grad) {
  kernels::SlotTable users = grad.open_user_slots(n);
  kernels::SlotTable items = grad.open_item_slots(n);
  const double mse =
      kernels::active().batch_gradient(model.view(), rows.view(), order, first, n, users, items);
  grad.close_slots(users, items);
  return mse;
}
}  // namespace

kernels::SlotTable Gradients::open_user_slots(std::size_t more) {
  return open_slots(user_slot_of_, touched_users, user_rows_, width(), more);
}

kernels::SlotTable Gradients::open_item_slots(std::size_t more) {
  return open_slots(item_slot_of_, touched_items, item_rows_, width(), more);
}

void Gradients::close_slots(const kernels::SlotTable& users, const kernels::SlotTable& items) {
  touched_users.resize(users.count);
  touched_items.resize(items.count);
}

double accumulate_batch_gradient(const Embeddings& model, const TrainingRows& rows,
                                 std::span<const std::uint32_t> batch, Gradients& grad) {
  return accumulate(model, rows, batch.data(), 0, batch.size(), grad);
}

double accumulate_range_gradient(const Embeddings& model, const TrainingRows& rows,
                                 std::size_t first, std::size_t n, Gradients& grad) {
  return accumulate(model, rows, nullptr, first, n, grad);
}

}  // namespace recsys
