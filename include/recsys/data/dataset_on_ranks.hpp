#pragma once
// load_dataset across the N ranks of an mpirun, with no rank reading or
// holding the whole file: rank r parses byte range r of each file, the ranks
// agree on the ids (file order), then each row goes to the rank of its
// user's group (a RingPlan balanced by rows) in one exchange. Duplicates,
// the split and the totals are then worked out per rank, with rules that
// give what one process gives: the same training and validation rows, ids,
// scale and movie counts.
#include <cstddef>

#include "recsys/data/dataset.hpp"
#include "recsys/data/rated_items.hpp"
#include "recsys/dist/communicator.hpp"
#include "recsys/dist/ring_plan.hpp"

namespace recsys {

struct RankDataset {
  // On every rank: the ids, the scaler, the movie stats and the counts of
  // rows, duplicates and cold validation rows over the whole data; train and
  // val hold the rows of this rank's user group, in file order. No titles.
  Dataset data;
  RingPlan plan;
  std::size_t train_rows = 0;  // over every rank
  double train_stars = 0;      // the sum of every training row's stars
  // On rank 0 only: every validation row in file order, and every user's
  // rated movies, as one process's Dataset and model hold them.
  Ratings every_val;
  RatedItems every_rated;
};

// A collective call; every rank throws the same Error for a bad file.
RankDataset load_dataset_on_ranks(const DatasetOptions& options, HoldOut hold_out,
                                  Communicator& ranks);

}  // namespace recsys
