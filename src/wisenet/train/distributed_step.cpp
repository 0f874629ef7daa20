#include "wisenet/train/distributed_step.h"

#include <ATen/ATen.h>

#include "wisenet/train/distributed.h"

namespace wisenet {

bool all_reduce_step(ProcessGroup& group, const std::vector<at::Tensor>& parameters,
                     const std::vector<at::Tensor>& buffers, const std::vector<std::string>& term_names,
                     std::map<std::string, double>& terms, bool stop_requested) {
  std::vector<at::Tensor> parts;
  std::vector<float> flags;  // 1 where this rank has a gradient for the parameter
  for (const at::Tensor& p : parameters) {
    at::Tensor& grad = const_cast<at::Tensor&>(p).mutable_grad();
    flags.push_back(grad.defined() ? 1.0f : 0.0f);
    if (!grad.defined()) grad = at::zeros_like(p);
    parts.push_back(grad);
  }
  const std::vector<at::Tensor> float_buffers = [&] {
    std::vector<at::Tensor> out;
    for (const auto& b : buffers) out.push_back(b.to(at::kDouble));
    return out;
  }();
  for (const auto& b : float_buffers) parts.push_back(b);
  std::vector<float> small = flags;  // then each term's value and presence, then the stop flag
  for (const auto& name : term_names) {
    const auto it = terms.find(name);
    small.push_back(it == terms.end() ? 0.0f : static_cast<float>(it->second));
    small.push_back(it == terms.end() ? 0.0f : 1.0f);
  }
  small.push_back(stop_requested ? 1.0f : 0.0f);
  const at::Tensor small_tensor = at::tensor(small, at::kFloat);
  parts.push_back(small_tensor);
  group.all_reduce_sum(parts);

  const int64_t world = group.world_size();
  const auto reduced = small_tensor.accessor<float, 1>();
  for (size_t i = 0; i < parameters.size(); ++i) {
    // No rank had a gradient: leave it undefined so the optimiser skips it, as one process would.
    if (reduced[static_cast<int64_t>(i)] == 0.0f) {
      const_cast<at::Tensor&>(parameters[i]).mutable_grad() = at::Tensor();
    }
  }
  for (size_t i = 0; i < buffers.size(); ++i) {
    at::NoGradGuard no_grad;
    at::Tensor mean = float_buffers[i] / static_cast<double>(world);
    if (!at::isFloatingType(buffers[i].scalar_type())) mean = mean.round();
    const_cast<at::Tensor&>(buffers[i]).copy_(mean);
  }
  int64_t k = static_cast<int64_t>(parameters.size());
  for (const auto& name : term_names) {
    const float value = reduced[k++];
    const float present = reduced[k++];
    if (present > 0) terms[name] = value;
  }
  return reduced[k] > 0;
}

}  // namespace wisenet
