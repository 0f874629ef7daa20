#include "wisenet/eval/coco_eval.h"

#include <algorithm>
#include <numeric>
#include <opencv2/core.hpp>
#include <unordered_map>

#include "wisenet/core/error.h"
#include "wisenet/eval/coco_accumulate.h"
#include "wisenet/eval/coco_match.h"

namespace wisenet {

namespace {

// pycocotools' areaRng: all, small, medium, large.
const std::array<std::array<double, 2>, 4> kAreaRanges = {
    {{0.0, 1e5 * 1e5}, {0.0, 32.0 * 32}, {32.0 * 32, 96.0 * 96}, {96.0 * 96, 1e5 * 1e5}}};

bool boxes_overlap(const std::array<double, 4>& a, const std::array<double, 4>& b) {
  const double w = std::min(a[0] + a[2], b[0] + b[2]) - std::max(a[0], b[0]);
  const double h = std::min(a[1] + a[3], b[1] + b[3]) - std::max(a[1], b[1]);
  return w > 0 && h > 0;
}

// The annotations and detections of one (image, category) pair, in file order.
struct CellMembers {
  size_t image = 0;
  size_t category = 0;
  std::vector<const Instance*> gts;
  std::vector<const Instance*> dts;
};

// computeIoU + the cell's fields: detections stably sorted by descending score and cut to
// `max_det`; IoUs as maskUtils.iou (mask bounding boxes as a prefilter, as rleIou does) or
// bbIou.
CocoCell build_cell(const CellMembers& members, IouType iou_type, int max_det) {
  CocoCell cell;
  const size_t G = members.gts.size();
  std::vector<size_t> order(members.dts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return -members.dts[a]->score < -members.dts[b]->score;
  });
  if (order.size() > static_cast<size_t>(max_det)) order.resize(static_cast<size_t>(max_det));
  const size_t D = order.size();
  std::vector<const Instance*> dts(D);
  for (size_t d = 0; d < D; ++d) dts[d] = members.dts[order[d]];

  for (const Instance* g : members.gts) {
    cell.gt_id.push_back(g->id);
    cell.gt_area.push_back(g->area);
    cell.gt_crowd.push_back(g->iscrowd ? 1 : 0);
  }
  for (const Instance* d : dts) {
    cell.dt_area.push_back(d->area);
    cell.dt_score.push_back(d->score);
  }
  if (G == 0 || D == 0) return cell;
  cell.ious.assign(D * G, 0.0);
  if (iou_type == IouType::kBbox) {
    for (size_t d = 0; d < D; ++d) {
      for (size_t g = 0; g < G; ++g) {
        cell.ious[d * G + g] = box_iou(dts[d]->bbox, members.gts[g]->bbox, cell.gt_crowd[g]);
      }
    }
    return cell;
  }
  // Mask IoU with areas and boxes computed once per mask (same formula as mask_iou).
  std::vector<int64_t> gt_pixels(G), dt_pixels(D);
  std::vector<std::array<double, 4>> gt_box(G), dt_box(D);
  for (size_t g = 0; g < G; ++g) {
    gt_pixels[g] = members.gts[g]->mask.area();
    gt_box[g] = members.gts[g]->mask.bbox();
  }
  for (size_t d = 0; d < D; ++d) {
    dt_pixels[d] = dts[d]->mask.area();
    dt_box[d] = dts[d]->mask.bbox();
  }
  for (size_t d = 0; d < D; ++d) {
    for (size_t g = 0; g < G; ++g) {
      if (!boxes_overlap(dt_box[d], gt_box[g])) continue;
      const int64_t inter = dts[d]->mask.intersection(members.gts[g]->mask);
      const int64_t uni = cell.gt_crowd[g] ? dt_pixels[d] : dt_pixels[d] + gt_pixels[g] - inter;
      cell.ious[d * G + g] = uni == 0 ? 0.0 : static_cast<double>(inter) / uni;
    }
  }
  return cell;
}

// summarize()'s mean over the entries > -1 of a slice; -1 when there are none.
struct MeanAboveMinusOne {
  double sum = 0;
  size_t n = 0;
  void add(double v) {
    if (v > -1) {
      sum += v;
      ++n;
    }
  }
  double value() const { return n == 0 ? -1.0 : sum / static_cast<double>(n); }
};

}  // namespace

