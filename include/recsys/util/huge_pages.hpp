#pragma once
// Large arrays backed by 2 MiB pages where the kernel offers them on request
// (transparent huge pages in "madvise" mode, Debian's default). Touching a
// fresh array costs one page fault per page; with 4 KiB pages the faults of
// the 25M file's arrays took a third of `train`'s loading and saving on a
// virtual machine, where each fault is dearer than on bare metal. A hint
// only: where huge pages are off or unknown, nothing changes.
#include <cstddef>
#include <vector>

namespace recsys {

// Advises the whole 2 MiB pages inside [data, data + bytes); below 4 MiB, nothing.
void advise_huge_pages(const void* data, std::size_t bytes);

// v.reserve(n), with the reserved storage advised for huge pages (before any
// of it is touched, which is when the advice counts).
template <typename T>
void reserve_huge(std::vector<T>& v, std::size_t n) {
  v.reserve(n);
  advise_huge_pages(v.data(), v.capacity() * sizeof(T));
}

}  // namespace recsys
