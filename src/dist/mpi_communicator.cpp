// The Communicator over MPI_COMM_WORLD. Byte counts travel as int, MPI's
// count type, so one rank's part of a collective is limited to 2 GiB.
#include <mpi.h>

#include <climits>
#include <numeric>

#include "recsys/dist/communicator.hpp"
#include "recsys/util/error.hpp"

namespace recsys {
namespace {

int checked_count(std::size_t bytes) {
  if (bytes > static_cast<std::size_t>(INT_MAX))
    throw Error("one rank's part of an MPI exchange is over 2 GiB; use more ranks",
                Error::Kind::Internal);
  return static_cast<int>(bytes);
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
    std::vector<int> sizes(static_cast<std::size_t>(size_));
    const int n = checked_count(mine.size());
    check(MPI_Allgather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD));
    std::vector<int> offsets = displacements(sizes);
    std::string all(total(sizes), '\0');
    check(MPI_Allgatherv(mine.data(), n, MPI_BYTE, all.data(), sizes.data(), offsets.data(),
                         MPI_BYTE, MPI_COMM_WORLD));
    return split_parts(all, sizes);
  }

  std::vector<std::string> gather_to_first(std::string_view mine) override {
    std::vector<int> sizes(static_cast<std::size_t>(size_));
    const int n = checked_count(mine.size());
    check(MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD));
    std::string all;
    std::vector<int> offsets;
    if (rank_ == 0) {
      offsets = displacements(sizes);
      all.assign(total(sizes), '\0');
    }
    check(MPI_Gatherv(mine.data(), n, MPI_BYTE, all.data(), sizes.data(), offsets.data(), MPI_BYTE,
                      0, MPI_COMM_WORLD));
    return rank_ == 0 ? split_parts(all, sizes) : std::vector<std::string>{};
  }

  std::string broadcast_from_first(std::string_view data) override {
    int n = rank_ == 0 ? checked_count(data.size()) : 0;
    check(MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD));
    std::string out =
        rank_ == 0 ? std::string(data) : std::string(static_cast<std::size_t>(n), '\0');
    check(MPI_Bcast(out.data(), n, MPI_BYTE, 0, MPI_COMM_WORLD));
    return out;
  }

  std::string scatter_from_first(const std::vector<std::string>& parts) override {
    std::vector<int> sizes;
    std::vector<int> offsets;
    std::string all;
    if (rank_ == 0) {
      if (parts.size() != static_cast<std::size_t>(size_))
        throw Error("MPI: one part per rank is needed", Error::Kind::Internal);
      for (const std::string& p : parts) sizes.push_back(checked_count(p.size()));
      offsets = displacements(sizes);
      all.reserve(total(sizes));
      for (const std::string& p : parts) all += p;
    }
    int n = 0;
    check(MPI_Scatter(sizes.data(), 1, MPI_INT, &n, 1, MPI_INT, 0, MPI_COMM_WORLD));
    std::string mine(static_cast<std::size_t>(n), '\0');
    check(MPI_Scatterv(all.data(), sizes.data(), offsets.data(), MPI_BYTE, mine.data(), n, MPI_BYTE,
                       0, MPI_COMM_WORLD));
    return mine;
  }

  void send_receive(std::string_view mine, int to, int from, std::string& into) override {
    int n = checked_count(mine.size()), incoming = 0;
    check(MPI_Sendrecv(&n, 1, MPI_INT, to, kSizeTag, &incoming, 1, MPI_INT, from, kSizeTag,
                       MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    into.resize(static_cast<std::size_t>(incoming));
    check(MPI_Sendrecv(mine.data(), n, MPI_BYTE, to, kDataTag, into.data(), incoming, MPI_BYTE,
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
  static std::vector<int> displacements(const std::vector<int>& sizes) {
    std::vector<int> offsets(sizes.size(), 0);
    long long at = 0;
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      if (at > INT_MAX)
        throw Error("an MPI exchange is over 2 GiB in all; use fewer ranks per exchange",
                    Error::Kind::Internal);
      offsets[k] = static_cast<int>(at);
      at += sizes[k];
    }
    return offsets;
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
