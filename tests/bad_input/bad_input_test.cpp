// The bad-input matrix: every kind of broken input a user can point the tool at, run through
// the real command line. Each bad row must exit non-zero with exactly one line on stderr that
// names the file and the problem, and leave no output file (nor a temporary one) behind; a
// crash (signal) or a sanitizer report fails the row. 16-bit, grayscale and alpha images are
// valid input the tool converts: those rows assert success.
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <utility>
#include <vector>

#include "test_env.h"
#include "wisenet/core/atomic_file.h"
#include "wisenet/model/checkpoint.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

// ---- fixtures ------------------------------------------------------------------------------

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A 64x64 RGB PNG with a few bright discs (something for proposals to find).
void write_png(const fs::path& path, int size = 64, int type = CV_8UC3) {
  cv::Mat image(size, size, type, cv::Scalar::all(0));
  const double top = CV_MAT_DEPTH(type) == CV_16U ? 60000 : 230;
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const bool disc = (x - 20) * (x - 20) + (y - 20) * (y - 20) < 64 ||
                        (x - 44) * (x - 44) + (y - 40) * (y - 40) < 64;
      if (!disc) continue;
      if (CV_MAT_DEPTH(type) == CV_16U) {
        image.at<uint16_t>(y, x) = static_cast<uint16_t>(top);
      } else {
        uint8_t* pixel = image.ptr<uint8_t>(y) + x * image.channels();
        for (int c = 0; c < image.channels(); ++c) pixel[c] = static_cast<uint8_t>(top);
      }
    }
  }
  ASSERT_TRUE(cv::imwrite(path.string(), image)) << path;
}

uint32_t crc32(const std::string& bytes) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// A PNG that has only a header (IHDR with the given size) and an empty IEND: what a 0x0 or a
// decompression-bomb image looks like to a header check.
std::string png_header_only(uint32_t width, uint32_t height) {
  const std::string ihdr = "IHDR" + be32(width) + be32(height) + std::string("\x08\x02\0\0\0", 5);
  const std::string iend = "IEND";
  return std::string("\x89PNG\r\n\x1a\n", 8) + be32(13) + ihdr + be32(crc32(ihdr)) + be32(0) +
         iend + be32(crc32(iend));
}

// COCO JSON around the given images/annotations arrays, one category "cell" (id 1).
std::string coco(const std::string& images, const std::string& annotations,
                 const std::string& categories = R"([{"id": 1, "name": "cell"}])") {
  return R"({"images": )" + images + R"(, "categories": )" + categories + R"(, "annotations": )" +
         annotations + "}";
}
const char* kImage = R"([{"id": 1, "file_name": "a.png", "width": 64, "height": 64}])";
const char* kPoints =
    R"([{"id": 1, "image_id": 1, "category_id": 1, "point": [20, 20]},
        {"id": 2, "image_id": 1, "category_id": 1, "point": [44, 40]}])";

// A checkpoint of a freshly built model (small backbone) with `classes` classes.
void write_checkpoint(const fs::path& path, int classes) {
  WiseNetOptions options;
  options.num_classes = classes;
  options.embedding_dim = 8;
  WiseNet net(options, /*load_backbone_weights=*/false);
  std::vector<std::string> names;
  for (int i = 0; i < classes; ++i) names.push_back("c" + std::to_string(i));
  save_checkpoint(path.string(), *net, nullptr, 0, names);
}

// ---- the matrix ----------------------------------------------------------------------------

struct Row {
  Row(std::string arguments_, std::string file_, std::string problem_, std::string output_)
      : arguments(std::move(arguments_)),
        file(std::move(file_)),
        problem(std::move(problem_)),
        output(std::move(output_)) {}
  std::string arguments;     // after `wisenet`
  std::string file;          // the error line must name it ("" for success rows)
  std::string problem;       // ... and contain this
  std::string output;        // must not exist afterwards (file or folder holding files)
  bool succeeds = false;     // a valid input the tool converts
  std::string note;          // a succeeding row's stderr must contain this
  std::string shell_prefix;  // e.g. a ulimit; run through bash when given
};

struct Case {
  const char* name;
  std::function<Row(const fs::path&)> make;  // writes its inputs under the folder
};

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// proposals --data: reads the JSON and every image (no model needed, fast on 64x64).
Row proposals_row(const fs::path& d, const std::string& json, const std::string& file,
                  const std::string& problem) {
  write_text(d / "data.json", json);
  return Row{"proposals --data " + q(d / "data.json") + " --out " + q(d / "cache") + " --threads 1",
             file, problem, (d / "cache").string()};
}

