#include "recsys/train/ring_trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>

#include "recsys/dist/message.hpp"
#include "recsys/eval/accuracy.hpp"
#include "recsys/train/adam.hpp"
#include "recsys/train/early_stopping.hpp"
#include "recsys/util/error.hpp"
#include "recsys/util/flush_denormals.hpp"
#include "recsys/util/rng.hpp"
#include "recsys/util/worker_pool.hpp"

namespace recsys {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view kStartTag = "recsys-ring-start";

// A movie group's weights and moments, as they travel along the ring (and,
// without moments, as they are shared at the end of an epoch).
// Written into `out`, whose capacity is kept from pass to pass: a fresh
// buffer of tens of MB costs more in page faults than the copy itself.
void pack_items(const Embeddings& model, Adam* adam, std::uint32_t first, std::uint32_t end,
                std::string& out) {
  const std::size_t dim = std::size_t(model.dim);
  const std::span<const float> parts[] = {
      {model.item_vec.data() + first * dim, (end - first) * dim},
      {model.item_bias.data() + first, end - first},
      adam ? std::span<const float>(adam->item_moments(first, end, model.dim))
           : std::span<const float>()};
  out.clear();
  for (const auto& part : parts)
    out.append(reinterpret_cast<const char*>(part.data()), part.size_bytes());
}

void unpack_items(std::string_view bytes, Embeddings& model, Adam* adam, std::uint32_t first,
                  std::uint32_t end) {
  const std::size_t dim = std::size_t(model.dim);
  Unpacker u(bytes);
  u.array<float>({model.item_vec.data() + first * dim, (end - first) * dim});
  u.array<float>({model.item_bias.data() + first, end - first});
  if (adam) u.array<float>(adam->item_moments(first, end, model.dim));
  if (!u.done()) throw Error("a rank sent a movie group of the wrong size", Error::Kind::Internal);
}

// One rank's rows of one movie group, held as one shuffled list or as the
// blocks of a grid (block_grid.hpp), which then owns them.
struct GroupRows {
  Ratings rows;
  std::vector<std::uint32_t> order;
  std::optional<BlockGrid> grid;

  void take(Ratings&& part, bool blocks, const Embeddings& model, const TrainConfig& config) {
    if (blocks) {
      grid.emplace(make_block_grid(std::move(part), model, config));
      return;
    }
    rows = std::move(part);
    order.resize(rows.size());
    std::iota(order.begin(), order.end(), 0u);
  }
  std::size_t batches(std::size_t batch) const {
    if (!grid) return (rows.size() + batch - 1) / batch;
    std::size_t n = 0;
    for (std::size_t b = 0; b < grid->blocks(); ++b) n += (grid->rows_in(b) + batch - 1) / batch;
    return n;
  }
};

// What each rank adds to an epoch's figures, summed on every rank in rank
// order so that all ranks take the same early-stopping decision.
struct EpochPart {
  double loss = 0;  // sum of batch MSEs
  std::uint64_t batches = 0;
  double val_sse = 0, val_sse_stars = 0, val_sae_stars = 0;  // sums over the rank's rows
  std::uint64_t val_rows = 0;
  std::uint8_t stop = 0, wants_users = 0;
};

EpochPart sum_parts(const EpochPart& mine, Communicator& ranks) {
  Packer p;
  p.number(mine);
  EpochPart sum;
  for (const std::string& s : ranks.all_gather(p.bytes())) {
    const auto part = Unpacker(s).number<EpochPart>();
    sum.loss += part.loss;
    sum.batches += part.batches;
    sum.val_sse += part.val_sse;
    sum.val_sse_stars += part.val_sse_stars;
    sum.val_sae_stars += part.val_sae_stars;
    sum.val_rows += part.val_rows;
    sum.stop |= part.stop;
    sum.wants_users |= part.wants_users;
  }
  return sum;
}

}  // namespace

