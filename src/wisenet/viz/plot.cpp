#include "wisenet/viz/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <opencv2/imgproc.hpp>

#include "wisenet/data/image_io.h"

namespace wisenet {

namespace {

const cv::Scalar kColors[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},
                              {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127}};

std::string tick_text(double v) {
  char buffer[32];
  if (v != 0 && (std::fabs(v) >= 1e4 || std::fabs(v) < 1e-2)) {
    std::snprintf(buffer, sizeof buffer, "%.1e", v);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.3g", v);
  }
  return buffer;
}

void draw_panel(cv::Mat& canvas, const Panel& panel, const cv::Rect& area) {
  const int left = area.x + 62, right = area.x + area.width - 12;
  const int top = area.y + 30, bottom = area.y + area.height - 42;
  const auto transform = [&](double v) { return panel.log_y ? std::log10(v) : v; };
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const auto& s : panel.series) {
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i]) || (panel.log_y && s.y[i] <= 0)) continue;
      x0 = std::min(x0, s.x[i]);
      x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, transform(s.y[i]));
      y1 = std::max(y1, transform(s.y[i]));
    }
  }
  cv::putText(canvas, panel.title, {area.x + 62, area.y + 20}, cv::FONT_HERSHEY_SIMPLEX, 0.55,
              {0, 0, 0}, 1, cv::LINE_AA);
  cv::rectangle(canvas, {left, top}, {right, bottom}, {0, 0, 0}, 1);
  cv::putText(canvas, panel.x_label, {(left + right) / 2 - 20, area.y + area.height - 8},
              cv::FONT_HERSHEY_SIMPLEX, 0.45, {0, 0, 0}, 1, cv::LINE_AA);
  if (!std::isfinite(x0)) {
    cv::putText(canvas, "no data", {(left + right) / 2 - 30, (top + bottom) / 2},
                cv::FONT_HERSHEY_SIMPLEX, 0.5, {120, 120, 120}, 1, cv::LINE_AA);
    return;
  }
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const double pad = 0.05 * (y1 - y0);
  y0 -= pad;
  y1 += pad;
  const auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * (right - left); };
  const auto py = [&](double y) { return bottom - (y - y0) / (y1 - y0) * (bottom - top); };
  for (int t = 0; t <= 4; ++t) {
    const double yv = y0 + (y1 - y0) * t / 4.0;
    const int y = static_cast<int>(py(yv));
    cv::line(canvas, {left, y}, {right, y}, {225, 225, 225}, 1);
    const double label = panel.log_y ? std::pow(10.0, yv) : yv;
    cv::putText(canvas, tick_text(label), {area.x + 4, y + 4}, cv::FONT_HERSHEY_SIMPLEX, 0.38,
                {0, 0, 0}, 1, cv::LINE_AA);
    const double xv = x0 + (x1 - x0) * t / 4.0;
    const int x = static_cast<int>(px(xv));
    cv::putText(canvas, tick_text(xv), {x - 12, bottom + 16}, cv::FONT_HERSHEY_SIMPLEX, 0.38,
                {0, 0, 0}, 1, cv::LINE_AA);
  }
  int legend_y = top + 16;
  for (size_t k = 0; k < panel.series.size(); ++k) {
    const auto& s = panel.series[k];
    const cv::Scalar color = kColors[k % 8];
    std::vector<cv::Point> points;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i]) || (panel.log_y && s.y[i] <= 0)) continue;
      points.emplace_back(static_cast<int>(px(s.x[i])), static_cast<int>(py(transform(s.y[i]))));
    }
    if (points.size() == 1) cv::circle(canvas, points[0], 3, color, -1, cv::LINE_AA);
    if (points.size() > 1) cv::polylines(canvas, points, false, color, 1, cv::LINE_AA);
    cv::line(canvas, {right - 130, legend_y - 4}, {right - 110, legend_y - 4}, color, 2);
    cv::putText(canvas, s.name, {right - 105, legend_y}, cv::FONT_HERSHEY_SIMPLEX, 0.4, {0, 0, 0},
                1, cv::LINE_AA);
    legend_y += 16;
  }
}

}  // namespace

cv::Mat plot_panels(const std::vector<Panel>& panels, int panel_width, int panel_height) {
  const int n = std::max<int>(1, static_cast<int>(panels.size()));
  cv::Mat canvas(panel_height, panel_width * n, CV_8UC3, cv::Scalar(255, 255, 255));
  for (int i = 0; i < static_cast<int>(panels.size()); ++i) {
    draw_panel(canvas, panels[i], cv::Rect(i * panel_width, 0, panel_width, panel_height));
  }
  return canvas;  // colours above are given in RGB order
}

void save_plot(const std::string& path, const std::vector<Panel>& panels) {
  save_png(path, plot_panels(panels));
}

}  // namespace wisenet