Row image_row(const fs::path& d, const std::function<void(const fs::path&)>& write_image,
              const std::string& problem) {
  write_image(d / "a.png");
  return proposals_row(d, coco(kImage, kPoints), (d / "a.png").string(), problem);
}

Row valid_image_row(const fs::path& d, int type) {
  write_png(d / "a.png", 64, type);
  Row row = proposals_row(d, coco(kImage, kPoints), "", "");
  row.succeeds = true;
  return row;
}

// train with the given JSON and extra flags: fails before any step.
Row train_row(const fs::path& d, const std::string& json, const std::string& extra,
              const std::string& file, const std::string& problem) {
  write_png(d / "a.png");
  write_text(d / "data.json", json);
  return Row{"train --stage loc --train " + q(d / "data.json") + " --out " + q(d / "run") +
                 " --max-steps 1 --threads 1 --no-progress " + extra,
             file, problem, (d / "run" / "last.ckpt").string()};
}

Row count_row(const fs::path& d, const std::string& checkpoint_bytes, const std::string& problem) {
  fs::create_directories(d / "images");
  write_png(d / "images" / "a.png");
  write_text(d / "model.ckpt", checkpoint_bytes);
  return Row{"count --model " + q(d / "model.ckpt") + " --images " + q(d / "images") + " --csv " +
                 q(d / "counts.csv") + " --threads 1 --quiet",
             (d / "model.ckpt").string(), problem, (d / "counts.csv").string()};
}

std::string valid_checkpoint_bytes(const fs::path& d) {
  write_checkpoint(d / "valid.ckpt", 1);
  const std::string bytes = slurp(d / "valid.ckpt");
  fs::remove(d / "valid.ckpt");
  return bytes;
}

// eval --gt GT --pred RESULTS --json OUT.
Row eval_row(const fs::path& d, const std::string& results, const std::string& problem) {
  write_text(d / "gt.json", coco(kImage, kPoints));
  write_text(d / "results.json", results);
  return Row{"eval --gt " + q(d / "gt.json") + " --pred " + q(d / "results.json") + " --json " +
                 q(d / "eval.json"),
             (d / "results.json").string(), problem, (d / "eval.json").string()};
}

