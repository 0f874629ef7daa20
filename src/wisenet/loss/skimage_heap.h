#pragma once
// skimage's array binary heap (heap_general.pxi) with its exact sift rules, for the watershed
// items whose keys tie (wisenet.md section 3): std::priority_queue orders equal items
// differently and so moves some boundaries.
#include <cstddef>
#include <utility>
#include <vector>

namespace wisenet {

// push appends and sifts up while the item is strictly smaller than its parent
// (parent of c = (c + 1) / 2 - 1). `smaller` is a strict order on items.
template <typename Item, typename Smaller>
void skimage_heap_push(std::vector<Item>& items, const Item& item, Smaller smaller) {
  items.push_back(item);
  size_t child = items.size() - 1;
  while (child > 0) {
    const size_t parent = (child + 1) / 2 - 1;
    if (!smaller(items[child], items[parent])) break;
    std::swap(items[child], items[parent]);
    child = parent;
  }
}

// pop takes the root, moves the last item to the root and sifts it down, choosing the left
// child if it is strictly smaller than the item and then the right child if it is strictly
// smaller than that choice. Requires: !items.empty().
template <typename Item, typename Smaller>
Item skimage_heap_pop(std::vector<Item>& items, Smaller smaller) {
  const Item top = items.front();
  items.front() = items.back();
  items.pop_back();
  const size_t n = items.size();
  size_t i = 0;
  for (;;) {
    const size_t left = 2 * i + 1, right = left + 1;
    size_t smallest = i;
    if (left < n && smaller(items[left], items[i])) smallest = left;
    if (right < n && smaller(items[right], items[smallest])) smallest = right;
    if (smallest == i) break;
    std::swap(items[i], items[smallest]);
    i = smallest;
  }
  return top;
}

}  // namespace wisenet
