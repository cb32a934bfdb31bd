#pragma once
// Adding up one vector across the ranks of an mpirun, every rank getting
// the sum. MPI_Allreduce leaves the order of the additions to the library,
// which may differ between ranks and between runs; this ring fixes it, so
// every rank holds the same bits and the same seed trains the same model.
#include <span>

#include "recsys/dist/communicator.hpp"

namespace recsys {

// values becomes the element-wise sum of every rank's values (a collective
// call; every rank passes as many). A ring reduce-scatter then all-gather
// over Communicator::send_receive: each rank sends and receives 2(N-1)/N of
// the vector, whatever N. Chunk c of the vector is added up from rank c's
// share on round the ring, always in that order.
void ring_sum(std::span<float> values, Communicator& ranks);
void ring_sum(std::span<double> values, Communicator& ranks);

}  // namespace recsys