// A COCO JSON of many points (about 150 kB), for the rows whose output must hit a write limit.
std::string big_coco() {
  std::string annotations = "[";
  for (int i = 0; i < 2500; ++i) {
    annotations += (i ? ",\n" : "") + std::string(R"({"id": )") + std::to_string(i + 1) +
                   R"(, "image_id": 1, "category_id": 1, "point": [)" + std::to_string(i % 64) +
                   ", " + std::to_string((i / 64) % 64) + "]}";
  }
  return coco(kImage, annotations + "]");
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"MissingJson",
       [](const fs::path& d) {
         return Row{"proposals --data " + q(d / "nope.json") + " --out " + q(d / "cache"),
                    (d / "nope.json").string(), "does not exist", (d / "cache").string()};
       }},
      {"MissingImageFolder",
       [](const fs::path& d) {
         return Row{"proposals --images " + q(d / "nowhere") + " --out " + q(d / "cache"),
                    (d / "nowhere").string(), "", (d / "cache").string()};
       }},
      {"MissingImageFile",
       [](const fs::path& d) {
         return proposals_row(d, coco(kImage, kPoints), (d / "data.json").string(),
                              "found neither");
       }},
      {"EmptyDataset",
       [](const fs::path& d) {
         return train_row(d, coco("[]", "[]"), "", (d / "data.json").string(), "");
       }},
      {"EmptyJsonFile",
       [](const fs::path& d) { return proposals_row(d, "", (d / "data.json").string(), ""); }},
      {"NotAnImage",
       [](const fs::path& d) {
         return image_row(
             d, [](const fs::path& p) { write_text(p, "this is text, not a PNG"); },
             "not a readable image");
       }},
      {"TruncatedImage",
       [](const fs::path& d) {
         return image_row(
             d,
             [](const fs::path& p) {
               write_png(p);
               const std::string bytes = slurp(p);
               write_text(p, bytes.substr(0, bytes.size() / 2));
             },
             "");
       }},
      {"ZeroByZeroImage",
       [](const fs::path& d) {
         return image_row(
             d, [](const fs::path& p) { write_text(p, png_header_only(0, 0)); }, "");
       }},
      {"HugeImageHeader",
       [](const fs::path& d) {
         return image_row(
             d, [](const fs::path& p) { write_text(p, png_header_only(50000, 50000)); }, "");
       }},
      {"SixteenBitImageIsConverted",
       [](const fs::path& d) { return valid_image_row(d, CV_16UC3); }},
      {"GrayscaleImageIsConverted", [](const fs::path& d) { return valid_image_row(d, CV_8UC1); }},
      {"AlphaImageIsConverted", [](const fs::path& d) { return valid_image_row(d, CV_8UC4); }},
      {"ImageSizeDiffersFromJson",
       [](const fs::path& d) {
         Row row = train_row(d, coco(kImage, kPoints), "", (d / "a.png").string(),
                             "image is 48x48 but " + (d / "data.json").string() +
                                 " gives 64x64 (--resize-annotations");
         write_png(d / "a.png", 48);  // the JSON says 64x64
         return row;
       }},
      {"ImageSizeDiffersFromJsonWhenCounting",
       [](const fs::path& d) {
         write_png(d / "a.png", 48);
         write_text(d / "data.json", coco(kImage, kPoints));
         write_text(d / "model.ckpt", valid_checkpoint_bytes(d));
         return Row{"count --model " + q(d / "model.ckpt") + " --images " + q(d / "data.json") +
                        " --csv " + q(d / "counts.csv") + " --threads 1 --quiet",
                    (d / "a.png").string(), "image is 48x48 but", (d / "counts.csv").string()};
       }},
      {"ImageSizeDiffersResizeAnnotationsTrains",
       [](const fs::path& d) {
         Row row = train_row(d, coco(kImage, kPoints), "--resize-annotations", "", "");
         write_png(d / "a.png", 48);
         row.succeeds = true;
         row.note = "annotations of 1 of 1 images rescaled";
         return row;
       }},
      {"ImageSizeDiffersResizeAnnotationsEvaluates",
       [](const fs::path& d) {
         write_png(d / "a.png", 32);  // the ground truth was drawn on a 64x64 version
         write_text(d / "gt.json", coco(kImage, R"([{"id": 1, "image_id": 1, "category_id": 1,
                  "segmentation": [[12, 12, 28, 12, 28, 28, 12, 28]]}])"));
         write_text(d / "results.json", R"([{"image_id": 1, "category_id": 1, "score": 0.9,
                  "segmentation": {"size": [32, 32], "counts": [198, 8, 24, 8, 24, 8, 24, 8,
                  24, 8, 24, 8, 24, 8, 24, 8, 594]}}])");
         Row row{"eval --gt " + q(d / "gt.json") + " --pred " + q(d / "results.json") +
                     " --resize-annotations --json " + q(d / "eval.json"),
                 "", "", ""};
         row.succeeds = true;
         row.note = "rescaled";
         return row;
       }},
      {"ImageTooSmallToTrain",
       [](const fs::path& d) {
         Row row = train_row(
             d, coco(R"([{"id": 1, "file_name": "a.png", "width": 32, "height": 32}])",
                     R"([{"id": 1, "image_id": 1, "category_id": 1, "point": [20, 20]}])"),
             "", (d / "a.png").string(),
             "image is 32x32, too small to train on: its longer side must be at least 33 pixels");
         write_png(d / "a.png", 32);
         return row;
       }},
      {"ImageTooSmallAfterScaleJitter",
       [](const fs::path& d) {
         Row row = train_row(
             d, coco(R"([{"id": 1, "file_name": "a.png", "width": 40, "height": 40}])",
                     R"([{"id": 1, "image_id": 1, "category_id": 1, "point": [20, 20]}])"),
             "--scale-jitter 0.3", (d / "a.png").string(),
             "too small to train on with --scale-jitter 0.3 (down to 28x28): its longer side "
             "must be at least 47 pixels");
         write_png(d / "a.png", 40);
         return row;
       }},
      {"MalformedJson",
       [](const fs::path& d) {
         return proposals_row(d, R"({"images": [{"id": 1,)", (d / "data.json").string(), "");
       }},
      {"JsonOfTheWrongShape",
       [](const fs::path& d) {
         return proposals_row(d, R"({"images": {"id": 1}, "annotations": 3})",
                              (d / "data.json").string(), "images");
       }},
      {"RleCountsDoNotSum",
       [](const fs::path& d) {
         return proposals_row(d, coco(kImage, R"([{"id": 1, "image_id": 1, "category_id": 1,
                  "segmentation": {"size": [64, 64], "counts": [10, 20, 30]}}])"),
                              (d / "data.json").string(), "");
       }},
      {"CompressedRleDoesNotSum",
       [](const fs::path& d) {
         return proposals_row(d, coco(kImage, R"([{"id": 1, "image_id": 1, "category_id": 1,
                  "segmentation": {"size": [64, 64], "counts": "52203"}}])"),
                              (d / "data.json").string(), "");
       }},
      {"NegativeRleCount",
       [](const fs::path& d) {
         return proposals_row(d, coco(kImage, R"([{"id": 1, "image_id": 1, "category_id": 1,
                  "segmentation": {"size": [64, 64], "counts": [4100, -4]}}])"),
                              (d / "data.json").string(), "invalid count -4");
       }},
      {"NonNumericRleCount",
       [](const fs::path& d) {
         return proposals_row(d, coco(kImage, R"([{"id": 1, "image_id": 1, "category_id": 1,
                  "segmentation": {"size": [64, 64], "counts": [4000, "96"]}}])"),
                              (d / "data.json").string(), "");
       }},
      {"PolygonWithTwoPoints",
       [](const fs::path& d) {
         return proposals_row(d, coco(kImage, R"([{"id": 1, "image_id": 1, "category_id": 1,
                                   "segmentation": [[1, 1, 10, 10]]}])"),
                              (d / "data.json").string(), "");
       }},
      {"PointOutsideItsImage",
       [](const fs::path& d) {
         return proposals_row(
             d, coco(kImage, R"([{"id": 1, "image_id": 1, "category_id": 1, "point": [64, 5]}])"),
             (d / "data.json").string(), "");
       }},
      {"PointOnAnUnknownClass",
       [](const fs::path& d) {
         return proposals_row(
             d, coco(kImage, R"([{"id": 1, "image_id": 1, "category_id": 7, "point": [5, 5]}])"),
             (d / "data.json").string(), "");
       }},
      {"AnnotationOfAMissingImage",
       [](const fs::path& d) {
         return proposals_row(
             d, coco(kImage, R"([{"id": 1, "image_id": 9, "category_id": 1, "point": [5, 5]}])"),
             (d / "data.json").string(), "");
       }},
      {"DuplicateImageIds",
       [](const fs::path& d) {
         return proposals_row(d,
                              coco(R"([{"id": 1, "file_name": "a.png", "width": 64, "height": 64},
                      {"id": 1, "file_name": "b.png", "width": 64, "height": 64}])",
                                   "[]"),
                              (d / "data.json").string(), "");
       }},
      {"CsvWithAMissingColumn",
       [](const fs::path& d) {
         write_text(d / "points.csv", "image,x,class\na.png,3,cell\n");
         return train_row(d, coco(kImage, kPoints), "--points-csv " + q(d / "points.csv"),
                          (d / "points.csv").string(), "y");
       }},
      {"CsvPointOutsideItsImage",
       [](const fs::path& d) {
         write_text(d / "points.csv", "image,x,y,class\na.png,3,99,cell\n");
         return train_row(d, coco(kImage, kPoints), "--points-csv " + q(d / "points.csv"),
                          (d / "points.csv").string(), "");
       }},
      {"CheckpointOfAnotherArchitecture",
       [](const fs::path& d) {
         write_checkpoint(d / "other.ckpt", 3);
         return train_row(d, coco(kImage, kPoints), "--init " + q(d / "other.ckpt"),
                          (d / "other.ckpt").string(), "architecture differs");
       }},
      {"TruncatedCheckpoint",
       [](const fs::path& d) {
         const std::string bytes = valid_checkpoint_bytes(d);
         return count_row(d, bytes.substr(0, bytes.size() / 2), "");
       }},
      {"CorruptCheckpoint",
       [](const fs::path& d) {
         std::string bytes = valid_checkpoint_bytes(d);
         bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
         return count_row(d, bytes, "checksum");
       }},
      {"NotACheckpoint", [](const fs::path& d) { return count_row(d, "hello", "checkpoint"); }},
      {"ResultsOfAnUnknownImage",
       [](const fs::path& d) {
         return eval_row(d, R"([{"image_id": 5, "category_id": 1, "score": 0.5,
                  "segmentation": {"size": [64, 64], "counts": [4096]}}])",
                         "");
       }},
      {"ResultsMaskOfTheWrongSize",
       [](const fs::path& d) {
         return eval_row(d, R"([{"image_id": 1, "category_id": 1, "score": 0.5,
                  "segmentation": {"size": [8, 8], "counts": [64]}}])",
                         "");
       }},
      {"OutputFolderIsAFile",
       [](const fs::path& d) {
         write_text(d / "data.json", coco(kImage, kPoints));
         write_text(d / "blocker", "a file where a folder should be");
         return Row{"convert --from coco --to csv " + q(d / "data.json") + " " +
                        q(d / "blocker" / "out.csv"),
                    (d / "blocker").string(), "", (d / "blocker" / "out.csv").string()};
       }},
      {"FileSizeLimitHitWhileWriting",
       [](const fs::path& d) {
         write_text(d / "data.json", big_coco());
         Row row{"convert --from coco --to coco " + q(d / "data.json") + " " + q(d / "out.json"),
                 (d / "out.json").string(), "", (d / "out.json").string()};
         // 64 kB per file: reading is fine, the ~150 kB output is not (EFBIG, not SIGXFSZ).
         row.shell_prefix = "trap '' XFSZ; ulimit -f 128;";
         return row;
       }},
  };
  return all;
}

