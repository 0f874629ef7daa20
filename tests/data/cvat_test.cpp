// CVAT "for images 1.1" reader: an export written by hand to CVAT's documented XML.
#include "wisenet/data/cvat_xml.h"

#include <gtest/gtest.h>

#include "test_env.h"

namespace wisenet {
namespace {

const char* kExport = R"(<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta>
    <task>
      <id>4</id><name>nuclei</name>
      <labels>
        <label><name>nucleus</name><color>#ff0000</color><type>any</type><attributes/></label>
        <label><name>debris</name><color>#00ff00</color><type>any</type><attributes/></label>
      </labels>
    </task>
  </meta>
  <image id="0" name="img/a.png" width="16" height="12">
    <points label="nucleus" source="manual" occluded="0" points="1.50,2.25;10.00,11.99" z_order="0">
    </points>
    <polygon label="debris" source="manual" occluded="0" points="4,4;12,4;12,10;4,10" z_order="0"/>
    <box label="nucleus" source="manual" occluded="0" xtl="1" ytl="1" xbr="3" ybr="3" z_order="0"/>
    <mask label="nucleus" source="manual" occluded="0" rle="1, 2, 1, 2" left="2" top="3" width="3"
          height="2" z_order="0"/>
  </image>
  <image id="1" name="img/b.png" width="8" height="8">
    <tag label="debris" source="manual"/>
  </image>
</annotations>
)";

TEST(Cvat, ReadsPointsPolygonsAndMasks) {
  const ForeignAnnotations r = parse_cvat(kExport, "annotations.xml");
  const CocoDataset& d = r.dataset;
  ASSERT_EQ(d.images.size(), 2u);
  EXPECT_EQ(d.images[0].file_name, "img/a.png");
  EXPECT_EQ(d.images[0].width, 16);
  EXPECT_EQ(d.images[0].height, 12);
  ASSERT_EQ(d.categories.size(), 2u);
  EXPECT_EQ(d.categories[0].name, "nucleus");  // the order of <labels>, not of use
  EXPECT_EQ(d.categories[1].name, "debris");
  ASSERT_EQ(d.annotations.size(), 4u);
  EXPECT_EQ(*d.annotations[0].instance.point, (Point{1, 2, 1}));
  EXPECT_EQ(*d.annotations[1].instance.point, (Point{10, 11, 1}));
  EXPECT_EQ(d.annotations[2].instance.category, 2);
  EXPECT_TRUE(d.annotations[2].instance.mask.contains(8, 7));
  // Box at (2, 3), 3x2; runs 1 off, 2 on, 1 off, 2 on, row by row: x 3 and 4 of rows 3 and 4.
  const Rle& mask = d.annotations[3].instance.mask;
  EXPECT_EQ(mask.area(), 4);
  EXPECT_TRUE(mask.contains(3, 3));
  EXPECT_TRUE(mask.contains(4, 3));
  EXPECT_TRUE(mask.contains(3, 4));
  EXPECT_TRUE(mask.contains(4, 4));
  EXPECT_FALSE(mask.contains(2, 3));
  EXPECT_FALSE(mask.contains(2, 4));
  EXPECT_EQ(r.report.summary(), "2 points, 2 masks; dropped: 1 box, 1 tag");
}

TEST(Cvat, BadInputIsOneLineNamingFileImageAndShape) {
  const auto error_for = [](const std::string& text) {
    return test::error_of([&] { parse_cvat(text, "ann.xml"); });
  };
  const std::string outside = error_for(
      R"(<annotations><image id="0" name="a.png" width="4" height="4">
         <points label="c" points="5,1"/></image></annotations>)");
  EXPECT_NE(outside.find("ann.xml: image \"a.png\": points 0: point (5, 1) lies outside image"),
            std::string::npos)
      << outside;
  EXPECT_EQ(test::count_lines(outside + "\n"), 1);
  EXPECT_NE(error_for("<annotations><image").find("ann.xml: malformed XML"), std::string::npos);
  EXPECT_NE(error_for("<dataset/>").find("root element must be <annotations>"), std::string::npos);
  const std::string bad_rle = error_for(
      R"(<annotations><image id="0" name="a.png" width="4" height="4">
         <mask label="c" rle="1, 9" left="0" top="0" width="2" height="2"/></image></annotations>)");
  EXPECT_NE(bad_rle.find("ann.xml: image \"a.png\": mask 0: rle counts exceed"), std::string::npos)
      << bad_rle;
  const std::string no_label = error_for(
      R"(<annotations><image id="0" name="a.png" width="4" height="4">
         <polygon points="0,0;1,0;1,1"/></image></annotations>)");
  EXPECT_NE(no_label.find("polygon 0: no attribute \"label\""), std::string::npos) << no_label;
  const std::string bad_number = error_for(
      R"(<annotations><image id="0" name="a.png" width="4" height="4">
         <points label="c" points="1,x"/></image></annotations>)");
  EXPECT_NE(bad_number.find("y \"x\" is not a number"), std::string::npos) << bad_number;
}

}  // namespace
}  // namespace wisenet
