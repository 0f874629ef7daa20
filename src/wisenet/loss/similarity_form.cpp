#include "wisenet/loss/similarity_form.h"

#include <cmath>

#include "wisenet/core/error.h"

namespace wisenet {

SimilarityForm parse_similarity_form(const std::string& text) {
  if (text == "exp") return SimilarityForm::kExponential;
  if (text == "sigmoid") return SimilarityForm::kSigmoid;
  throw Error("similarity must be \"exp\" or \"sigmoid\", got \"" + text + "\"");
}

std::string to_string(SimilarityForm form) {
  return form == SimilarityForm::kExponential ? "exp" : "sigmoid";
}

double squared_distance_at_similarity(double s, SimilarityForm form, int64_t dim) {
  if (!(s > 0 && s < 1)) {
    throw Error("a similarity threshold must lie strictly between 0 and 1, got " +
                std::to_string(s));
  }
  if (dim < 1) throw Error("similarity: the embedding dimension must be >= 1");
  return form == SimilarityForm::kExponential ? -static_cast<double>(dim) * std::log(s)
                                              : std::log(2.0 / s - 1.0);
}

}  // namespace wisenet