// Runs `wisenet arguments` (through bash with `prefix` when given).
test::CommandResult run(const std::string& arguments, const std::string& prefix,
                        const fs::path& dir) {
  if (prefix.empty()) return test::run_cli(arguments);
  const fs::path out = dir / ".stdout", err = dir / ".stderr";
  const std::string inner = prefix + " exec " + test::cli_path().string() + " " + arguments;
  std::string escaped;
  for (char c : inner) escaped += c == '\'' ? std::string("'\\''") : std::string(1, c);
  const std::string command =
      "bash -c '" + escaped + "' >" + out.string() + " 2>" + err.string() + " </dev/null";
  const int status = std::system(command.c_str());
  test::CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out);
  result.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return result;
}

// Files under `dir` whose name marks a temporary (write_file_atomic's ".NAME.tmpPID_N").
std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().filename().string().find(".tmp") != std::string::npos) {
      out.push_back(entry.path().string());
    }
  }
  return out;
}

void check_row(const Row& row, const fs::path& dir) {
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  const test::CommandResult result = run(row.arguments, row.shell_prefix, dir);
  SCOPED_TRACE("wisenet " + row.arguments + "\nstderr: " + result.err);
  // WISENET_SHOW_ERRORS=1 prints each row's message (for the table in docs/reliability.md).
  if (std::getenv("WISENET_SHOW_ERRORS")) std::cout << "  stderr: " << result.err << std::flush;
  if (row.succeeds) {
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.err.find(row.note), std::string::npos) << "stderr says " << row.note;
    EXPECT_EQ(temporaries(dir), std::vector<std::string>{});
    return;
  }
  // A crash is a signal (>= 128); sanitizers print multi-line reports.
  EXPECT_GE(result.exit_code, 1);
  EXPECT_LT(result.exit_code, 128);
  EXPECT_EQ(test::count_lines(result.err), 1);
  EXPECT_NE(result.err.find(row.file), std::string::npos) << "the error names " << row.file;
  EXPECT_NE(result.err.find(row.problem), std::string::npos) << "the error says " << row.problem;
  std::error_code ec;
  if (fs::is_directory(row.output, ec)) {
    EXPECT_TRUE(fs::is_empty(row.output, ec)) << row.output << " holds partial output";
  } else {
    EXPECT_FALSE(fs::exists(row.output, ec)) << row.output << " was left behind";
  }
  EXPECT_EQ(temporaries(dir), std::vector<std::string>{});
}

class BadInput : public testing::TestWithParam<Case> {};

TEST_P(BadInput, FailsCleanlyWithOneLine) {
  const fs::path dir = test::temp_dir(std::string("bad_") + GetParam().name);
  const Row row = GetParam().make(dir);
  check_row(row, dir);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Matrix, BadInput, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

// A full disk: a 64 kB tmpfs (where mounting is allowed, e.g. as root), written by convert.
TEST(BadInputDisk, FullDiskLeavesNoPartialFile) {
  const fs::path dir = test::temp_dir("bad_full_disk");
  const fs::path disk = dir / "disk";
  fs::create_directories(disk);
  if (mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=64k") != 0) {
    fs::remove_all(dir);
    GTEST_SKIP() << "cannot mount a tmpfs here; FileSizeLimitHitWhileWriting covers the case";
  }
  write_text(dir / "data.json", big_coco());
  const Row row{
      "convert --from coco --to coco " + q(dir / "data.json") + " " + q(disk / "out.json"),
      (disk / "out.json").string(), "", (disk / "out.json").string()};
  check_row(row, dir);
  EXPECT_TRUE(fs::is_empty(disk)) << "the full disk holds leftovers";
  umount(disk.c_str());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wisenet
