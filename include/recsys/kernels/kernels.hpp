#pragma once
// The hot loops, compiled once per instruction set and picked at run time, so
// one binary runs on any x86-64 and uses the widest vectors the CPU has:
//   baseline  x86-64 (SSE2), separate multiply and add;
//   avx2      AVX2 + FMA, a fused multiply-add where the loop multiplies and adds;
//   avx512    AVX-512 (F, VL, DQ, BW) + FMA, the same arithmetic as avx2 twice as wide.
// avx2 and avx512 do the same operations per element in the same order, so
// they give bit-identical results; baseline rounds each product before the
// add and so differs from them in the last bits (docs/kernels.md).
//
// The set is chosen once, from the CPU, unless the environment variable
// RECSYS_KERNELS names one (baseline, avx2 or avx512): a set the CPU lacks is
// an error, so a forced run never silently falls back.
//
// Every kernel works on plain arrays: the views below say which.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace recsys::kernels {

enum class Isa { Baseline, Avx2, Avx512 };

// The four parameter tables of the rating model (read only).
struct TablesView {
  std::size_t dim;
  const float* user_vec;   // n_users x dim
  const float* item_vec;   // n_items x dim
  const float* user_bias;  // n_users
  const float* item_bias;  // n_items
};

// Training rows: dense indexes and the rating of each, either a float per row
// (stars) or, when stars is null, a byte per row indexing codebook; target =
// (stars - min) / span computed in double and rounded to float, as
// Scaler::to_unit.
struct RowsView {
  const std::uint32_t* user;
  const std::uint32_t* item;
  const float* stars;
  const std::uint8_t* code;
  const float* codebook;
  double min, span;
};

// One side (users or items) of a batch's gradient slots: slot_of maps a row
// index to its slot (kNoSlot when untouched), touched lists the rows in slot
// order, rows holds `width` floats per slot (dim entries, then the bias).
// touched and rows must have room for `count` plus one new slot per rating.
struct SlotTable {
  static constexpr std::uint32_t kNoSlot = 0xFFFFFFFFu;
  std::uint32_t* slot_of;
  std::uint32_t* touched;
  float* rows;
  std::size_t count;  // slots in use; the kernel adds the ones it opens
};

// Adam's per-step constants (see train/adam.hpp for the rule).
struct AdamCoefficients {
  float step_size;     // lr / (1 - b1^t)
  float inv_sqrt_bc2;  // 1 / sqrt(1 - b2^t)
  float beta1, beta2, eps, weight_decay;
};

// One table of dense Adam: weights, moments of the weights, the biases and
// their moments, n_rows x dim and n_rows floats.
struct DenseTable {
  std::size_t dim;
  float *vec, *m_vec, *v_vec;
  float *bias, *m_bias, *v_bias;
};

// The rows of one table a batch touched, sorted by row: row[k]'s gradient
// is slot slot[k]'s row of g (dim entries, then the bias).
struct TouchedRows {
  const std::uint32_t* row;
  const std::uint32_t* slot;
  std::size_t count;
  const float* g;
};

// Top-N's scoring of a few users against panels of movies. A panel is 16
// movies packed for the vector units: their 16 biases, then for each of the
// dim coordinates the 16 movies' values ((dim + 1) * 16 floats a panel).
struct ScorePanelsView {
  std::size_t dim;
  const float* users;      // KernelSet::score_rows rows of dim floats
  const float* user_bias;  // score_rows floats
  const float* panels;     // panel p at panels + p * (dim + 1) * 16
  std::size_t first_panel, panel_count;
  // Per row: a score may enter the row's lists only when it is not at or
  // below this (NaN: every score may). The sink updates it.
  float* threshold;
};
// Called with the 16 scores of (row, panel) when one of them may enter;
// bit j of lanes is set for each score j above the row's threshold.
using CandidateSink = void (*)(void* context, std::size_t row, std::size_t panel,
                               const float* scores, unsigned lanes);

struct KernelSet {
  Isa isa;
  const char* name;
  // a . b over n floats.
  float (*dot)(const float* a, const float* b, std::size_t n);
  // logit[k] = user_vec[user[k]] . item_vec[item[k]] + both biases, k < n.
  void (*logits)(const TablesView& tables, const std::uint32_t* user, const std::uint32_t* item,
                 std::size_t n, float* logit);
  // Forward and backward of one batch of n rows: rows order[k] (or first + k
  // when order is null). Adds d(batch MSE)/d(theta) into the slots and
  // returns the batch MSE.
  double (*batch_gradient)(const TablesView& tables, const RowsView& rows,
                           const std::uint32_t* order, std::size_t first, std::size_t n,
                           SlotTable& users, SlotTable& items);
  // Adam on n contiguous parameters (p, m, v, g element by element).
  void (*adam)(float* p, float* m, float* v, const float* g, std::size_t n,
               const AdamCoefficients& c);
  // The start of the first run of 16 scores (runs from 0) with a score above
  // t, or n rounded down to 16 when there is none: top-N's threshold test,
  // which skips the scores that cannot enter a full list.
  std::size_t (*first_run_above)(const float* scores, std::size_t n, float t);
  // Users scored per call of score_panels: the rows of this set's register tile.
  std::size_t score_rows;
  // The score b_u + b_i + u.v (summed over the coordinates in order, after
  // the two biases) of each of score_rows users against each movie of the
  // panels, in panel order. The scores stay in registers: a (row, panel)
  // goes to sink only when a score is above the row's threshold.
  void (*score_panels)(const ScorePanelsView& view, CandidateSink sink, void* context);
  // Dense Adam on rows [first, end) of a table: every row moves, a touched
  // row with its gradient, any other with a zero gradient (the same
  // arithmetic as adam() over the whole table with zeros outside the batch).
  void (*adam_dense)(const DenseTable& table, std::size_t first, std::size_t end,
                     const TouchedRows& touched, const AdamCoefficients& c);
  // Adam on the rows of one table a batch touched: row r = rows[k] has its
  // weights at p_vec + r * dim and p_bias[r], its moments in one run of
  // state at r * 2 * (dim + 1) ([m of the weights, m of the bias, v of the
  // same]) and its gradient at g + k * (dim + 1).
  void (*adam_rows)(const std::uint32_t* rows, std::size_t n_rows, std::size_t dim, float* p_vec,
                    float* p_bias, float* state, const float* g, const AdamCoefficients& c);
};

// The set every hot loop uses; chosen on first call (RECSYS_KERNELS or the CPU).
// Throws recsys::Error when RECSYS_KERNELS names an unknown set or one the CPU lacks.
const KernelSet& active();
// A given set, or nullptr when this CPU (or this build) cannot run it.
const KernelSet* find(Isa isa);
// The sets this CPU can run, baseline first.
std::vector<const KernelSet*> available();
// Makes `set` the active one (tests compare the sets); returns the previous one.
const KernelSet& use(const KernelSet& set);
// "avx512: AVX-512 with FMA, 16 floats a vector": for `info --cpu`.
std::string describe(const KernelSet& set);

}  // namespace recsys::kernels
