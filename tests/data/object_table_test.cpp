// Per-object table and 16-bit label image of predictions.
#include "wisenet/data/object_table.h"

#include <gtest/gtest.h>

#include "test_env.h"
#include "wisenet/core/error.h"

namespace wisenet {
namespace {

Instance box_instance(int x, int y, int w, int h, int category, double score) {
  cv::Mat m(10, 12, CV_8UC1, cv::Scalar(0));
  m(cv::Rect(x, y, w, h)).setTo(1);
  Instance in;
  in.category = category;
  in.score = score;
  in.mask = Rle::from_mask(m);
  in.bbox = in.mask.bbox();
  in.area = static_cast<double>(in.mask.area());
  in.point = Point{x, y, category};
  return in;
}

TEST(ObjectTable, OneRowPerObjectWithCentroidAreaAndBox) {
  std::vector<Instance> objects = {box_instance(1, 2, 3, 2, 1, 0.5),
                                   box_instance(6, 4, 4, 4, 2, 0.25)};
  objects[1].point.reset();
  const std::string rows = object_table_rows("a b.png", objects, {{1, "cell"}, {2, "x,y"}});
  EXPECT_EQ(object_table_header(),
            "image,object_id,class,score,seed_x,seed_y,centroid_x,centroid_y,area,bbox_x,bbox_y,"
            "bbox_w,bbox_h\n");
  EXPECT_EQ(rows,
            "a b.png,1,cell,0.5,1,2,2,2.5,6,1,2,3,2\n"
            "a b.png,2,\"x,y\",0.25,,,7.5,5.5,16,6,4,4,4\n");
}

TEST(ObjectTable, LabelImageIdsMatchRowsAndEarlierObjectsKeepOverlaps) {
  const std::vector<Instance> objects = {box_instance(0, 0, 4, 4, 1, 1),
                                         box_instance(2, 2, 4, 4, 1, 1)};
  const cv::Mat labels = instance_label_image(objects, 10, 12);
  EXPECT_EQ(labels.type(), CV_16UC1);
  EXPECT_EQ(labels.at<uint16_t>(0, 0), 1);
  EXPECT_EQ(labels.at<uint16_t>(3, 3), 1);  // shared: the first keeps it
  EXPECT_EQ(labels.at<uint16_t>(5, 5), 2);
  EXPECT_EQ(labels.at<uint16_t>(9, 11), 0);
  EXPECT_EQ(cv::countNonZero(labels == 2), 16 - 4);
}

TEST(ObjectTable, HundredsOfObjectsGetTheirOwnIds) {
  // Dense scenes: 375 objects (the most in one shared nuclei image), none capped.
  std::vector<Instance> objects;
  for (int i = 0; i < 375; ++i) {
    cv::Mat m(40, 40, CV_8UC1, cv::Scalar(0));
    m.at<uint8_t>(i / 40, i % 40) = 1;
    Instance in;
    in.mask = Rle::from_mask(m);
    objects.push_back(in);
  }
  const cv::Mat labels = instance_label_image(objects, 40, 40);
  double max = 0;
  cv::minMaxLoc(labels, nullptr, &max);
  EXPECT_EQ(max, 375);
  EXPECT_EQ(labels.at<uint16_t>(374 / 40, 374 % 40), 375);
  const std::string rows = object_table_rows("a.png", objects, {});
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 375);
  EXPECT_NE(test::error_of([] {
              instance_label_image(std::vector<Instance>(1), 4, 4);
            }).find("label image: object 1 has a mask of 0x0"),
            std::string::npos);
}

}  // namespace
}  // namespace wisenet