IouType parse_iou_type(const std::string& name) {
  if (name == "segm") return IouType::kSegm;
  if (name == "bbox") return IouType::kBbox;
  throw Error("iou type \"" + name + "\": expected segm or bbox");
}

std::array<double, 12> CocoEvalResult::stats() const {
  return {AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl};
}

const std::array<const char*, 12>& coco_stat_names() {
  static const std::array<const char*, 12> names = {"AP",  "AP50", "AP75",  "APs", "APm", "APl",
                                                    "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"};
  return names;
}

std::vector<double> numpy_linspace(double start, double stop, int num) {
  std::vector<double> y;
  if (num <= 0) return y;
  if (num == 1) return {start};
  const double div = num - 1;
  const double delta = stop - start;
  const double step = delta / div;
  for (int i = 0; i < num; ++i) {
    y.push_back(step == 0 ? (i / div) * delta + start : i * step + start);
  }
  y.back() = stop;
  return y;
}

std::vector<double> coco_iou_thresholds() {
  // int(np.round((0.95 - .5) / .05)) + 1 == 10
  return numpy_linspace(0.5, 0.95, 10);
}

std::vector<double> coco_recall_thresholds() { return numpy_linspace(0.0, 1.0, 101); }

CocoEvalResult evaluate_coco(const CocoDataset& ground_truth,
                             const std::vector<Detection>& detections,
                             const CocoEvalOptions& options) {
  const std::string source = ground_truth.source.empty() ? "ground truth" : ground_truth.source;
  if (options.max_dets < 10) {
    throw Error("max dets " + std::to_string(options.max_dets) + ": must be at least 10");
  }
  const std::vector<int> max_dets = {1, 10, options.max_dets};
  // The ten standard thresholds, then 0.25 for AP25 (thresholds are matched independently).
  std::vector<double> iou_thresholds = coco_iou_thresholds();
  const size_t t25 = iou_thresholds.size();
  iou_thresholds.push_back(0.25);
  const std::vector<double> recall_thresholds = coco_recall_thresholds();

  // p.imgIds and p.catIds: sorted, unique.
  std::vector<int64_t> image_ids;
  for (const auto& im : ground_truth.images) image_ids.push_back(im.id);
  std::sort(image_ids.begin(), image_ids.end());
  image_ids.erase(std::unique(image_ids.begin(), image_ids.end()), image_ids.end());
  std::vector<int> category_ids;
  for (const auto& c : ground_truth.categories) category_ids.push_back(c.id);
  std::sort(category_ids.begin(), category_ids.end());
  category_ids.erase(std::unique(category_ids.begin(), category_ids.end()), category_ids.end());
  const size_t I = image_ids.size(), K = category_ids.size(), A = kAreaRanges.size();
  std::unordered_map<int64_t, size_t> image_index;
  for (size_t i = 0; i < I; ++i) image_index[image_ids[i]] = i;
  std::unordered_map<int, size_t> category_index;
  for (size_t k = 0; k < K; ++k) category_index[category_ids[k]] = k;

  // Group into (image, category) cells, keeping file order inside each cell.
  std::unordered_map<uint64_t, size_t> cell_of;  // i * K + k -> index into members
  std::vector<CellMembers> members;
  auto cell_for = [&](size_t i, size_t k) -> CellMembers& {
    const uint64_t key = static_cast<uint64_t>(i) * K + k;
    auto [it, inserted] = cell_of.emplace(key, members.size());
    if (inserted) members.push_back(CellMembers{i, k, {}, {}});
    return members[it->second];
  };
  for (size_t n = 0; n < ground_truth.annotations.size(); ++n) {
    const Annotation& an = ground_truth.annotations[n];
    const auto im = image_index.find(an.image_id);
    const auto cat = category_index.find(an.instance.category);
    if (im == image_index.end() || cat == category_index.end()) continue;
    if (options.iou_type == IouType::kSegm && !an.has_mask) {
      throw Error(source, "annotation " + std::to_string(an.instance.id) +
                              ": no segmentation, cannot evaluate segm");
    }
    cell_for(im->second, cat->second).gts.push_back(&an.instance);
  }
  for (size_t n = 0; n < detections.size(); ++n) {
    const Detection& det = detections[n];
    const auto im = image_index.find(det.image_id);
    if (im == image_index.end()) {
      throw Error(source, "detection " + std::to_string(n) + ": image_id " +
                              std::to_string(det.image_id) + " is not in the ground truth");
    }
    const auto cat = category_index.find(det.instance.category);
    if (cat == category_index.end()) continue;
    cell_for(im->second, cat->second).dts.push_back(&det.instance);
  }

  // computeIoU and evaluateImg per cell, in parallel over cells.
  std::vector<std::array<CocoImageEval, 4>> cell_evals(members.size());
  cv::parallel_for_(cv::Range(0, static_cast<int>(members.size())), [&](const cv::Range& r) {
    for (int c = r.start; c < r.end; ++c) {
      const CocoCell cell = build_cell(members[c], options.iou_type, max_dets.back());
      for (size_t a = 0; a < A; ++a) {
        cell_evals[c][a] = evaluate_cell(cell, kAreaRanges[a], max_dets.back(), iou_thresholds);
      }
    }
  });
  std::vector<const CocoImageEval*> evals(K * A * I, nullptr);
  for (size_t c = 0; c < members.size(); ++c) {
    for (size_t a = 0; a < A; ++a) {
      evals[(members[c].category * A + a) * I + members[c].image] = &cell_evals[c][a];
    }
  }
  const CocoAccumulated acc =
      accumulate_evals(evals, K, A, I, iou_thresholds.size(), max_dets, recall_thresholds);

  // summarize(): ap over precision[t, :, :, a, m], ar over recall[t, :, a, m].
  const size_t T = t25;  // the standard thresholds only
  auto ap = [&](long t_only, size_t a, size_t m) {
    MeanAboveMinusOne mean;
    for (size_t t = 0; t < T; ++t) {
      if (t_only != -1 && static_cast<long>(t) != t_only) continue;  // -1: every threshold
      for (size_t r = 0; r < acc.R; ++r) {
        for (size_t k = 0; k < K; ++k) mean.add(acc.precision_at(t, r, k, a, m));
      }
    }
    return mean.value();
  };
  auto ar = [&](size_t a, size_t m) {
    MeanAboveMinusOne mean;
    for (size_t t = 0; t < T; ++t) {
      for (size_t k = 0; k < K; ++k) mean.add(acc.recall_at(t, k, a, m));
    }
    return mean.value();
  };
  // np.where(iouThr == p.iouThrs): exact comparison, as pycocotools.
  auto threshold_index = [&](double v) -> long {
    for (size_t t = 0; t < T; ++t) {
      if (iou_thresholds[t] == v) return static_cast<long>(t);
    }
    return -2;  // matches nothing: the mean is then -1, as pycocotools
  };
  const size_t last = max_dets.size() - 1;
  CocoEvalResult res;
  res.AP = ap(-1, 0, last);
  res.AP50 = ap(threshold_index(0.5), 0, last);
  res.AP75 = ap(threshold_index(0.75), 0, last);
  res.APs = ap(-1, 1, last);
  res.APm = ap(-1, 2, last);
  res.APl = ap(-1, 3, last);
  res.AR1 = ar(0, 0);
  res.AR10 = ar(0, 1);
  res.AR100 = ar(0, last);
  res.ARs = ar(1, last);
  res.ARm = ar(2, last);
  res.ARl = ar(3, last);

  MeanAboveMinusOne ap25;
  for (size_t r = 0; r < acc.R; ++r) {
    for (size_t k = 0; k < K; ++k) ap25.add(acc.precision_at(t25, r, k, 0, last));
  }
  res.AP25 = ap25.value();
  const long t50 = threshold_index(0.5);
  for (size_t k = 0; k < K; ++k) {
    MeanAboveMinusOne mean;
    for (size_t r = 0; r < acc.R && t50 >= 0; ++r) {
      mean.add(acc.precision_at(static_cast<size_t>(t50), r, k, 0, last));
    }
    res.per_category_ap50[category_ids[k]] = mean.value();
  }
  return res;
}

}  // namespace wisenet
