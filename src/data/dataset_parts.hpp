#pragma once
// The steps of load_dataset that the load across MPI ranks
// (dataset_on_ranks.hpp) takes too, with totals over every rank.
#include <cstddef>
#include <string>

#include "recsys/data/dataset.hpp"

namespace recsys {

// Warns of rows dropped by the duplicate policy, when there are any.
void warn_duplicates(const std::string& path, std::size_t n, const ColumnNames& cols);
// Warns when validation rows repeat training pairs.
void warn_val_rows_in_training(const std::string& val_path, std::size_t in_training,
                               std::size_t val_rows);
// Throws Error when the split left no training rows.
void check_training_rows(const DatasetOptions& options, std::size_t train_rows,
                         std::size_t val_rows);

}  // namespace recsys
