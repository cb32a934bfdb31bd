#pragma once
// Calibrated lists (Steck 2018, "Calibrated recommendations"): a list whose
// mix of genres follows the mix of the films the user rated, so that a user
// who rated mostly animated films is not shown only the catalogue's
// blockbusters, which the model's popularity term favours.
//
// A film's genres share it equally: p(g|i) = 1/|genres(i)| for each genre of
// i. A set of films has the mix p(g) = mean over its films of p(g|i) (films
// without a genre left out). A list's distance from the user's mix is
//   KL(p || q~) = sum_g p(g) log(p(g) / q~(g)),   q~ = (1 - a) q + a p, a = 0.01,
// with q the list's own mix: 0 when the list follows p exactly, and finite
// (the a p term) when the list misses a genre of p.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "recsys/data/rated_items.hpp"
#include "recsys/eval/top_n.hpp"

namespace recsys {

// Each item's genres as small integer ids, read from "A|B|C" strings;
// "(no genres listed)", as MovieLens writes it, counts as none.
class GenreIndex {
 public:
  explicit GenreIndex(std::span<const std::string> genres_per_item);
  // The same, but throws Error when no item has a genre: calibration needs them.
  static GenreIndex required(std::span<const std::string> genres_per_item);
  // False when no item has a genre (a model trained without a movies file).
  bool any() const { return n_genres_ > 0; }
  std::size_t n_genres() const { return n_genres_; }
  std::span<const std::uint16_t> of(std::uint32_t item) const {
    if (offsets_.empty() || item >= offsets_.size() - 1) return {};
    return {ids_.data() + offsets_[item], ids_.data() + offsets_[item + 1]};
  }

 private:
  std::vector<std::uint32_t> offsets_;  // n_items + 1
  std::vector<std::uint16_t> ids_;
  std::size_t n_genres_ = 0;
};

// The mix p of a set of items (indexed by genre id; all zero when none has a genre).
std::vector<double> genre_mix(const GenreIndex& genres, std::span<const std::uint32_t> items);

// KL(p || q~) of a list against the mix p; 0 when p is all zero (nothing to follow).
double miscalibration(const GenreIndex& genres, std::span<const double> p,
                      std::span<const std::uint32_t> list);

// Steck's greedy re-ranking: n of the candidates (ranked best first, with
// their scores), each step adding the one that maximises
//   (1 - lambda) sum_list s' - lambda KL(p || q~(list)),
// s' the score min-max scaled over the candidates to [0, 1] so that lambda
// means the same for every objective (a score that is not a number counts as
// the lowest). Ties go to the better-ranked candidate.
// Returns positions into candidates, ascending: the chosen films in the
// model's order (the mix depends only on which are chosen); lambda 0 gives
// 0..n-1.
std::vector<std::size_t> calibrated_order(const GenreIndex& genres, std::span<const double> p,
                                          std::span<const std::uint32_t> candidates,
                                          std::span<const float> scores, std::size_t n,
                                          double lambda);

// Every user's list re-ranked to k items: lists holds each user's
// candidates (longer than k), profiles each user's rated items.
TopNLists calibrate_lists(const TopNLists& lists, const GenreIndex& genres,
                          const RatedItems& profiles, std::size_t k, double lambda);

// Mean over non-empty lists of each list's KL(p_u || q~), p_u the mix of the
// user's items in profiles; users with no genre in their profile are left
// out. NaN when no list counts. per_list, when given, receives each user's
// figure (NaN where left out).
double mean_miscalibration(const TopNLists& lists, const GenreIndex& genres,
                           const RatedItems& profiles, std::vector<double>* per_list = nullptr);

// How many of a model's best candidates the re-ranking chooses from for a
// list of n: enough to hold other genres, few enough to stay in the
// model's own preferences.
inline std::size_t calibration_pool(std::size_t n) { return n * 10 < 100 ? 100 : n * 10; }

}  // namespace recsys
