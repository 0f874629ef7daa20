#pragma once
// The two forms of the similarity S(a, b) (wisenet.md section 5) and, without libtorch, the
// squared distance at which S takes a given value: prediction's threshold on S
// (PredictOptions::min_similarity) is a threshold on the distance.
#include <cstdint>
#include <string>

namespace wisenet {

enum class SimilarityForm {
  kExponential,  // exp(-|a - b|^2 / D) (default)
  kSigmoid,      // 2 / (1 + exp(|a - b|^2)), computed as 2 * sigmoid(-|a - b|^2) (no overflow)
};

// "exp" | "sigmoid", as train options and wisenet.json spell them; anything else is a
// wisenet::Error.
SimilarityForm parse_similarity_form(const std::string& text);
std::string to_string(SimilarityForm form);

// The squared distance d2 with S(d2) = s (unclamped S, which decreases with d2), so that
// S > s exactly when |a - b|^2 < d2: -D ln s for the exponential form, ln(2 / s - 1) for the
// sigmoid form. s in (0, 1), dim >= 1; else wisenet::Error.
double squared_distance_at_similarity(double s, SimilarityForm form, int64_t dim);

}  // namespace wisenet