void gather_users(Embeddings& model, const RingPlan& plan, Communicator& ranks) {
  const std::size_t dim = std::size_t(model.dim);
  const int me = ranks.rank();
  const std::uint32_t first = plan.user_first[std::size_t(me)];
  const std::uint32_t end = plan.user_first[std::size_t(me) + 1];
  Packer p;
  p.array<float>({model.user_vec.data() + first * dim, (end - first) * dim});
  p.array<float>({model.user_bias.data() + first, end - first});
  const std::vector<std::string> parts = ranks.gather_to_first(p.bytes());
  for (int r = 1; r < int(parts.size()); ++r) {
    const std::uint32_t f = plan.user_first[std::size_t(r)],
                        e = plan.user_first[std::size_t(r) + 1];
    Unpacker u(parts[std::size_t(r)]);
    u.array<float>({model.user_vec.data() + f * dim, (e - f) * dim});
    u.array<float>({model.user_bias.data() + f, e - f});
  }
}

void check_distributable(const TrainConfig& config) {
  if (config.objective == Objective::Rating && config.optimizer == Adam::Mode::Dense)
    throw Error(
        "--optimizer adam (dense, as --preset notebook sets it) moves every movie at every step, "
        "so it cannot be split across MPI ranks: use --optimizer sparse-adam, or run without "
        "mpirun");
}

void check_exchange_sizes(const RingPlan& plan, int dim) {
  // MPI counts bytes in an int: the users ((dim + 1) floats each) gathered
  // at the end go in one exchange.
  constexpr double kLimit = 2147483647.0;
  const double users = plan.user_first.empty() ? 0.0 : double(plan.user_first.back());
  const double tables = users * (dim + 1) * 4.0;
  if (tables > kLimit) {
    char gb[32];
    std::snprintf(gb, sizeof gb, "%.1f", tables / 1e9);
    throw Error(std::string("training across MPI ranks would send ") + gb +
                " GB in one exchange, over MPI's 2 GiB: not possible yet (docs/distributed.md)");
  }
}

std::string RingStart::pack() const {
  Packer p;
  p.text(kStartTag);
  p.number(n_users);
  p.number(n_items);
  p.number(scaler.min);
  p.number(scaler.max);
  return std::move(p.bytes());
}

bool RingStart::is_packed(std::string_view bytes) {
  return bytes.size() > 8 + kStartTag.size() && bytes.substr(8, kStartTag.size()) == kStartTag;
}

RingStart RingStart::unpack(std::string_view bytes) {
  Unpacker u(bytes);
  if (u.text() != kStartTag) throw Error("not the start of training", Error::Kind::Internal);
  RingStart s;
  s.n_users = u.number<std::uint32_t>();
  s.n_items = u.number<std::uint32_t>();
  s.scaler.min = u.number<double>();
  s.scaler.max = u.number<double>();
  return s;
}

