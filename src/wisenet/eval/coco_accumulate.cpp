#include "wisenet/eval/coco_accumulate.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace wisenet {

CocoAccumulated accumulate_evals(const std::vector<const CocoImageEval*>& evals, size_t K, size_t A,
                                 size_t I, size_t T, const std::vector<int>& max_dets,
                                 const std::vector<double>& recall_thresholds) {
  CocoAccumulated acc;
  acc.T = T;
  acc.R = recall_thresholds.size();
  acc.K = K;
  acc.A = A;
  acc.M = max_dets.size();
  acc.precision.assign(acc.T * acc.R * K * A * acc.M, -1.0);
  acc.recall.assign(acc.T * K * A * acc.M, -1.0);
  // numpy's np.spacing(1): keeps 0/0 out of precision when no detection is counted yet.
  const double eps = std::numeric_limits<double>::epsilon();

  std::vector<const CocoImageEval*> E;
  std::vector<double> scores;
  std::vector<int64_t> matches;  // T x N, columns in concatenation order
  std::vector<uint8_t> ignores;
  std::vector<size_t> order;
  std::vector<double> rc, pr;
  for (size_t k = 0; k < K; ++k) {
    for (size_t a = 0; a < A; ++a) {
      E.clear();
      for (size_t i = 0; i < I; ++i) {
        const CocoImageEval* e = evals[(k * A + a) * I + i];
        if (e != nullptr) E.push_back(e);
      }
      if (E.empty()) continue;
      size_t npig = 0;
      for (const CocoImageEval* e : E) {
        for (uint8_t g : e->gt_ignore) npig += (g == 0);
      }
      for (size_t m = 0; m < acc.M; ++m) {
        const size_t max_det = static_cast<size_t>(std::max(max_dets[m], 0));
        // Concatenate each image's first max_det detections.
        size_t N = 0;
        for (const CocoImageEval* e : E) N += std::min(e->dt_scores.size(), max_det);
        scores.resize(N);
        matches.resize(T * N);
        ignores.resize(T * N);
        size_t col = 0;
        for (const CocoImageEval* e : E) {
          const size_t D = e->dt_scores.size();
          const size_t n = std::min(D, max_det);
          for (size_t d = 0; d < n; ++d) {
            scores[col + d] = e->dt_scores[d];
            for (size_t t = 0; t < T; ++t) {
              matches[t * N + col + d] = e->dt_matches[t * D + d];
              ignores[t * N + col + d] = e->dt_ignore[t * D + d];
            }
          }
          col += n;
        }
        if (npig == 0) continue;
        // np.argsort(-scores, kind='mergesort'): stable, descending score.
        order.resize(N);
        std::iota(order.begin(), order.end(), size_t{0});
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t x, size_t y) { return -scores[x] < -scores[y]; });

        for (size_t t = 0; t < T; ++t) {
          rc.resize(N);
          pr.resize(N);
          double tp = 0, fp = 0;
          for (size_t j = 0; j < N; ++j) {
            const size_t c = order[j];
            const bool matched = matches[t * N + c] != 0;
            const bool ignored = ignores[t * N + c] != 0;
            if (!ignored) (matched ? tp : fp) += 1;
            rc[j] = tp / static_cast<double>(npig);
            pr[j] = tp / (fp + tp + eps);
          }
          acc.recall_at(t, k, a, m) = N > 0 ? rc[N - 1] : 0.0;
          for (size_t j = N; j-- > 1;) {
            if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
          }
          // np.searchsorted(rc, recThrs, side='left'); pycocotools stops at the first
          // threshold past the end and leaves the rest 0.
          for (size_t r = 0; r < acc.R; ++r) {
            const size_t p = static_cast<size_t>(
                std::lower_bound(rc.begin(), rc.end(), recall_thresholds[r]) - rc.begin());
            double q = 0.0;
            if (p < N) q = pr[p];
            acc.precision_at(t, r, k, a, m) = q;
            if (p >= N) {
              for (size_t r2 = r; r2 < acc.R; ++r2) acc.precision_at(t, r2, k, a, m) = 0.0;
              break;
            }
          }
        }
      }
    }
  }
  return acc;
}

}  // namespace wisenet
