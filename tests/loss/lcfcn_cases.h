#pragma once
// Reads reference_dir()/lcfcn/cases.json (the LCFCN authors' loss on single-class maps).
#include <algorithm>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "test_env.h"

namespace wisenet::test {

struct LcfcnCase {
  int height = 0;
  int width = 0;
  cv::Mat probs;                  // CV_32F, the object-class probability p
  std::vector<cv::Point> points;  // [x, y]
  nlohmann::json terms;           // image, point, split_global, split_local, fp
  double total = 0;
  std::vector<std::pair<int, int>> global_split_boundary;  // (x, y), sorted
};

inline std::vector<LcfcnCase> load_lcfcn_cases() {
  const auto path = reference_dir() / "lcfcn" / "cases.json";
  std::ifstream in(path);
  if (!in) return {};
  const nlohmann::json doc = nlohmann::json::parse(in);
  std::vector<LcfcnCase> cases;
  for (const auto& j : doc.at("cases")) {
    LcfcnCase c;
    c.height = j.at("height");
    c.width = j.at("width");
    const std::vector<float> p = j.at("probs").get<std::vector<float>>();
    c.probs = cv::Mat(c.height, c.width, CV_32F);
    std::copy(p.begin(), p.end(), c.probs.ptr<float>(0));
    for (const auto& pt : j.at("points")) c.points.emplace_back(pt.at(0), pt.at(1));
    c.terms = j.at("terms");
    c.total = j.at("total");
    for (const auto& b : j.at("global_split_boundary")) {
      c.global_split_boundary.emplace_back(b.at(0), b.at(1));
    }
    std::sort(c.global_split_boundary.begin(), c.global_split_boundary.end());
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace wisenet::test
