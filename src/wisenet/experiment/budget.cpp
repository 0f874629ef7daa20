#include "wisenet/experiment/budget.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <sstream>

#include "wisenet/core/error.h"

namespace wisenet {

namespace {

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

int64_t floor_count(double value) {
  return static_cast<int64_t>(std::floor(value * (1.0 + 1e-9) + 1e-12));
}

}  // namespace

void AnnotationTiming::validate() const {
  if (!std::isfinite(seconds_per_point_image) || seconds_per_point_image <= 0) {
    throw Error("--seconds-per-point-image must be > 0, got " +
                number_text(seconds_per_point_image));
  }
  if (!std::isfinite(seconds_per_mask_image) || seconds_per_mask_image <= 0) {
    throw Error("--seconds-per-mask-image must be > 0, got " + number_text(seconds_per_mask_image));
  }
}

std::vector<Budget> parse_budgets(const std::string& text, const AnnotationTiming& timing) {
  timing.validate();
  if (trim(text).empty()) throw Error("--budgets: no budget given (e.g. 0.5h,1h or 20,50)");
  std::vector<Budget> budgets;
  std::set<std::string> seen;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item =
        trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (item.empty()) throw Error("--budgets \"" + text + "\": an empty item");
    const bool hours = item.back() == 'h' || item.back() == 'H';
    const std::string number = hours ? item.substr(0, item.size() - 1) : item;
    size_t used = 0;
    double value = 0;
    try {
      value = std::stod(number, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    const bool whole = !hours && number.find_first_not_of("0123456789") == std::string::npos;
    if (number.empty() || used != number.size() || !std::isfinite(value) || value <= 0 ||
        (!hours && !whole)) {
      throw Error("--budgets: \"" + item +
                  "\" is neither hours (a positive number followed by h, e.g. 0.5h) nor a "
                  "positive whole number of point-labelled images");
    }
    if (!seen.insert(item).second) throw Error("--budgets: \"" + item + "\" given twice");
    Budget b;
    b.text = item;
    b.hours = hours ? value : value * timing.seconds_per_point_image / 3600.0;
    budgets.push_back(b);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return budgets;
}

BudgetImages images_for_budget(const Budget& budget, const AnnotationTiming& timing,
                               int64_t available) {
  if (available < 0) throw Error("images_for_budget: negative image count");
  BudgetImages out;
  out.hours = budget.hours;
  const double seconds = budget.hours * 3600.0;
  out.point_images_bought = floor_count(seconds / timing.seconds_per_point_image);
  out.mask_images_bought = floor_count(seconds / timing.seconds_per_mask_image);
  out.point_images = std::min(out.point_images_bought, available);
  out.mask_images = std::min(out.mask_images_bought, available);
  return out;
}

std::vector<size_t> budget_image_order(size_t count, uint64_t seed) {
  std::vector<size_t> order(count);
  for (size_t i = 0; i < count; ++i) order[i] = i;
  std::mt19937_64 rng(seed * 0xD1B54A32D192ED03ull + 0x5851F42D4C957F2Dull);
  for (size_t i = count; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  return order;
}

std::vector<size_t> images_bought(size_t count, int64_t n, uint64_t seed) {
  std::vector<size_t> order = budget_image_order(count, seed);
  order.resize(std::min(count, static_cast<size_t>(std::max<int64_t>(n, 0))));
  return order;
}

}  // namespace wisenet
