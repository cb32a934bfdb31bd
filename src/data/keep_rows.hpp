#pragma once
// In-place row compaction shared by the duplicate drop and the splits, so
// that none of them needs a second copy of the rows.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "recsys/data/ratings.hpp"

namespace recsys {

// Keeps, in order, the rows k for which keep(k) is true, compacting in place;
// keep is called once per row, in row order, before row k is overwritten.
template <typename Keep>
void keep_rows_if(Ratings& rows, Keep&& keep) {
  std::size_t kept = 0;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (!keep(k)) continue;
    rows.user[kept] = rows.user[k];
    rows.item[kept] = rows.item[k];
    rows.stars.copy_row(kept, k);
    ++kept;
  }
  rows.user.resize(kept);
  rows.item.resize(kept);
  rows.stars.resize(kept);
}

// Gives the pages past size() back to the system without moving the
// elements: shrink_to_fit would copy the array and so briefly need it twice,
// the peak of the whole load on a large file. The capacity stays; a page is
// zero-filled again if ever written.
template <typename T>
void release_unused_capacity(std::vector<T>& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  auto begin = reinterpret_cast<std::uintptr_t>(v.data() + v.size());
  const auto end = reinterpret_cast<std::uintptr_t>(v.data() + v.capacity()) / page * page;
  begin = (begin + page - 1) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace recsys