TrainReport train_ring(Embeddings& model, const RingPlan& plan, Ratings rows,
                       const Ratings& val_rows, const Scaler& scaler, const TrainConfig& config,
                       const TrainHooks& hooks, Communicator& ranks) {
  const auto start = Clock::now();
  const int n = ranks.size(), me = ranks.rank();
  if (plan.groups() != n)
    throw Error("a ring plan for another number of ranks", Error::Kind::Internal);
  AdamSettings adam_settings;
  adam_settings.lr = static_cast<float>(config.lr);
  adam_settings.weight_decay = static_cast<float>(config.weight_decay);
  Adam adam(model, adam_settings, Adam::Mode::Sparse);
  const FlushDenormals flush;
  WorkerPool pool(std::max(1, config.threads), flush_denormals_in_this_thread);
  std::vector<Gradients> grads(std::size_t(pool.size()), Gradients(model));
  const bool concurrent = pool.size() > 1;

  // This rank's rows by movie group: sub-epoch s trains those of group
  // (me + s) mod n, in one shuffled order, or, for a model larger than the
  // cache, as the blocks of a grid, as one process trains them.
  const bool blocks = resolve_shuffle(config, model) == Shuffle::Blocks;
  std::vector<GroupRows> by_group(static_cast<std::size_t>(n));
  {
    std::vector<Ratings> parts(static_cast<std::size_t>(n));
    for (std::size_t k = 0; k < rows.size(); ++k)
      parts[std::size_t(plan.item_group(rows.item[k]))].push(rows.user[k], rows.item[k],
                                                             rows.stars[k]);
    rows = Ratings();  // held once: by group from here on
    for (int g = 0; g < n; ++g)
      by_group[std::size_t(g)].take(std::move(parts[std::size_t(g)]), blocks, model, config);
  }
  std::size_t batches_per_epoch = 0;
  for (const auto& g : by_group) batches_per_epoch += g.batches(config.batch);
  std::vector<BlockRows> buffers(std::size_t(pool.size()));
  std::string outgoing, incoming;  // a movie group in transit, reused
  Rng rng((config.seed ^ 0x5eedf00dULL) + 0x9e3779b97f4a7c15ULL * std::uint64_t(me));
  const auto item_range = [&](int g) {
    return std::pair{plan.item_first[std::size_t(g)], plan.item_first[std::size_t(g) + 1]};
  };

  TrainReport report;
  Embeddings best;
  EarlyStopping stopping(config.early_stopping, config.min_delta);
  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    adam.set_lr(static_cast<float>(lr_at(config, epoch)));
    const auto epoch_start = Clock::now();
    EpochPart mine;
    std::vector<double> loss_of(std::size_t(pool.size()), 0.0);
    std::vector<std::uint64_t> batches_of(std::size_t(pool.size()), 0);
    for (int s = 0; s < n; ++s) {
      const int g = (me + s) % n;
      const auto sub_start = Clock::now();
      GroupRows& group = by_group[std::size_t(g)];
      // The batches of rows [first, end) (of `order` when given) on thread k.
      const auto train_span = [&](const TrainingRows& span_rows, const std::uint32_t* order,
                                  std::size_t first, std::size_t end, int k) {
        Gradients& grad = grads[std::size_t(k)];
        for (; first < end; first += config.batch) {
          const std::size_t b = std::min<std::size_t>(config.batch, end - first);
          loss_of[std::size_t(k)] +=
              order ? accumulate_batch_gradient(model, span_rows, {order + first, b}, grad)
                    : accumulate_range_gradient(model, span_rows, first, b, grad);
          if (concurrent)
            adam.sparse_step_concurrent(model, grad);
          else
            adam.step(model, grad);
          grad.clear();
          ++batches_of[std::size_t(k)];
        }
      };
      if (group.grid) {
        const std::uint64_t block_seed = rng.next();
        BlockScheduler scheduler(*group.grid, rng);
        std::vector<std::size_t> last(std::size_t(pool.size()), BlockScheduler::kNone);
        const auto block_job = [&](std::size_t, int k) {
          const std::size_t b = scheduler.claim(last[std::size_t(k)]);
          if (b == BlockScheduler::kNone) return;
          last[std::size_t(k)] = b;
          const TrainingRows block =
              group.grid->gather(b, block_seed, buffers[std::size_t(k)], scaler);
          train_span(block, nullptr, 0, block.size(), k);
          scheduler.release(b);
        };
        if (concurrent)
          pool.parallel_for(group.grid->blocks(), block_job);
        else
          for (std::size_t c = 0; c < group.grid->blocks(); ++c) block_job(c, 0);
      } else {
        std::vector<std::uint32_t>& order = group.order;
        rng.shuffle(order.begin(), order.end());
        const TrainingRows view = TrainingRows::of(group.rows, scaler);
        const std::size_t per_chunk = (concurrent ? 8 : 256) * config.batch;
        const std::size_t chunks = (order.size() + per_chunk - 1) / per_chunk;
        const auto chunk_job = [&](std::size_t c, int k) {
          train_span(view, order.data(), c * per_chunk, std::min(order.size(), (c + 1) * per_chunk),
                     k);
        };
        if (concurrent)
          pool.parallel_for(chunks, chunk_job);
        else
          for (std::size_t c = 0; c < chunks; ++c) chunk_job(c, 0);
      }
      const auto trained = Clock::now();
      report.ring.training += std::chrono::duration<double>(trained - sub_start).count();
      if (me == 0 && hooks.on_batch) {
        std::size_t done = 0;
        for (const auto b : batches_of) done += b;
        hooks.on_batch(std::min(done, batches_per_epoch), batches_per_epoch);
      }
      if (n > 1) {
        // Pass the group just trained back along the ring; take the next one.
        const auto [first, end] = item_range(g);
        const int next = (g + 1) % n;
        const auto [next_first, next_end] = item_range(next);
        pack_items(model, &adam, first, end, outgoing);
        ranks.send_receive(outgoing, (me + n - 1) % n, (me + 1) % n, incoming);
        unpack_items(incoming, model, &adam, next_first, next_end);
        report.ring.bytes_passed += outgoing.size();
      }
      report.ring.passing += std::chrono::duration<double>(Clock::now() - trained).count();
    }
    const auto epoch_end = Clock::now();
    // Every rank holds its own movie group again: share the movie tables.
    if (n > 1) {
      const auto [first, end] = item_range(me);
      pack_items(model, nullptr, first, end, outgoing);
      const std::vector<std::string> groups = ranks.all_gather(outgoing);
      report.ring.bytes_shared += outgoing.size();
      for (int g = 0; g < n; ++g) {
        if (g == me) continue;
        const auto [f, e] = item_range(g);
        unpack_items(groups[std::size_t(g)], model, nullptr, f, e);
      }
    }
    for (std::size_t k = 0; k < loss_of.size(); ++k) {
      mine.loss += loss_of[k];
      mine.batches += batches_of[k];
    }
    if (val_rows.size() > 0) {
      const Accuracy a = accuracy(model, val_rows, scaler, &pool);
      const double rows_here = double(val_rows.size());
      mine.val_sse = a.mse * rows_here;
      mine.val_sse_stars = a.rmse * a.rmse * rows_here;
      mine.val_sae_stars = a.mae * rows_here;
      mine.val_rows = val_rows.size();
    }
    mine.stop = hooks.stop && hooks.stop->load(std::memory_order_relaxed);
    mine.wants_users = me == 0 && hooks.wants_every_user && hooks.wants_every_user(epoch);
    const EpochPart all = sum_parts(mine, ranks);
    if (all.wants_users) gather_users(model, plan, ranks);
    report.ring.epoch_ends += std::chrono::duration<double>(Clock::now() - epoch_end).count();

    const double rows_all = double(all.val_rows);
    const double val_mse = all.val_rows ? all.val_sse / rows_all : std::nan("");
    EpochRecord record{epoch,
                       all.loss / double(std::max<std::uint64_t>(all.batches, 1)),
                       val_mse,
                       all.val_rows ? std::sqrt(all.val_sse_stars / rows_all) : std::nan(""),
                       all.val_rows ? all.val_sae_stars / rows_all : std::nan(""),
                       std::chrono::duration<double>(Clock::now() - epoch_start).count()};
    report.history.push_back(record);
    if (me == 0 && hooks.on_epoch) hooks.on_epoch(record);

    if (config.early_stopping > 0 && !std::isnan(val_mse)) {
      const EarlyStopping::Verdict verdict = stopping.after_epoch(val_mse);
      if (verdict.best) {
        best = model;
        report.best_epoch = epoch;
      }
      if (verdict.stop) {
        report.stopped_early = true;
        break;
      }
    } else {
      report.best_epoch = epoch;
    }
    if (all.stop) {
      report.interrupted = true;
      break;
    }
  }
  if (config.early_stopping > 0 && report.best_epoch > 0 &&
      report.best_epoch != static_cast<int>(report.history.size()))
    model = std::move(best);
  gather_users(model, plan, ranks);
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace recsys
