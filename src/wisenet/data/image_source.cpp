#include "wisenet/data/image_source.h"

#include <algorithm>
#include <filesystem>

#include "wisenet/core/error.h"
#include "wisenet/data/dataset.h"
#include "wisenet/data/image_io.h"

namespace wisenet {

namespace fs = std::filesystem;

ImageSource open_images(const std::string& input, const std::string& image_dir,
                        const CocoReadOptions& options, SizeMismatch size_mismatch) {
  ImageSource source;
  std::error_code ec;
  if (!fs::exists(input, ec)) throw Error(input, "no such file or folder");
  if (fs::is_directory(input, ec)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(input, ec)) {
      std::string ext = entry.path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
      if (entry.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg" ||
                                      ext == ".tif" || ext == ".tiff" || ext == ".bmp")) {
        files.push_back(entry.path());
      }
    }
    if (ec) throw Error(input, "cannot list the folder: " + ec.message());
    if (files.empty()) throw Error(input, "the folder holds no images (png, jpg, tif, bmp)");
    std::sort(files.begin(), files.end());
    source.dataset.source = (fs::path(input) / "images.json").string();
    for (size_t i = 0; i < files.size(); ++i) {
      const cv::Size size = read_image_size(files[i].string());
      source.dataset.images.push_back(
          {static_cast<int64_t>(i) + 1, files[i].filename().string(), size.width, size.height});
      source.paths.push_back(files[i].string());
    }
    return source;
  }
  source.dataset = read_coco(input, options);
  if (source.dataset.images.empty()) throw Error(input, "the dataset has no images");
  for (const auto& image : source.dataset.images) {
    source.paths.push_back(resolve_image_path(source.dataset, image, image_dir));
  }
  match_image_sizes(source.dataset, source.paths, size_mismatch);
  source.has_ground_truth = !source.dataset.annotations.empty();
  return source;
}

}  // namespace wisenet
