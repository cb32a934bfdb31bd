// The Communicator over MPI_COMM_WORLD. Byte counts travel as int, MPI's
// count type, so one exchange is limited to 2 GiB per part and in offsets.
#include <mpi.h>

#include <chrono>
#include <climits>
#include <cstdint>
#include <numeric>
#include <thread>

#include "recsys/dist/communicator.hpp"
#include "recsys/util/error.hpp"

namespace recsys {
namespace {

// Byte counts as MPI's int counts. Every rank checks the same numbers, so a
// part too large fails on every rank alike instead of leaving the others
// waiting: each part, and the offset of each part in a gathered whole, must
// stay under 2 GiB.
std::vector<int> counts(const std::vector<std::uint64_t>& bytes) {
  std::vector<int> out;
  std::uint64_t offset = 0;
  for (const std::uint64_t n : bytes) {
    if (n > std::uint64_t(INT_MAX) || offset > std::uint64_t(INT_MAX))
      throw Error("an MPI exchange of over 2 GiB (MPI counts bytes in an int); use more ranks",
                  Error::Kind::Internal);
    out.push_back(static_cast<int>(n));
    offset += n;
  }
  return out;
}

// Splits the gathered bytes back into one string per rank.
std::vector<std::string> split_parts(const std::string& all, const std::vector<int>& sizes) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  for (const int n : sizes) {
    parts.push_back(all.substr(at, static_cast<std::size_t>(n)));
    at += static_cast<std::size_t>(n);
  }
  return parts;
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    int ready = 0;
    MPI_Initialized(&ready);
    if (!ready) MPI_Init(nullptr, nullptr);
    // Errors come back as codes, turned into recsys::Error, instead of
    // MPI's default of aborting the job without a word of ours.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm here;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &here) ==
        MPI_SUCCESS) {
      MPI_Comm_size(here, &local_);
      MPI_Comm_free(&here);
    }
  }
  ~MpiCommunicator() override {
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int ranks_on_this_machine() const override { return local_; }

  std::vector<std::string> all_gather(std::string_view mine) override {
    const std::vector<int> sizes = agreed_sizes(mine.size());
    const std::vector<int> offsets = displacements(sizes);
    std::string all(total(sizes), '\0');
    check(MPI_Allgatherv(mine.data(), int(mine.size()), MPI_BYTE, all.data(), sizes.data(),
                         offsets.data(), MPI_BYTE, MPI_COMM_WORLD));
    return split_parts(all, sizes);
  }

  std::vector<std::string> gather_to_first(std::string_view mine) override {
    const std::vector<int> sizes = agreed_sizes(mine.size());
    const std::vector<int> offsets = displacements(sizes);
    std::string all(rank_ == 0 ? total(sizes) : 0, '\0');
    check(MPI_Gatherv(mine.data(), int(mine.size()), MPI_BYTE, all.data(), sizes.data(),
                      offsets.data(), MPI_BYTE, 0, MPI_COMM_WORLD));
    return rank_ == 0 ? split_parts(all, sizes) : std::vector<std::string>{};
  }

  std::string broadcast_from_first(std::string_view data) override {
    std::uint64_t n = rank_ == 0 ? data.size() : 0;
    MPI_Request request;
    check(MPI_Ibcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD, &request));
    wait_quietly(request);
    const int count = counts({n}).front();
    std::string out = rank_ == 0 ? std::string(data) : std::string(n, '\0');
    check(MPI_Bcast(out.data(), count, MPI_BYTE, 0, MPI_COMM_WORLD));
    return out;
  }

  void send_receive(std::string_view mine, int to, int from, std::string& into) override {
    std::uint64_t n = mine.size(), incoming = 0;
    check(MPI_Sendrecv(&n, 1, MPI_UINT64_T, to, kSizeTag, &incoming, 1, MPI_UINT64_T, from,
                       kSizeTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    const std::vector<int> both = counts({n, incoming});
    into.resize(incoming);
    check(MPI_Sendrecv(mine.data(), both[0], MPI_BYTE, to, kDataTag, into.data(), both[1], MPI_BYTE,
                       from, kDataTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
  }

  [[noreturn]] void abort_all(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }

 private:
  static void check(int status) {
    if (status == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(status, text, &length);
    throw Error("MPI: " + std::string(text, static_cast<std::size_t>(length)),
                Error::Kind::Internal);
  }
  // Offsets of the parts in a gathered whole (counts() has checked them).
  static std::vector<int> displacements(const std::vector<int>& sizes) {
    std::vector<int> offsets(sizes.size(), 0);
    for (std::size_t k = 1; k < sizes.size(); ++k) offsets[k] = offsets[k - 1] + sizes[k - 1];
    return offsets;
  }
  // Every rank's size, known to every rank.
  std::vector<int> agreed_sizes(std::uint64_t mine) {
    std::vector<std::uint64_t> all(static_cast<std::size_t>(size_));
    check(MPI_Allgather(&mine, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD));
    return counts(all);
  }
  // A rank waiting for rank 0 (which may train alone for minutes) sleeps
  // between polls instead of spinning a core as a blocking call does.
  static void wait_quietly(MPI_Request& request) {
    int done = 0;
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE));
    while (!done) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
      check(MPI_Test(&request, &done, MPI_STATUS_IGNORE));
    }
  }
  static std::size_t total(const std::vector<int>& sizes) {
    return static_cast<std::size_t>(std::accumulate(sizes.begin(), sizes.end(), 0LL));
  }

  static constexpr int kSizeTag = 1, kDataTag = 2;
  int rank_ = 0, size_ = 1, local_ = 1;
};

}  // namespace

bool built_with_mpi() { return true; }

std::unique_ptr<Communicator> join_ranks() { return std::make_unique<MpiCommunicator>(); }

}  // namespace recsys
