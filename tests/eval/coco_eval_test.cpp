// COCO evaluation on small hand-made cases whose numbers follow from the definitions.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <vector>

#include "wisenet/core/error.h"
#include "wisenet/eval/coco_eval.h"
#include "wisenet/eval/detection_errors.h"

namespace wisenet {
namespace {

constexpr double kTol = 1e-12;

Rle rect_mask(int height, int width, int x, int y, int w, int h) {
  cv::Mat m = cv::Mat::zeros(height, width, CV_8UC1);
  cv::rectangle(m, cv::Rect(x, y, w, h), cv::Scalar(1), cv::FILLED);
  return Rle::from_mask(m);
}

// A ground truth of `images` 64x64 images (ids 1..n) and categories 1 and 2.
CocoDataset make_gt(int images) {
  CocoDataset gt;
  for (int i = 1; i <= images; ++i) gt.images.push_back({i, "im" + std::to_string(i), 64, 64});
  gt.categories = {{1, "cat"}, {2, "dog"}};
  return gt;
}

void add_gt(CocoDataset& gt, int64_t image, int category, int x, int y, int w, int h,
            bool crowd = false) {
  Annotation a;
  a.image_id = image;
  a.instance.id = static_cast<int64_t>(gt.annotations.size()) + 1;
  a.instance.category = category;
  a.instance.mask = rect_mask(64, 64, x, y, w, h);
  a.instance.bbox = a.instance.mask.bbox();
  a.instance.area = static_cast<double>(a.instance.mask.area());
  a.instance.iscrowd = crowd;
  gt.annotations.push_back(a);
}

void add_dt(std::vector<Detection>& dt, int64_t image, int category, double score, int x, int y,
            int w, int h) {
  Detection d;
  d.image_id = image;
  d.instance.category = category;
  d.instance.score = score;
  d.instance.mask = rect_mask(64, 64, x, y, w, h);
  d.instance.bbox = d.instance.mask.bbox();
  d.instance.area = static_cast<double>(d.instance.mask.area());
  dt.push_back(d);
}

TEST(CocoEval, PerfectDetectionsGiveOne) {
  CocoDataset gt = make_gt(2);
  std::vector<Detection> dt;
  add_gt(gt, 1, 1, 2, 2, 10, 10);    // small (100 px)
  add_gt(gt, 1, 2, 20, 20, 40, 40);  // large (1600 px... medium: 32^2 <= 1600 <= 96^2)
  add_gt(gt, 2, 1, 5, 30, 20, 20);   // small/medium boundary side: 400 px, small
  add_dt(dt, 1, 1, 0.9, 2, 2, 10, 10);
  add_dt(dt, 1, 2, 0.8, 20, 20, 40, 40);
  add_dt(dt, 2, 1, 0.7, 5, 30, 20, 20);
  for (IouType type : {IouType::kSegm, IouType::kBbox}) {
    const CocoEvalResult r = evaluate_coco(gt, dt, {type, 100});
    EXPECT_NEAR(r.AP, 1.0, kTol);
    EXPECT_NEAR(r.AP50, 1.0, kTol);
    EXPECT_NEAR(r.AP75, 1.0, kTol);
    EXPECT_NEAR(r.APs, 1.0, kTol);
    EXPECT_NEAR(r.APm, 1.0, kTol);
    EXPECT_EQ(r.APl, -1.0);  // no large ground truth
    EXPECT_NEAR(r.AR1, 1.0, kTol);
    EXPECT_NEAR(r.AR100, 1.0, kTol);
    EXPECT_EQ(r.ARl, -1.0);
    EXPECT_NEAR(r.AP25, 1.0, kTol);
    EXPECT_NEAR(r.per_category_ap50.at(1), 1.0, kTol);
    EXPECT_NEAR(r.per_category_ap50.at(2), 1.0, kTol);
  }
}

// A false positive ranked above the true positive: precision 0 then 1/2, made monotone to
// 1/2 at every recall threshold; AR1 keeps only the false positive.
TEST(CocoEval, FalsePositiveAtHigherScoreHalvesPrecision) {
  CocoDataset gt = make_gt(1);
  std::vector<Detection> dt;
  add_gt(gt, 1, 1, 10, 10, 20, 20);
  add_dt(dt, 1, 1, 0.9, 40, 40, 10, 10);
  add_dt(dt, 1, 1, 0.8, 10, 10, 20, 20);
  const CocoEvalResult r = evaluate_coco(gt, dt);
  EXPECT_NEAR(r.AP, 0.5, 1e-9);  // tp / (tp + fp + eps) with eps = 2^-52
  EXPECT_NEAR(r.AP50, 0.5, 1e-9);
  EXPECT_NEAR(r.AR1, 0.0, kTol);
  EXPECT_NEAR(r.AR10, 1.0, kTol);
  EXPECT_EQ(r.per_category_ap50.at(2), -1.0);  // no ground truth of category 2
}

// Detections on a crowd region are ignored (IoU over the detection's area), so they neither
// help nor hurt; without the crowd flag they would be false positives.
TEST(CocoEval, DetectionsOnCrowdAreIgnored) {
  CocoDataset gt = make_gt(1);
  std::vector<Detection> dt;
  add_gt(gt, 1, 1, 0, 0, 30, 30, /*crowd=*/true);
  add_gt(gt, 1, 1, 40, 40, 12, 12);
  add_dt(dt, 1, 1, 0.95, 2, 2, 8, 8);    // inside the crowd region
  add_dt(dt, 1, 1, 0.93, 15, 15, 8, 8);  // inside the crowd region
  add_dt(dt, 1, 1, 0.5, 40, 40, 12, 12);
  for (IouType type : {IouType::kSegm, IouType::kBbox}) {
    const CocoEvalResult r = evaluate_coco(gt, dt, {type, 100});
    EXPECT_NEAR(r.AP, 1.0, kTol);
    EXPECT_NEAR(r.AR100, 1.0, kTol);
  }
  gt.annotations[0].instance.iscrowd = false;
  const CocoEvalResult plain = evaluate_coco(gt, dt);
  // Now 2 gts; the 3rd detection is a hit after 2 misses: precision 1/3 at recall 1/2.
  EXPECT_NEAR(plain.AP50, (51 * (1.0 / 3.0)) / 101, 1e-9);
}

// Only a crowd ground truth: nothing to recall, every number is -1.
TEST(CocoEval, OnlyCrowdGivesMinusOne) {
  CocoDataset gt = make_gt(1);
  std::vector<Detection> dt;
  add_gt(gt, 1, 1, 0, 0, 30, 30, true);
  add_dt(dt, 1, 1, 0.9, 0, 0, 30, 30);
  const CocoEvalResult r = evaluate_coco(gt, dt);
  for (double s : r.stats()) EXPECT_EQ(s, -1.0);
  EXPECT_EQ(r.AP25, -1.0);
}

// An image without ground truth still counts: its detection is a false positive.
TEST(CocoEval, DetectionOnImageWithoutObjectsIsFalsePositive) {
  CocoDataset gt = make_gt(2);
  std::vector<Detection> dt;
  add_gt(gt, 1, 1, 10, 10, 20, 20);
  add_dt(dt, 1, 1, 0.5, 10, 10, 20, 20);
  add_dt(dt, 2, 1, 0.9, 10, 10, 20, 20);
  const CocoEvalResult r = evaluate_coco(gt, dt);
  EXPECT_NEAR(r.AP50, 0.5, 1e-9);
}

// A detection overlapping its object with IoU 1/3 counts at 0.25 only.
TEST(CocoEval, Ap25CountsLooseMatches) {
  CocoDataset gt = make_gt(1);
  std::vector<Detection> dt;
  add_gt(gt, 1, 1, 0, 0, 20, 10);
  add_dt(dt, 1, 1, 0.9, 10, 0, 20, 10);  // IoU = 100 / 300
  const CocoEvalResult r = evaluate_coco(gt, dt);
  EXPECT_NEAR(r.AP25, 1.0, kTol);
  EXPECT_NEAR(r.AP50, 0.0, kTol);
  EXPECT_NEAR(r.AP, 0.0, kTol);
}

// Ties in score keep file order (mergesort), so the first detection takes the object.
TEST(CocoEval, EqualScoresKeepFileOrder) {
  CocoDataset gt = make_gt(1);
  add_gt(gt, 1, 1, 0, 0, 20, 20);
  std::vector<Detection> first_good, first_bad;
  add_dt(first_good, 1, 1, 0.5, 0, 0, 20, 20);
  add_dt(first_good, 1, 1, 0.5, 40, 40, 5, 5);
  add_dt(first_bad, 1, 1, 0.5, 40, 40, 5, 5);
  add_dt(first_bad, 1, 1, 0.5, 0, 0, 20, 20);
  EXPECT_NEAR(evaluate_coco(gt, first_good).AP50, 1.0, kTol);
  EXPECT_NEAR(evaluate_coco(gt, first_bad).AP50, 0.5, 1e-9);
}

TEST(CocoEval, RejectsBadInput) {
  CocoDataset gt = make_gt(1);
  std::vector<Detection> dt;
  add_dt(dt, 7, 1, 0.5, 0, 0, 4, 4);
  EXPECT_THROW(evaluate_coco(gt, dt), Error);
  EXPECT_THROW(evaluate_coco(gt, {}, {IouType::kSegm, 5}), Error);
  EXPECT_THROW(parse_iou_type("keypoints"), Error);
  EXPECT_EQ(parse_iou_type("bbox"), IouType::kBbox);
}

// The thresholds equal numpy's linspace bit for bit (checked against numpy when available).
TEST(CocoEval, ThresholdsMatchNumpyLinspace) {
  const auto iou = coco_iou_thresholds();
  const auto rec = coco_recall_thresholds();
  ASSERT_EQ(iou.size(), 10u);
  ASSERT_EQ(rec.size(), 101u);
  EXPECT_EQ(iou.front(), 0.5);
  EXPECT_EQ(iou.back(), 0.95);
  EXPECT_EQ(iou[5], 0.75);  // summarize() finds AP75 by exact comparison
  const char* cmd =
      "/usr/bin/python3 -c \"import numpy as np; "
      "print(' '.join(float(v).hex() for v in np.concatenate(["
      "np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True), "
      "np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)])))\" "
      "2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd, "r"), pclose);
  std::string text;
  if (pipe) {
    char buf[4096];
    while (fgets(buf, sizeof buf, pipe.get())) text += buf;
  }
  if (text.empty()) GTEST_SKIP() << "numpy not available";
  std::istringstream in(text);
  std::vector<double> expected;
  std::string word;
  while (in >> word) expected.push_back(std::strtod(word.c_str(), nullptr));
  std::vector<double> ours = iou;
  ours.insert(ours.end(), rec.begin(), rec.end());
  ASSERT_EQ(expected.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], expected[i]) << i;
}

// Each kind of error once, by construction: IoU of a 10x10 square with a 10x5 half is 0.5,
// with a 10x3 strip 0.3, with a 10x1 line 0.1.
TEST(DetectionErrors, SortsEachDetectionAndCountsMissedObjects) {
  CocoDataset gt = make_gt(3);
  add_gt(gt, 1, 1, 0, 0, 10, 10);   // matched exactly, then a duplicate on it
  add_gt(gt, 1, 1, 20, 0, 10, 10);  // a poor mask (IoU 0.3)
  add_gt(gt, 1, 2, 40, 0, 10, 10);  // only a class-1 detection on it: wrong class
  add_gt(gt, 1, 1, 0, 40, 10, 10);  // no detection reaches it: missed
  add_gt(gt, 1, 1, 20, 20, 10, 10);  // two touching objects under one mask: the first one's
  add_gt(gt, 1, 1, 30, 20, 10, 10);  // poor mask (IoU 100 / 220), the second merged: missed
  add_gt(gt, 2, 1, 0, 0, 10, 10);   // no detection in image 2: missed
  add_gt(gt, 3, 1, 0, 0, 10, 10, /*crowd=*/true);  // crowd: not an object
  std::vector<Detection> dt;
  add_dt(dt, 1, 1, 0.9, 0, 0, 10, 10);
  add_dt(dt, 1, 1, 0.8, 0, 0, 10, 5);    // IoU 0.5, but the object is taken: duplicate
  add_dt(dt, 1, 1, 0.7, 20, 0, 10, 3);   // IoU 0.3: poor mask
  add_dt(dt, 1, 1, 0.6, 40, 0, 10, 10);  // class 2's object: wrong class
  add_dt(dt, 1, 1, 0.5, 0, 55, 10, 5);   // overlaps nothing: background
  add_dt(dt, 1, 1, 0.45, 18, 20, 22, 10);  // the two touching objects, IoU 0.4545 with each
  add_dt(dt, 3, 1, 0.4, 30, 30, 5, 5);   // in an image with only a crowd region: background
  // detections, matched, poor masks, duplicates, wrong class, background, objects, missed
  const auto counts = [](const DetectionErrors& e) {
    return std::vector<int64_t>{e.detections, e.matched,    e.poor_mask, e.duplicate,
                                e.wrong_class, e.background, e.objects,   e.missed};
  };
  EXPECT_EQ(counts(detection_errors(gt, dt)), (std::vector<int64_t>{7, 1, 2, 1, 1, 2, 7, 3}));
  // A detection at IoU 0.1 overlaps its object: a poor mask, the object not missed. With a
  // threshold of 0.11 it lands on the background and the object is missed.
  std::vector<Detection> line;
  add_dt(line, 2, 1, 0.5, 0, 9, 10, 1);  // IoU 10 / 100 = 0.1
  EXPECT_EQ(counts(detection_errors(gt, line)), (std::vector<int64_t>{1, 0, 1, 0, 0, 0, 7, 6}));
  EXPECT_EQ(counts(detection_errors(gt, line, 0.11)),
            (std::vector<int64_t>{1, 0, 0, 0, 0, 1, 7, 7}));
}

}  // namespace
}  // namespace wisenet
