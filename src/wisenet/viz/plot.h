#pragma once
// Line charts as PNG (training curves), drawn with OpenCV: no plotting library needed.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace wisenet {

struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
};

struct Panel {
  std::string title;
  std::string x_label;
  std::vector<Series> series;
  bool log_y = false;  // log scale (values <= 0 are skipped)
};

// Draws panels side by side (each with axes, ticks, a legend), returns an RGB image.
cv::Mat plot_panels(const std::vector<Panel>& panels, int panel_width = 520,
                    int panel_height = 360);

// Draws and writes the PNG atomically.
void save_plot(const std::string& path, const std::vector<Panel>& panels);

}  // namespace wisenet
