#include "wisenet/proposals/proposal_options.h"

#include <cstdio>

#include "wisenet/core/error.h"

namespace wisenet {
namespace {

std::string number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

template <typename T, typename F>
std::string join(const std::vector<T>& values, F format) {
  std::string text;
  for (size_t i = 0; i < values.size(); ++i) {
    text += (i ? "," : "") + format(values[i]);
  }
  return text;
}

}  // namespace

std::string ProposalOptions::to_text() const {
  auto as_is = [](const std::string& s) { return s; };
  auto integer = [](int v) { return std::to_string(v); };
  return "selective_search_v1;k=" + join(k_values, integer) +
         ";color=" + join(color_spaces, as_is) + ";sigma=" + number(sigma) +
         ";min_segment=" + std::to_string(min_segment_size) +
         ";strategies=" + join(strategies, as_is) + ";min_area=" + std::to_string(min_area) +
         ";max_area=" + number(max_area_fraction) + ";w_color=" + number(weight_color_contrast) +
         ";w_edge=" + number(weight_edge_contrast) + ";w_compact=" + number(weight_compactness) +
         ";w_stable=" + number(weight_stability) + ";ring=" + std::to_string(ring_width) +
         ";dedup=" + number(dedup_iou) + ";cap=" + std::to_string(max_proposals);
}

void ProposalOptions::validate() const {
  auto fail = [](const std::string& what) { throw Error("proposal options: " + what); };
  if (k_values.empty()) fail("k_values is empty");
  for (int k : k_values) {
    if (k <= 0) fail("k value " + std::to_string(k) + " is not positive");
  }
  if (color_spaces.empty()) fail("color_spaces is empty");
  for (const auto& space : color_spaces) {
    if (space != "rgb" && space != "hsv" && space != "lab") {
      fail("unknown colour space '" + space + "' (expected rgb, hsv or lab)");
    }
  }
  if (strategies.empty()) fail("strategies is empty");
  for (const auto& strategy : strategies) {
    if (strategy.empty() || strategy.find_first_not_of("ctsf") != std::string::npos) {
      fail("strategy '" + strategy + "' must be letters from c, t, s, f");
    }
  }
  if (sigma < 0) fail("sigma is negative");
  if (min_segment_size < 1) fail("min_segment_size must be at least 1");
  if (min_area < 1) fail("min_area must be at least 1");
  if (!(max_area_fraction > 0 && max_area_fraction <= 1)) fail("max_area_fraction not in (0, 1]");
  if (weight_color_contrast < 0 || weight_edge_contrast < 0 || weight_compactness < 0 ||
      weight_stability < 0) {
    fail("objectness weights must be non-negative");
  }
  if (weight_color_contrast + weight_edge_contrast + weight_compactness + weight_stability <= 0) {
    fail("objectness weights are all zero");
  }
  if (ring_width < 1) fail("ring_width must be at least 1");
  if (!(dedup_iou > 0 && dedup_iou <= 1)) fail("dedup_iou not in (0, 1]");
  if (max_proposals < 1) fail("max_proposals must be at least 1");
}

}  // namespace wisenet
