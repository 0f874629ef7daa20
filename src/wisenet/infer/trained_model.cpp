#include "wisenet/infer/trained_model.h"

#include "wisenet/core/error.h"

namespace wisenet {

TrainedModel load_trained_model(const std::string& path) {
  TrainedModel t;
  t.info = read_checkpoint_info(path);
  t.model = WiseNet(t.info.options, /*load_backbone_weights=*/false);
  load_checkpoint(path, *t.model, nullptr);
  t.model->eval();
  t.classes.names = t.info.class_names;
  nlohmann::json extra;
  try {
    extra = nlohmann::json::parse(t.info.extra);
  } catch (const nlohmann::json::exception&) {
    extra = nlohmann::json::object();
  }
  if (extra.contains("category_ids") && extra["category_ids"].is_array()) {
    t.classes.category_ids = extra["category_ids"].get<std::vector<int>>();
  } else {
    for (size_t i = 0; i < t.classes.names.size(); ++i) t.classes.category_ids.push_back(int(i) + 1);
  }
  const nlohmann::json* train =
      extra.contains("train_options") && extra["train_options"].is_object()
          ? &extra["train_options"]
          : nullptr;
  if (train != nullptr && train->contains("similarity")) {
    const nlohmann::json& form = train->at("similarity");
    try {
      t.similarity_form = parse_similarity_form(form.is_string() ? form.get<std::string>() : "");
    } catch (const Error& e) {
      throw Error(path, std::string("train options: ") + e.what());
    }
  }
  if (t.classes.category_ids.size() != t.classes.names.size() ||
      t.classes.num_classes() != t.info.options.num_classes) {
    throw Error(path, "class list does not match the network's " +
                          std::to_string(t.info.options.num_classes) + " classes");
  }
  return t;
}

}  // namespace wisenet
